import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";

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
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

export interface WriteFileAtomicOptions {
  /** File mode of the new file. Default 0o644. */
  mode?: number;
}

/**
 * Writes `data` to a temp file beside `path`, fsyncs it, then renames it over `path`: a reader (or a
 * crash) sees either the old file or the new one, never half of either.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.homeops-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
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
