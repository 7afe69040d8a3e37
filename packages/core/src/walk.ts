import { type Dirent, readdirSync } from "node:fs";
import { join } from "node:path";

/** One entry of a directory walk. */
export interface WalkEntry {
  /** posix path relative to the walk's root (`a/b.yaml`) */
  path: string;
  name: string;
  kind: "file" | "directory" | "symlink" | "other";
}

export interface WalkOptions {
  /** Whether to enter a directory (its path and name); default: every one but `.git` and `node_modules`. */
  enter?: (path: string, name: string) => boolean;
  /** An unreadable directory is skipped (default) or its error thrown (`"throw"`). */
  unreadable?: "skip" | "throw";
  /** Receives each directory's entries as read (posix path relative to the root), for a caller that lists them again. */
  onListing?: (path: string, entries: readonly Dirent[]) => void;
}

const DEFAULT_ENTER = (_: string, name: string) => name !== ".git" && name !== "node_modules";

/**
 * Every entry under `dir` of `root`, depth first, each directory's entries sorted by name, a directory
 * listed before its contents. Links are reported as links, never followed. The one directory walk: the
 * repository file list, Flux root discovery, template discovery and `.sourceignore` collection all use it,
 * each with its own `enter` rule and filter. Synchronous: a CLI walks once, and one `readdirSync` per
 * directory beats a promise per entry.
 */
export function walkTree(root: string, dir = ".", options: WalkOptions = {}): WalkEntry[] {
  const enter = options.enter ?? DEFAULT_ENTER;
  const out: WalkEntry[] = [];
  const visit = (rel: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(rel === "." ? root : join(root, rel), { withFileTypes: true });
    } catch (error) {
      if (options.unreadable === "throw") throw error;
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    options.onListing?.(rel, entries);
    for (const e of entries) {
      const path = rel === "." ? e.name : `${rel}/${e.name}`;
      const kind = e.isFile()
        ? "file"
        : e.isDirectory()
          ? "directory"
          : e.isSymbolicLink()
            ? "symlink"
            : "other";
      out.push({ path, name: e.name, kind });
      if (kind === "directory" && enter(path, e.name)) visit(path);
    }
  };
  visit(dir);
  return out;
}

/** The files (and, with `symlinks`, the links) under `dir`: `walkTree` filtered, paths sorted. */
export function listFiles(
  root: string,
  dir = ".",
  options: WalkOptions & { symlinks?: boolean } = {},
): string[] {
  return walkTree(root, dir, options)
    .filter((e) => e.kind === "file" || (options.symlinks === true && e.kind === "symlink"))
    .map((e) => e.path)
    .sort();
}
