import {
  DEFAULT_MAX_FILE_BYTES,
  type Finding,
  fileTooLarge,
  isUserError,
  listFiles,
  parseYaml,
  readRepoFile,
} from "@homeops/core";
import type { ParsedFile } from "@homeops/manifests";

/** Directories never read (dependencies, build output, VCS data). */
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist", ".turbo", ".tsbuild", ".pnpm-store"]);
/** Files larger than this are not text we check (images, archives): reported as not checked. */
const MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES;

/** Parses one repository file; undefined when it does not parse (the build reports syntax errors). */
export type RepoYamlParser = (text: string, file: string) => ParsedFile | undefined;

/** core's YAML parse, for callers without a build's parser (the repo layer passes manifests' `parseRepoYaml`). */
function parseWithCore(text: string, file: string): ParsedFile | undefined {
  try {
    return { file, text, documents: parseYaml(text, { file }).documents };
  } catch {
    return undefined;
  }
}

export interface RepoFilesOptions {
  /** Parses to reuse, the first that has a file wins (the graph's own first). */
  shared?: readonly (ReadonlyMap<string, ParsedFile> | undefined)[];
  /** How a file no shared parse holds is parsed. Default: core's parse. */
  parse?: RepoYamlParser;
}

/**
 * The repository's text files, each read once. YAML files are parsed on first use, or taken from the
 * RepoGraph's parse so that `homeops check` parses every file exactly once.
 */
export class RepoFiles {
  private readonly parsed = new Map<string, ParsedFile | null>();
  private readonly parsedHere: string[] = [];
  private readonly dirs = new Set<string>();
  private readonly sorted: string[];
  private readonly parse: RepoYamlParser;

  constructor(
    private readonly texts: ReadonlyMap<string, string>,
    options: RepoFilesOptions = {},
  ) {
    this.parse = options.parse ?? parseWithCore;
    this.sorted = [...texts.keys()].sort();
    for (const path of this.sorted) {
      const parts = path.split("/");
      for (let i = 1; i < parts.length; i++) this.dirs.add(parts.slice(0, i).join("/"));
    }
    for (const map of options.shared ?? [])
      for (const [path, file] of map ?? []) if (!this.parsed.has(path)) this.parsed.set(path, file);
  }

  /** Files parsed here rather than taken from the shared parse (files no build reads), in parse order. */
  parsedLocally(): readonly string[] {
    return this.parsedHere;
  }

  /** Every file path (repo-relative, posix), sorted. */
  paths(): readonly string[] {
    return this.sorted;
  }

  /** Paths below `dir` (repo-relative), sorted. */
  under(dir: string): string[] {
    if (dir === "." || dir === "") return [...this.sorted];
    const prefix = `${dir.replace(/\/+$/, "")}/`;
    return this.sorted.filter((p) => p.startsWith(prefix));
  }

  text(path: string): string | undefined {
    return this.texts.get(path);
  }

  hasFile(path: string): boolean {
    return this.texts.has(path);
  }

  hasDir(path: string): boolean {
    return path === "." || this.dirs.has(path);
  }

  /** true when `path` is a file or a directory of the repository. */
  exists(path: string): boolean {
    return this.hasFile(path) || this.hasDir(path);
  }

  /** The parsed YAML of `path`, or undefined when it is not YAML or does not parse. */
  yaml(path: string): ParsedFile | undefined {
    const cached = this.parsed.get(path);
    if (cached !== undefined) return cached ?? undefined;
    const text = this.texts.get(path);
    let result: ParsedFile | null = null;
    if (text !== undefined && /\.ya?ml$/.test(path)) {
      this.parsedHere.push(path);
      // syntax errors are the build's findings; rules skip files they cannot read
      result = this.parse(text, path) ?? null;
    }
    this.parsed.set(path, result);
    return result ?? undefined;
  }
}

export interface ReadRepoFilesOptions {
  /** Files to read (repo-relative), e.g. from `git ls-files`. Default: walk the tree (skipping .git, node_modules, dist). */
  paths?: readonly string[];
  /** Reads one file (repo-relative path), e.g. through a cache shared with the build. Default: from disk. */
  read?: (path: string) => Promise<Buffer>;
  /**
   * Receives a finding for every listed file that is not checked, so nothing is skipped silently: a
   * file outside the repository (a symlink) or unreadable (error), too large (warning), binary (info).
   */
  findings?: Finding[];
}

/** Reads the repository's files: text files with their text, binary and very large files with an empty text (they exist). */
export async function readRepoFiles(
  root: string,
  options: ReadRepoFilesOptions = {},
): Promise<Map<string, string>> {
  // links are read through the boundary: inside the repository they are files like any other
  const paths = options.paths
    ? [...options.paths]
    : listFiles(root, ".", {
        enter: (_, name) => !SKIPPED_DIRS.has(name),
        symlinks: true,
        unreadable: "throw",
      });
  const texts = new Map<string, string>();
  await Promise.all(
    paths.map(async (path) => {
      const note = (severity: Finding["severity"], ruleId: string, message: string, hint?: string) =>
        options.findings?.push({ ruleId, severity, message, file: path, ...(hint ? { hint } : {}) });
      try {
        // inside the repository after every symlink, within the size limit (core's boundary)
        const buffer = options.read
          ? await options.read(path)
          : await readRepoFile(root, path, { maxBytes: MAX_FILE_BYTES });
        if (buffer.length > MAX_FILE_BYTES) throw fileTooLarge(path, buffer.length, MAX_FILE_BYTES);
        // binary files exist (a doc may link an image) but have no text a rule reads
        if (buffer.subarray(0, 8000).includes(0)) {
          texts.set(path, "");
          note("info", "homeops/file-not-checked", `${path}: not checked (binary)`);
          return;
        }
        texts.set(path, buffer.toString("utf8"));
      } catch (error) {
        // listed but gone (deleted in the work tree, a directory git lists as a submodule): nothing to check
        if (!isUserError(error) || error.code === "FILE_NOT_FOUND") return;
        if (error.code === "FILE_UNREADABLE" && /is a directory/.test(error.message)) return;
        if (error.code === "FILE_TOO_LARGE") {
          // it exists (links to it resolve) but its text is not checked
          texts.set(path, "");
          note("info", "homeops/file-not-checked", `${error.message}: not checked`, error.hint);
        } else note("error", "homeops/file-unreadable", error.message, error.hint);
      }
    }),
  );
  return texts;
}
