import { type Dirent, readdirSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import {
  DEFAULT_MAX_FILE_BYTES,
  decodeUtf8,
  type Finding,
  fileTooLarge,
  fsUserError,
  isUserError,
  readRepoFile,
  resolveInsideRoot,
  type UserError,
  type WalkEntry,
  walkTree,
} from "@homeops/core";
import ignore, { type Ignore } from "ignore";
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

/**
 * A repo-relative path as the store keys it: normalized, without a trailing `/` (kustomize accepts
 * `resources: [./models/]`), `.` for the root.
 */
export function canonicalPath(path: string): string {
  const p = posix.normalize(path).replace(/\/+$/, "");
  return p === "" ? "." : p;
}

/** `entry` of a kustomization in `dir`, as a repo-relative path (see `canonicalPath`). */
export function joinPath(dir: string, entry: string): string {
  return canonicalPath(posix.join(dir, entry));
}

/** Excluded from a Flux source artifact by source-controller's default ignore patterns. */
export function isExcludedFromArtifact(rel: string): boolean {
  const parts = rel.split("/");
  const name = parts[parts.length - 1]!;
  if (parts.slice(0, -1).some((p) => EXCLUDED_DIRS.has(p))) return true;
  return EXCLUDED_FILES.has(name) || EXCLUDED_EXTENSIONS.test(name);
}

interface IgnoreRule {
  /** Directory the patterns are relative to ("." for the root). */
  dir: string;
  ig: Ignore;
}

/**
 * The exclusions source-controller applies when it packs the repository: `.sourceignore` files (each
 * relative to its directory, root first, then sub-directories in walk order) and the GitRepository's
 * `spec.ignore`; the last pattern that matches decides, as with gitignore.
 */
class ArtifactFilter {
  private readonly rules: IgnoreRule[] = [];

  add(dir: string, patterns: string): void {
    const lines = patterns.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
    if (lines.length > 0) this.rules.push({ dir, ig: ignore().add(lines) });
  }

  excludes(rel: string, isDir: boolean): boolean {
    let excluded = false;
    for (const rule of this.rules) {
      let path: string;
      if (rule.dir === ".") path = rel;
      else if (rel.startsWith(`${rule.dir}/`)) path = rel.slice(rule.dir.length + 1);
      else continue;
      const result = rule.ig.test(isDir ? `${path}/` : path);
      if (result.ignored) excluded = true;
      else if (result.unignored) excluded = false;
    }
    return excluded;
  }
}

export type FileResult = { ok: true; file: ParsedFile } | { ok: false; finding: Finding };

/** An entry of a directory listing. */
type ListedEntry = { name: string; dir: boolean; link: boolean };

/**
 * Reads and parses each repository file at most once (concurrent callers share the same promise).
 * Paths are repo-relative posix.
 */
export class FileStore {
  readonly parsed = new Map<string, ParsedFile>();
  private readonly yamlCache = new Map<string, Promise<FileResult>>();
  private readonly textCache = new Map<string, Promise<Buffer | undefined>>();
  private readonly kindCache = new Map<string, Promise<"file" | "dir" | undefined>>();
  private readonly dirCache = new Map<string, Promise<ListedEntry[]>>();
  /** every entry the artifact filter's walk found (`RepoGraph.tree`) */
  tree: readonly WalkEntry[] | undefined;
  /** each directory's entries as the artifact filter's walk read them (`list` reads no directory twice) */
  private readonly walked = new Map<string, readonly Dirent[]>();
  /** name → entry of each listing (see `entryOf`) */
  private readonly listingIndex = new WeakMap<readonly ListedEntry[], Map<string, ListedEntry>>();

  /** Why `bytes` answered undefined for a file that is there: outside the repository, too large, unreadable. */
  private readonly readErrors = new Map<string, UserError>();

  private filter: Promise<ArtifactFilter> | undefined;
  private sourceIgnore: string | undefined;
  /** parses go through the parse cache between runs (`useParseCache`); false: only this process's */
  parseCache = true;
  /** the `.sourceignore` files the artifact filter read (directory, text), for a graph snapshot */
  private ignoreFiles: [dir: string, text: string][] | undefined;

  /**
   * `artifact: true` (Flux builds) sees the repository as source-controller packs it (default exclusions,
   * `.sourceignore`, `spec.ignore`); `false` (plain `kustomize build`) sees every file.
   */
  constructor(
    readonly root: string,
    /** bytes the caller already read (see `BuildRepoOptions.contents`) */
    private readonly contents?: (rel: string) => Promise<Buffer | undefined> | Buffer | undefined,
    private readonly artifact = true,
    /** Largest file read (bytes); larger ones are a finding where they are used, never parsed. */
    readonly maxFileBytes: number = DEFAULT_MAX_FILE_BYTES,
    /** `contents` reads inside the repository's boundary itself (see `BuildRepoOptions.contentsInsideRoot`) */
    private readonly contentsInsideRoot = false,
  ) {}

  /** The error that kept `rel` from being read (after `bytes` answered undefined), if any. */
  readError(rel: string): UserError | undefined {
    return this.readErrors.get(rel);
  }

  /** Why `rel` looked absent although it may be there: it, or a directory above it, could not be read. */
  unreadableReason(rel: string): UserError | undefined {
    for (let p = rel; ; ) {
      const found = this.readErrors.get(p);
      if (found) return found;
      const slash = p.lastIndexOf("/");
      if (slash < 0) return p === "." ? undefined : this.readErrors.get(".");
      p = p.slice(0, slash);
    }
  }

  /** The flux-system GitRepository's `spec.ignore` (call before the first listing). */
  setSourceIgnore(patterns: string | undefined): void {
    this.sourceIgnore = patterns;
    this.filter = undefined;
    this.dirCache.clear();
    this.kindCache.clear();
    this.textCache.clear();
  }

  private artifactFilter(): Promise<ArtifactFilter> {
    this.filter ??= (async () => {
      const filter = new ArtifactFilter();
      if (this.ignoreFiles === undefined) {
        // every .sourceignore, a directory's before those below it (each applies to its own subtree)
        this.tree = walkTree(this.root, ".", { onListing: (rel, entries) => this.walked.set(rel, entries) });
        const ignores = this.tree
          .filter((e) => e.kind === "file" && e.name === ".sourceignore")
          .map((e) => e.path)
          .sort((a, b) => a.split("/").length - b.split("/").length);
        this.ignoreFiles = [];
        for (const file of ignores) {
          const text = await readFile(this.abs(file), "utf8").catch(() => "");
          this.ignoreFiles.push([posix.dirname(file), text]);
        }
      }
      for (const [dir, text] of this.ignoreFiles) filter.add(dir, text);
      if (this.sourceIgnore !== undefined) filter.add(".", this.sourceIgnore);
      return filter;
    })();
    return this.filter;
  }

  /** The `.sourceignore` files the artifact filter read (after a build listed a directory). */
  sourceIgnoreFiles(): Promise<readonly [dir: string, text: string][]> {
    return this.artifactFilter().then(() => this.ignoreFiles ?? []);
  }

  /**
   * Takes the `.sourceignore` files (and `spec.ignore`) an earlier run found instead of walking the
   * repository for them: a changed-only run whose change touched none of them.
   */
  presetSourceIgnores(files: readonly [dir: string, text: string][], sourceIgnore: string | undefined): void {
    this.setSourceIgnore(sourceIgnore);
    this.ignoreFiles = [...files];
  }

  /** `spec.ignore` of the flux-system GitRepository, as set. */
  get sourceIgnorePatterns(): string | undefined {
    return this.sourceIgnore;
  }

  abs(rel: string): string {
    return rel === "." ? this.root : join(this.root, rel);
  }

  /** What `rel` is; answered from the (cached) listing of its parent directory, so each directory is read once. */
  kind(path: string): Promise<"file" | "dir" | undefined> {
    const rel = canonicalPath(path);
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
    const entry = this.entryOf(await this.list(parent), name);
    if (!entry) return undefined;
    if (!entry.link) return entry.dir ? "dir" : "file";
    return stat(this.abs(rel)).then(
      (s) => (s.isDirectory() ? "dir" : s.isFile() ? "file" : undefined),
      // a symlink cycle is there (as a file), so reading it reports the cycle instead of "no such file"
      (e: NodeJS.ErrnoException) => (e.code === "ELOOP" ? "file" : undefined),
    );
  }

  /** The entry `name` of a listing (an index per listing: a directory of many apps is asked for each). */
  private entryOf(listing: readonly ListedEntry[], name: string): ListedEntry | undefined {
    let index = this.listingIndex.get(listing);
    if (index === undefined) {
      index = new Map(listing.map((e) => [e.name, e]));
      this.listingIndex.set(listing, index);
    }
    return index.get(name);
  }

  /** Entries of a directory, sorted by name (byte order, like Go's filepath.Walk). */
  list(path: string): Promise<ListedEntry[]> {
    const rel = canonicalPath(path);
    let p = this.dirCache.get(rel);
    if (!p) {
      // the walk for .sourceignore files read most directories already; the others synchronously: a build
      // lists thousands of directories, and a thread-pool round trip per listing costs more than the system
      // call (as core's reads)
      const filtered = this.artifact ? this.artifactFilter() : Promise.resolve(undefined);
      const listed = filtered.then(
        () => this.walked.get(rel) ?? readdirSync(this.abs(rel), { withFileTypes: true }),
      );
      p = Promise.all([listed, filtered]).then(
        ([entries, filter]) =>
          entries
            .map((e) => ({ name: e.name, dir: e.isDirectory(), link: e.isSymbolicLink() }))
            .filter((e) => {
              const child = rel === "." ? e.name : `${rel}/${e.name}`;
              return !filter || (!isExcludedFromArtifact(child) && !filter.excludes(child, e.dir));
            })
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        (error: NodeJS.ErrnoException) => {
          // absent is empty; unreadable (EACCES) is remembered so that what is below says why
          if (error.code !== "ENOENT" && error.code !== "ENOTDIR") {
            const refused = fsUserError(error, rel, "read");
            if (isUserError(refused)) this.readErrors.set(rel, refused);
          }
          return [];
        },
      );
      this.dirCache.set(rel, p);
    }
    return p;
  }

  bytes(path: string): Promise<Buffer | undefined> {
    const rel = canonicalPath(path);
    let p = this.textCache.get(rel);
    if (!p) {
      // only what the source artifact holds (default exclusions, .sourceignore, spec.ignore)
      p = this.kind(rel).then((kind) => (kind === "file" ? this.readChecked(rel) : undefined));
      this.textCache.set(rel, p);
    }
    return p;
  }

  /**
   * The bytes of `rel`, from the caller's reader when it has them, else from disk; either way inside
   * the repository after every symlink and within the size limit (core's boundary). A refusal is kept
   * for `readError` and answered as undefined.
   */
  private async readChecked(rel: string): Promise<Buffer | undefined> {
    try {
      const known = await this.contents?.(rel);
      if (known !== undefined) {
        if (!this.contentsInsideRoot) await resolveInsideRoot(this.root, rel);
        if (known.length > this.maxFileBytes) throw fileTooLarge(rel, known.length, this.maxFileBytes);
        return known;
      }
      return await readRepoFile(this.root, rel, { maxBytes: this.maxFileBytes });
    } catch (error) {
      if (isUserError(error) && error.code !== "FILE_NOT_FOUND") this.readErrors.set(rel, error);
      return undefined;
    }
  }

  async yaml(path: string): Promise<FileResult> {
    const rel = canonicalPath(path);
    if ((await this.kind(rel)) !== "file") {
      const refused = this.unreadableReason(rel);
      if (refused) {
        return {
          ok: false,
          finding: {
            ruleId: "build/unreadable-file",
            severity: "error",
            message: `${rel}: ${refused.message}`,
            ...(refused.hint ? { hint: refused.hint } : {}),
            file: rel,
          },
        };
      }
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
    let p = this.yamlCache.get(rel);
    if (!p) {
      p = this.load(rel);
      this.yamlCache.set(rel, p);
    }
    return p;
  }

  private async load(rel: string): Promise<FileResult> {
    const buf = await this.bytes(rel);
    const refused = this.readErrors.get(rel);
    if (buf === undefined && refused) {
      return {
        ok: false,
        finding: {
          ruleId:
            refused.code === "OUTSIDE_REPO"
              ? "build/outside-repo"
              : refused.code === "SYMLINK_CYCLE"
                ? "build/symlink-cycle"
                : refused.code === "FILE_TOO_LARGE"
                  ? "build/file-too-large"
                  : "build/unreadable-file",
          severity: "error",
          message: refused.message,
          ...(refused.hint ? { hint: refused.hint } : {}),
          file: rel,
        },
      };
    }
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
    let text: string;
    try {
      // Go's YAML reader refuses invalid UTF-8 too (yaml.v3: "invalid leading UTF-8 octet")
      text = decodeUtf8(buf, rel);
    } catch (error) {
      const e = error as UserError;
      return {
        ok: false,
        finding: {
          ruleId: "build/yaml-syntax",
          severity: "error",
          message: e.message,
          ...(e.hint ? { hint: e.hint } : {}),
          file: rel,
          ...(e.location?.line ? { line: e.location.line } : {}),
        },
      };
    }
    const parsed = parseGoYaml(text, rel, { disk: this.parseCache });
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
