import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Tracked and untracked-but-not-ignored files (repo-relative), or undefined outside a Git work tree. */
export async function gitFiles(root: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await execFileAsync(
      "git",
      ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout.split("\0").filter((p) => p !== "");
  } catch {
    return undefined;
  }
}
