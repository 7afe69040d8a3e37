import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isPathInside, UserError } from "@homeops/core";

import { git } from "./git.js";

function gitMessage(error: unknown): string {
  const e = error as { stderr?: string; code?: string; message?: string };
  if (e.code === "ENOENT") return "git is not installed";
  return (e.stderr ?? e.message ?? String(error)).trim().split("\n")[0] ?? "";
}

/** A base revision resolved to its commit. */
export interface ResolvedBase {
  /** what was asked for (or the upstream branch's merge base, e.g. `merge-base(HEAD, origin/main)`) */
  rev: string;
  commit: string;
}

/**
 * `rev` resolved to a commit; without `rev`, the merge base of HEAD and its upstream branch. Outside a
 * Git work tree, an unknown revision, or no upstream: a `UserError` that says what to pass.
 */
export async function resolveBase(root: string, rev: string | undefined): Promise<ResolvedBase> {
  try {
    await git(root, ["rev-parse", "--is-inside-work-tree"]);
  } catch (error) {
    throw new UserError("USAGE", `${root}: not a git work tree (${gitMessage(error)})`, {
      hint: "homeops diff compares the work tree with a git revision: run it inside a clone",
    });
  }
  if (rev === undefined) {
    let upstream: string;
    try {
      upstream = (
        await git(root, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"])
      ).trim();
    } catch (error) {
      throw new UserError("USAGE", `the current branch has no upstream branch (${gitMessage(error)})`, {
        hint: "name the base: `homeops diff --base origin/main` (or set one: git branch --set-upstream-to origin/main)",
      });
    }
    const commit = (await git(root, ["merge-base", "HEAD", upstream]).catch(() => "")).trim();
    if (commit === "") {
      throw new UserError("USAGE", `HEAD and ${upstream} have no merge base`, {
        hint: "fetch the whole history (actions/checkout: fetch-depth: 0) or name the base with --base",
      });
    }
    return { rev: `merge-base(HEAD, ${upstream})`, commit };
  }
  try {
    const commit = (await git(root, ["rev-parse", "--verify", "--end-of-options", `${rev}^{commit}`])).trim();
    return { rev, commit };
  } catch (error) {
    throw new UserError("USAGE", `--base ${rev}: not a commit of this repository (${gitMessage(error)})`, {
      hint: "fetch it first (git fetch origin <branch>; actions/checkout needs fetch-depth: 0), or name another revision",
    });
  }
}

interface TreeEntry {
  mode: string;
  oid: string;
  path: string;
}

/**
 * Writes the tree of `commit` below the repository root's own directory (the same subdirectory of the
 * Git work tree that `root` is) into a fresh temporary directory, from Git's objects: the work tree, the
 * index and HEAD are never touched. Returns the directory and a function that removes it.
 */
export async function checkoutToTemp(
  root: string,
  commit: string,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const prefix = (await git(root, ["rev-parse", "--show-prefix"])).trim();
  const treeish = prefix === "" ? commit : `${commit}:${prefix.replace(/\/$/, "")}`;
  const listing = await git(root, ["ls-tree", "-r", "-z", treeish]).catch((error) => {
    throw new UserError(
      "USAGE",
      `${prefix || "."}: not in the tree of ${commit.slice(0, 12)} (${gitMessage(error)})`,
      {
        hint: "the base revision must contain the repository directory",
      },
    );
  });
  const entries: TreeEntry[] = [];
  for (const record of listing.split("\0")) {
    if (record === "") continue;
    const tab = record.indexOf("\t");
    const [mode, type, oid] = record.slice(0, tab).split(" ");
    // submodules (commits) are not part of this repository's files
    if (type !== "blob" || !mode || !oid) continue;
    entries.push({ mode, oid, path: record.slice(tab + 1) });
  }
  const dir = await mkdtemp(join(tmpdir(), "homeops-diff-base-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const blobs = await readBlobs(
      root,
      entries.map((e) => e.oid),
    );
    for (const entry of entries) {
      const target = join(dir, entry.path);
      if (!isPathInside(dir, target)) continue;
      await mkdir(dirname(target), { recursive: true });
      const data = blobs.get(entry.oid) ?? Buffer.alloc(0);
      if (entry.mode === "120000") await symlink(data.toString("utf8"), target);
      else {
        await writeFile(target, data);
        if (entry.mode === "100755") await chmod(target, 0o755);
      }
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

/** The contents of `oids`, read in one `git cat-file --batch`. */
function readBlobs(root: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(oids)];
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", ["-C", root, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new UserError("TOOL_FAILED", `git cat-file failed: ${stderr.trim()}`));
        return;
      }
      const out = Buffer.concat(chunks);
      const blobs = new Map<string, Buffer>();
      let at = 0;
      while (at < out.length) {
        const eol = out.indexOf(0x0a, at);
        if (eol < 0) break;
        const [oid, type, size] = out.subarray(at, eol).toString("utf8").split(" ");
        at = eol + 1;
        if (type === "missing" || !oid || size === undefined) continue;
        const n = Number(size);
        blobs.set(oid, out.subarray(at, at + n));
        at += n + 1; // the content, then a newline
      }
      resolvePromise(blobs);
    });
    child.stdin.end(unique.map((o) => `${o}\n`).join(""));
  });
}
