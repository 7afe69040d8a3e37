import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Converts an OS path to forward slashes (paths in messages, manifests and Git are posix). */
export function toPosixPath(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** `path` relative to `root`, in posix form. */
export function relativePath(root: string, path: string): string {
  return toPosixPath(relative(root, path)) || ".";
}

/** true when `child` is `parent` or lies below it. */
export function isPathInside(parent: string, child: string): boolean {
  if (process.platform === "win32") {
    const rel = relative(parent, child);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  }
  // the same answer without `relative`'s splitting (called for every file a run reads)
  const p = resolve(parent);
  const c = resolve(child);
  return c === p || c.startsWith(p.endsWith(sep) ? p : `${p}${sep}`);
}

export interface WriteFileAtomicOptions {
  /** File mode of the new file. Default 0o644. */
  mode?: number;
  /** Create the parent directory (and its parents) first. Default true; false when the caller knows it exists. */
  createParent?: boolean;
}

/**
 * Writes `data` to a temp file beside `path`, fsyncs it, then renames it over `path`: a reader (or a
 * crash) sees either the old file or the new one, never half of either.
 */
// temp names: the pid, then 8 hex digits — one random start per process, counted up (open "wx" still
// refuses to reuse a name that exists)
let tempCounter = randomBytes(4).readUInt32BE(0);

function tempPath(path: string): string {
  tempCounter = (tempCounter + 1) >>> 0;
  const suffix = tempCounter.toString(16).padStart(8, "0");
  return join(dirname(path), `.${basename(path)}.homeops-${process.pid}-${suffix}.tmp`);
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  if (options.createParent !== false) await mkdir(dirname(path), { recursive: true });
  const temp = tempPath(path);
  const handle = await open(temp, "wx", options.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    if (options.mode !== undefined) await chmod(temp, options.mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * `writeFileAtomic` in one synchronous call (the same steps: temp file beside `path`, written, fsynced,
 * renamed over `path`). For a run that writes thousands of files one after another: a promise and a
 * thread-pool round trip per step cost more CPU than the writes.
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): void {
  if (options.createParent !== false) mkdirSync(dirname(path), { recursive: true });
  const temp = tempPath(path);
  const fd = openSync(temp, "wx", options.mode ?? 0o644);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
    // open's mode is masked by the umask; the file gets the one asked for, as writeFileAtomic's chmod does
    if (options.mode !== undefined) fchmodSync(fd, options.mode);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
