import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Finding } from "@homeops/core";
import type { ParsedFile } from "../types.js";
import { parseGoYaml } from "./go-yaml.js";

// source-controller leaves these out of every GitRepository artifact (fluxcd/pkg/sourceignore defaults),
// so Flux never sees them: hide them from listings and reads.
const EXCLUDED_DIRS = new Set([".git", ".github", ".circleci"]);
const EXCLUDED_FILES = new Set([
  ".git",
  ".gitignore",
  ".gitmodules",
  ".gitattributes",
  ".github",
  ".circleci",
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  ".goreleaser.yml",
  ".sops.yaml",
  ".flux.yaml",
]);
const EXCLUDED_EXTENSIONS = /\.(jpg|jpeg|gif|png|wmv|flv|tar\.gz|zip)$/;

/** Excluded from a Flux source artifact by source-controller's default ignore patterns. */
export function isExcludedFromArtifact(rel: string): boolean {
  const parts = rel.split("/");
  const name = parts[parts.length - 1]!;
  if (parts.slice(0, -1).some((p) => EXCLUDED_DIRS.has(p))) return true;
  return EXCLUDED_FILES.has(name) || EXCLUDED_EXTENSIONS.test(name);
}

export type FileResult = { ok: true; file: ParsedFile } | { ok: false; finding: Finding };

/**
 * Reads and parses each repository file at most once (concurrent callers share the same promise).
 * Paths are repo-relative posix.
 */
export class FileStore {
  readonly parsed = new Map<string, ParsedFile>();
  private readonly yamlCache = new Map<string, Promise<FileResult>>();
  private readonly textCache = new Map<string, Promise<Buffer | undefined>>();
  private readonly kindCache = new Map<string, Promise<"file" | "dir" | undefined>>();
  private readonly dirCache = new Map<string, Promise<{ name: string; dir: boolean; link: boolean }[]>>();

  constructor(readonly root: string) {}

  abs(rel: string): string {
    return rel === "." ? this.root : join(this.root, rel);
  }

  /** What `rel` is; answered from the (cached) listing of its parent directory, so each directory is read once. */
  kind(rel: string): Promise<"file" | "dir" | undefined> {
    let p = this.kindCache.get(rel);
    if (!p) {
      p = this.resolveKind(rel);
      this.kindCache.set(rel, p);
    }
    return p;
  }

  private async resolveKind(rel: string): Promise<"file" | "dir" | undefined> {
    if (rel === "." || rel === "") return "dir";
    const slash = rel.lastIndexOf("/");
    const parent = slash < 0 ? "." : rel.slice(0, slash);
    const name = rel.slice(slash + 1);
    if (name === ".." || name === "." || (await this.kind(parent)) !== "dir") {
      return stat(this.abs(rel)).then(
        (s) => (s.isDirectory() ? "dir" : s.isFile() ? "file" : undefined),
        () => undefined,
      );
    }
    const entry = (await this.list(parent)).find((e) => e.name === name);
    if (!entry) return undefined;
    if (!entry.link) return entry.dir ? "dir" : "file";
    return stat(this.abs(rel)).then(
      (s) => (s.isDirectory() ? "dir" : s.isFile() ? "file" : undefined),
      () => undefined,
    );
  }

  /** Entries of a directory, sorted by name (byte order, like Go's filepath.Walk). */
  list(rel: string): Promise<{ name: string; dir: boolean; link: boolean }[]> {
    let p = this.dirCache.get(rel);
    if (!p) {
      p = readdir(this.abs(rel), { withFileTypes: true }).then(
        (entries) =>
          entries
            .map((e) => ({ name: e.name, dir: e.isDirectory(), link: e.isSymbolicLink() }))
            .filter((e) => !isExcludedFromArtifact(rel === "." ? e.name : `${rel}/${e.name}`))
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        () => [],
      );
      this.dirCache.set(rel, p);
    }
    return p;
  }

  bytes(rel: string): Promise<Buffer | undefined> {
    let p = this.textCache.get(rel);
    if (!p) {
      p = isExcludedFromArtifact(rel)
        ? Promise.resolve(undefined)
        : readFile(this.abs(rel)).then(
            (b) => b,
            () => undefined,
          );
      this.textCache.set(rel, p);
    }
    return p;
  }

  yaml(rel: string): Promise<FileResult> {
    let p = this.yamlCache.get(rel);
    if (!p) {
      p = this.load(rel);
      this.yamlCache.set(rel, p);
    }
    return p;
  }

  private async load(rel: string): Promise<FileResult> {
    const buf = await this.bytes(rel);
    if (buf === undefined) {
      return {
        ok: false,
        finding: {
          ruleId: "build/missing-file",
          severity: "error",
          message: `${rel}: no such file`,
          file: rel,
        },
      };
    }
    const text = buf.toString("utf8");
    const parsed = parseGoYaml(text, rel);
    if (parsed.ok) {
      const file: ParsedFile = { file: rel, text, documents: parsed.documents };
      this.parsed.set(rel, file);
      return { ok: true, file };
    }
    const first = parsed.problems[0]!;
    const duplicate = parsed.problems.some((p) => /unique|duplicate/i.test(p.message));
    const detail = parsed.problems.map((p) => `${rel}:${p.line}:${p.column}: ${p.message}`).join("; ");
    return {
      ok: false,
      finding: {
        ruleId: duplicate ? "build/duplicate-key" : "build/yaml-syntax",
        severity: "error",
        message: duplicate ? `duplicate key: ${detail}` : `invalid YAML: ${detail}`,
        file: rel,
        line: first.line,
        column: first.column,
      },
    };
  }
}
