import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  type Stats,
} from "node:fs";
import { lstat, readlink, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { HomeopsError, UserError } from "./errors.js";
import { isPathInside, toPosixPath } from "./paths.js";

/** Default largest file homeops reads (8 MiB): real manifests stay far below (the largest seen is ~0.5 MB). */
export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;

const realRoots = new Map<string, Promise<string>>();

/** The root with its own symlinks resolved (a repository under a symlinked /tmp is still one repository). */
function realRoot(root: string): Promise<string> {
  const abs = resolve(root);
  let p = realRoots.get(abs);
  if (!p) {
    p = realpath(abs).catch(() => abs);
    realRoots.set(abs, p);
  }
  return p;
}

function display(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel === "" ? "." : isAbsolute(rel) || rel.startsWith("..") ? abs : toPosixPath(rel);
}

/** The first symlink on the way from `root` to `abs` (both absolute), with where it points. */
async function firstLink(root: string, abs: string): Promise<{ link: string; target: string } | undefined> {
  const rel = relative(root, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  let current = root;
  for (const part of rel.split(sep)) {
    current = join(current, part);
    try {
      if ((await lstat(current)).isSymbolicLink()) return { link: current, target: await readlink(current) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Resolves `path` (absolute, or relative to `root`) to its real path, every symlink followed, and
 * refuses one whose real path lies outside the real `root` (`OUTSIDE_REPO`, naming the link) or that
 * goes round a symlink cycle (`SYMLINK_CYCLE`). A path that does not exist resolves through its
 * deepest existing ancestor, so a write target is checked before it is created.
 */
export async function resolveInsideRoot(root: string, path: string): Promise<string> {
  const rootAbs = resolve(root);
  const abs = resolve(rootAbs, path);
  if (!isPathInside(rootAbs, abs)) {
    throw new UserError("OUTSIDE_REPO", `${toPosixPath(path)}: outside the repository (${rootAbs})`, {
      location: { file: toPosixPath(path) },
      hint: "homeops reads and writes only inside the repository: use a path below its root",
    });
  }
  const rootReal = await realRoot(rootAbs);
  let real: string;
  let missing = "";
  let probe = abs;
  for (;;) {
    try {
      // synchronous: a build resolves a thousand files, and libuv's thread pool round trip per file
      // costs more than the system call
      real = realpathSync.native(probe);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ELOOP") {
        const link = await firstLink(rootAbs, probe);
        throw new UserError(
          "SYMLINK_CYCLE",
          `${display(rootAbs, abs)}: symlink cycle${link ? ` through ${display(rootAbs, link.link)} -> ${link.target}` : ""}`,
          {
            cause: error,
            location: { file: display(rootAbs, abs) },
            hint: "a symlink points (directly or through others) back at itself: replace it with a real file or directory",
          },
        );
      }
      if (code !== "ENOENT" && code !== "ENOTDIR") throw fsUserError(error, display(rootAbs, abs), "read");
      const parent = dirname(probe);
      if (parent === probe) {
        real = probe;
        break;
      }
      missing =
        missing === "" ? probe.slice(parent.length + 1) : join(probe.slice(parent.length + 1), missing);
      probe = parent;
    }
  }
  const resolved = missing === "" ? real : join(real, missing);
  if (!isPathInside(rootReal, resolved)) {
    const link = await firstLink(rootAbs, abs);
    const shown = display(rootAbs, abs);
    throw new UserError(
      "OUTSIDE_REPO",
      link
        ? `${shown}: the symlink ${display(rootAbs, link.link)} -> ${link.target} leads outside the repository (${resolved})`
        : `${shown}: resolves to ${resolved}, outside the repository`,
      {
        location: { file: shown },
        hint: "homeops reads and writes only inside the repository: replace the symlink with the files themselves",
      },
    );
  }
  return resolved;
}

/**
 * Refuses to write `path` (absolute, or relative to `root`) when the file or any directory on the way
 * to it is a symlink (`SYMLINK_REFUSED`): a write through a link would change a file that is not the
 * one the repository shows at that path, maybe outside the repository.
 */
export async function assertNoSymlinkOnPath(root: string, path: string): Promise<void> {
  const rootAbs = resolve(root);
  const abs = resolve(rootAbs, path);
  if (!isPathInside(rootAbs, abs)) throw writeOutsideRoot(rootAbs, path);
  const link = await firstLink(rootAbs, abs);
  if (link) throw symlinkRefused(rootAbs, abs, link.link, link.target);
}

function writeOutsideRoot(rootAbs: string, path: string): UserError {
  return new UserError("OUTSIDE_REPO", `${path}: outside the repository (${rootAbs})`, {
    location: { file: toPosixPath(path) },
    hint: "homeops writes only inside the repository",
  });
}

/** Why `abs` is not written: `link` on the way to it (or `abs` itself) is a symlink to `target`. */
function symlinkRefused(rootAbs: string, abs: string, link: string, target: string): UserError {
  const shown = display(rootAbs, abs);
  return new UserError(
    "SYMLINK_REFUSED",
    `${shown}: not written, ${display(rootAbs, link)} is a symlink (-> ${target})`,
    {
      location: { file: shown },
      hint: `homeops never writes through a symlink: replace ${display(rootAbs, link)} with a real ${link === abs ? "file" : "directory"}, then run again`,
    },
  );
}

/** `assertNoSymlinkOnPath` for the many paths of one run, each directory on the way looked at once. */
export interface SymlinkGuard {
  /**
   * Throws what `assertNoSymlinkOnPath(root, path)` throws; else returns the `lstat` of `path` itself,
   * `null` when it does not exist (it, or a directory on the way, is absent or not a directory), or
   * `undefined` when it could not be looked at (e.g. a directory without search permission).
   */
  assertNoSymlink(path: string): Stats | null | undefined;
}

/** What a guard found at a path: the file, the first symlink on the way, nothing, or no answer. */
type Looked =
  | { kind: "present"; stats: Stats }
  | { kind: "link"; at: string; target: string }
  | { kind: "absent" }
  | { kind: "unknown" };

/**
 * A `SymlinkGuard` for `root`: synchronous, and remembering what it saw (a render checks thousands of
 * files below the same few directories, each looked at once). It sees the tree as it was when it first
 * looked: make a new one for each pass that must see changes made since.
 */
export function createSymlinkGuard(root: string): SymlinkGuard {
  const rootAbs = resolve(root);
  const seen = new Map<string, Looked>();
  const lookAt = (abs: string): Looked => {
    try {
      const stats = lstatSync(abs);
      return stats.isSymbolicLink()
        ? { kind: "link", at: abs, target: readlinkSync(abs) }
        : { kind: "present", stats };
    } catch (error) {
      // as firstLink: what cannot be looked at is no link (and stops the walk)
      const code = (error as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? { kind: "absent" } : { kind: "unknown" };
    }
  };
  // below the root, top down as firstLink walks (the root itself may be a link: a repository under a symlinked /tmp)
  const look = (abs: string): Looked => {
    const known = seen.get(abs);
    if (known) return known;
    const parent = dirname(abs);
    const above = parent === rootAbs ? undefined : look(parent);
    const got = above && above.kind !== "present" ? above : lookAt(abs);
    seen.set(abs, got);
    return got;
  };
  const below = rootAbs.endsWith(sep) ? rootAbs : `${rootAbs}${sep}`;
  return {
    assertNoSymlink(path) {
      const abs = resolve(rootAbs, path);
      // `resolve` normalizes: a path below the root starts with it (isPathInside decides the rest)
      if (!abs.startsWith(below) && !isPathInside(rootAbs, abs)) throw writeOutsideRoot(rootAbs, path);
      if (abs === rootAbs) return undefined;
      const got = look(abs);
      if (got.kind === "link") throw symlinkRefused(rootAbs, abs, got.at, got.target);
      return got.kind === "present" ? got.stats : got.kind === "absent" ? null : undefined;
    },
  };
}

export interface ReadRepoFileOptions {
  /** Largest file read, in bytes; a larger one is a `FILE_TOO_LARGE` error. Default `DEFAULT_MAX_FILE_BYTES`. */
  maxBytes?: number;
}

/**
 * Reads a file of the repository: inside `root` after every symlink (`resolveInsideRoot`), no larger
 * than `maxBytes`, every operating-system failure a `UserError` naming the file (`fsUserError`).
 */
export async function readRepoFile(
  root: string,
  path: string,
  options: ReadRepoFileOptions = {},
): Promise<Buffer> {
  // the name errors show (computed only for an error: this runs for every file a run reads)
  const shown = () => display(resolve(root), resolve(root, path));
  const real = await resolveInsideRoot(root, path);
  const max = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  // synchronous for the same reason as `resolveInsideRoot` (a FileHandle costs four thread-pool trips)
  let fd: number | undefined;
  try {
    fd = openSync(real, "r");
    const info = fstatSync(fd);
    if (info.isDirectory()) {
      throw new UserError("FILE_UNREADABLE", `${shown()}: is a directory, not a file`, {
        location: { file: shown() },
        hint: "point at a file (a directory cannot be read as one)",
      });
    }
    if (info.size > max) throw fileTooLarge(shown(), info.size, max);
    const data = readFileSync(fd);
    // a file that grew between stat and read (or a special file without a size)
    if (data.length > max) throw fileTooLarge(shown(), data.length, max);
    return data;
  } catch (error) {
    if (error instanceof HomeopsError) throw error;
    throw fsUserError(error, shown(), "read");
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function fileTooLarge(file: string, size: number, max: number): UserError {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return new UserError("FILE_TOO_LARGE", `${file}: ${mib(size)} is larger than the ${mib(max)} limit`, {
    location: { file },
    hint: "a manifest this large is almost certainly not one: remove it from the repository, or raise the limit (--max-file-size)",
  });
}

const FS_MESSAGES: Record<
  string,
  { code: "FILE_UNREADABLE" | "FILE_UNWRITABLE" | null; text: string; hint: string }
> = {
  EACCES: {
    code: null,
    text: "permission denied",
    hint: "check the owner and mode of the file and its directories",
  },
  EPERM: {
    code: null,
    text: "operation not permitted",
    hint: "check the owner, mode and attributes of the file",
  },
  EISDIR: {
    code: null,
    text: "is a directory",
    hint: "a directory stands where a file is expected: move it away",
  },
  ENOTDIR: {
    code: null,
    text: "a parent is not a directory",
    hint: "a file stands where a directory is expected",
  },
  ENOSPC: {
    code: "FILE_UNWRITABLE",
    text: "no space left on device",
    hint: "free some space on that file system, then run again (nothing was half-written)",
  },
  EDQUOT: { code: "FILE_UNWRITABLE", text: "disk quota exceeded", hint: "free some space within your quota" },
  EFBIG: {
    code: "FILE_UNWRITABLE",
    text: "file too large for this file system or the file-size limit (ulimit -f)",
    hint: "raise the file-size limit (`ulimit -f unlimited`) or write to another file system",
  },
  EROFS: { code: "FILE_UNWRITABLE", text: "read-only file system", hint: "run in a writable checkout" },
  ELOOP: {
    code: "FILE_UNREADABLE",
    text: "symlink cycle (too many levels of symbolic links)",
    hint: "a symlink points back at itself: replace it with a real file or directory",
  },
  EMFILE: { code: null, text: "too many open files", hint: "raise the open-file limit (`ulimit -n`)" },
  ENFILE: {
    code: null,
    text: "too many open files in the system",
    hint: "close other programs, or raise fs.file-max",
  },
  EIO: {
    code: null,
    text: "input/output error",
    hint: "the disk or file system reported an error: check it",
  },
  ENAMETOOLONG: { code: null, text: "file name too long", hint: "shorten the path" },
  ETXTBSY: { code: null, text: "file busy", hint: "stop the program that holds it, then run again" },
  EBUSY: { code: null, text: "resource busy", hint: "stop the program that holds it, then run again" },
};

/** The operating-system error codes that are the environment's, not a bug's (`fsUserError` maps them). */
export function isEnvironmentError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && (code === "ENOENT" || code in FS_MESSAGES);
}

/**
 * An operating-system error of reading or writing `file` as the `UserError` it is (the disk is full, a
 * permission is missing, …), with the file and a hint; anything else is returned unchanged.
 */
export function fsUserError(error: unknown, file: string, action: "read" | "write"): unknown {
  if (error instanceof HomeopsError || !isEnvironmentError(error)) return error;
  const code = error.code!;
  if (code === "ENOENT") {
    return new UserError("FILE_NOT_FOUND", `${file}: no such file`, { cause: error, location: { file } });
  }
  const known = FS_MESSAGES[code]!;
  return new UserError(
    known.code ?? (action === "read" ? "FILE_UNREADABLE" : "FILE_UNWRITABLE"),
    `${file}: cannot ${action}: ${known.text} (${code})`,
    { cause: error, location: { file }, hint: known.hint },
  );
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly: invalid bytes are an `ENCODING` error naming the file and line, never U+FFFD. */
export function decodeUtf8(data: Uint8Array, file: string): string {
  try {
    return strictUtf8.decode(data);
  } catch (cause) {
    // find the first bad byte for the line number (the slow path only runs on broken input)
    let line = 1;
    let i = 0;
    for (; i < data.length; ) {
      const n = utf8SequenceLength(data, i);
      if (n === 0) break;
      if (data[i] === 0x0a) line++;
      i += n;
    }
    throw new UserError(
      "ENCODING",
      `${file}:${line}: not valid UTF-8 (byte 0x${(data[i] ?? 0).toString(16)} at offset ${i})`,
      {
        cause,
        location: { file, line },
        hint: "save the file as UTF-8 (a binary file does not belong where manifests are read)",
      },
    );
  }
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when it is invalid. */
function utf8SequenceLength(d: Uint8Array, i: number): number {
  const b = d[i]!;
  if (b < 0x80) return 1;
  const cont = (k: number) => (d[i + k] ?? 0) >> 6 === 0b10;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const c1 = d[i + 1] ?? 0;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 > 0x9f)) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const c1 = d[i + 1] ?? 0;
    if ((b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 > 0x8f)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
