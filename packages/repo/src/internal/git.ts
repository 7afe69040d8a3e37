import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** `git -C <root> <args…>`'s stdout; rejects with git's error (its `stderr`, `code`) when git fails. */
export async function git(root: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", ["-C", root, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** Tracked and untracked-but-not-ignored files (repo-relative), or undefined outside a Git work tree. */
export async function gitFiles(root: string): Promise<string[] | undefined> {
  try {
    const stdout = await git(root, [
      "ls-files",
      "-z",
      "--cached",
      "--others",
      "--exclude-standard",
      "--deduplicate",
    ]);
    return stdout.split("\0").filter((p) => p !== "");
  } catch {
    return undefined;
  }
}
