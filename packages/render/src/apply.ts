import { lstatSync, readFileSync, rmSync, statSync } from "node:fs";
import { readdir, readFile, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createSymlinkGuard, fsUserError, UserError, writeFileAtomicSync } from "@homeops/core";
import { formatOwnershipManifest, hashContent, type OwnedFile, type OwnershipManifest } from "./manifest.js";
import type { PlanEntry, RenderPlan } from "./plan.js";
import type { SopsEncryptor } from "./sops.js";

/** The file operations apply performs; replaceable so tests can inject faults. */
export interface ApplyFs {
  writeFileAtomic(path: string, data: Uint8Array, options: { mode: number }): Promise<void>;
  remove(path: string): Promise<void>;
}

/**
 * The real file system, synchronous underneath: apply writes thousands of files one after another, and a
 * promise plus a thread-pool round trip per system call cost more CPU than the writes themselves. Each
 * directory is created (or found) once per apply, not once per file.
 */
function createRealFs(): ApplyFs {
  const dirs = new Set<string>();
  return {
    writeFileAtomic: async (path, data, options) => {
      const dir = dirname(path);
      writeFileAtomicSync(path, data, { ...options, createParent: !dirs.has(dir) });
      dirs.add(dir);
    },
    remove: async (path) => rmSync(path, { force: true }),
  };
}

export interface ApplyRenderOptions {
  /** Overwrite (or delete) conflicting files after saving the user's version as `<file>.homeops-backup`. Default false. */
  force?: boolean;
  /** Encrypts `*.sops.*` content before it is written. Required when the plan writes one. */
  encrypt?: SopsEncryptor;
  /** File operations (tests inject faults here). Default: the real file system. */
  fs?: ApplyFs;
  /**
   * Aborting it (the CLI does on SIGINT/SIGTERM) stops before the next write and undoes every finished
   * one, so the tree and the ownership manifest stay as they were; the run then fails with `INTERRUPTED`.
   */
  signal?: AbortSignal;
}

export interface ApplyResult {
  /** Paths created or updated. */
  written: string[];
  deleted: string[];
  /** Backups saved before `--force` replaced a user's file. */
  backups: string[];
  /** Conflicts left untouched (empty with `force`). */
  conflicts: PlanEntry[];
  /** Stale temp files removed. */
  cleaned: string[];
  /** The manifest now on disk. */
  manifest: OwnershipManifest;
  manifestChanged: boolean;
}

/** Suffix of the copy `--force` keeps of a user's version. */
export const BACKUP_SUFFIX = ".homeops-backup";

type Step =
  | { kind: "write"; path: string; data: Buffer; mode: number }
  | { kind: "backup"; path: string; data: Buffer }
  | { kind: "remove"; path: string };

interface Undo {
  path: string;
  before: Buffer | null;
  mode: number;
  createdDirs: string[];
}

/**
 * Applies a plan: prepares every byte in memory (encryption included), then writes with temp file +
 * rename. If any step fails, every finished step is undone and the tree is as it was.
 */
export async function applyRenderPlan(
  plan: RenderPlan,
  options: ApplyRenderOptions = {},
): Promise<ApplyResult> {
  const fs = options.fs ?? createRealFs();
  const force = options.force ?? false;
  const steps: Step[] = [];
  const files: Record<string, OwnedFile> = { ...plan.manifest.files };
  const written: string[] = [];
  const deleted: string[] = [];
  const backups: string[] = [];
  const conflicts: PlanEntry[] = [];

  // 1. everything in memory first
  for (const entry of plan.entries) {
    if (entry.action === "conflict" && !force) {
      conflicts.push(entry);
      continue;
    }
    if (entry.action === "conflict" && entry.current !== null) {
      const backup = await freeBackupPath(plan.rootDir, entry.path);
      steps.push({ kind: "backup", path: backup, data: entry.current });
      backups.push(backup);
    }
    if (entry.rendered === undefined) {
      if (entry.action === "delete" || entry.action === "conflict") {
        steps.push({ kind: "remove", path: entry.path });
        deleted.push(entry.path);
      }
      delete files[entry.path];
      continue;
    }
    const plain = entry.rendered.content;
    if (entry.action === "unchanged") {
      files[entry.path] = entry.sops && entry.owned ? entry.owned : { sha256: hashContent(plain) };
      continue;
    }
    let data = plain;
    if (entry.sops) {
      if (!options.encrypt) {
        throw new UserError(
          "TOOL_MISSING",
          `${entry.path} must be encrypted with sops, and no encryptor is available`,
          {
            hint: "install sops (and keep secrets.ageRecipients set); nothing was written",
          },
        );
      }
      data = await options.encrypt(entry.path, plain);
    }
    steps.push({ kind: "write", path: entry.path, data, mode: entry.rendered.mode });
    written.push(entry.path);
    files[entry.path] = entry.sops
      ? { sha256: hashContent(data), rendered: hashContent(plain) }
      : { sha256: hashContent(data) };
  }
  // an owned path the plan no longer knows (not rendered, not on disk: e.g. a run killed after deleting it) is forgotten
  const known = new Set(plan.entries.map((e) => e.path));
  for (const path of Object.keys(files)) if (!known.has(path)) delete files[path];
  const manifest: OwnershipManifest = { version: 1, files };
  const manifestText = formatOwnershipManifest(manifest);
  const manifestBefore = await readOrNull(join(plan.rootDir, plan.manifestPath));
  const manifestChanged = manifestBefore === null || manifestBefore.toString("utf8") !== manifestText;
  if (manifestChanged)
    steps.push({ kind: "write", path: plan.manifestPath, data: Buffer.from(manifestText), mode: 0o644 });
  for (const temp of plan.staleTemps) steps.push({ kind: "remove", path: temp });

  // never through a symlink, even one that appeared since the plan was made
  const guard = createSymlinkGuard(plan.rootDir);
  for (const step of steps) guard.assertNoSymlink(step.path);

  // 2. write, keeping what each step replaced so a failure (or an interruption) can be undone
  const undo: Undo[] = [];
  // directories known to exist (found, or created by an earlier step): each is looked for once
  const dirs = new Set<string>([plan.rootDir]);
  let current = "";
  try {
    for (const step of steps) {
      // the file operations are synchronous: give a signal (SIGINT/SIGTERM) its turn before each step
      if (options.signal) await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) {
        throw new UserError("INTERRUPTED", "interrupted: every file written so far was restored", {
          hint: "nothing changed; run again to apply the plan",
        });
      }
      current = step.path;
      const absolute = join(plan.rootDir, step.path);
      const found = statSync(absolute, { throwIfNoEntry: false });
      const before = found === undefined ? null : readFileSync(absolute);
      const mode = found === undefined ? 0o644 : found.mode & 0o777;
      const createdDirs = missingDirs(plan.rootDir, dirname(absolute), dirs);
      undo.push({ path: absolute, before, mode, createdDirs });
      if (step.kind === "remove") await fs.remove(absolute);
      else await fs.writeFileAtomic(absolute, step.data, { mode: step.kind === "write" ? step.mode : mode });
      for (const dir of createdDirs) dirs.add(dir);
    }
  } catch (error) {
    // a fresh writer: the rollback removes directories the forward pass created
    await rollback(undo, options.fs ?? createRealFs());
    throw fsUserError(error, current, "write");
  }
  for (const path of deleted) await pruneEmptyDirs(plan.rootDir, dirname(join(plan.rootDir, path)));
  return { written, deleted, backups, conflicts, cleaned: [...plan.staleTemps], manifest, manifestChanged };
}

async function rollback(undo: Undo[], fs: ApplyFs): Promise<void> {
  for (const step of [...undo].reverse()) {
    try {
      if (step.before === null) await fs.remove(step.path);
      else await fs.writeFileAtomic(step.path, step.before, { mode: step.mode });
      for (const dir of [...step.createdDirs].reverse()) await rmdir(dir).catch(() => {});
    } catch {
      // best effort: keep undoing the rest
    }
  }
}

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** The directories from `dir` up that do not exist yet (outermost first); `known` exist already. */
function missingDirs(root: string, dir: string, known: Set<string>): string[] {
  const out: string[] = [];
  let current = dir;
  while (current.startsWith(root) && current !== root && !known.has(current)) {
    let found: boolean;
    try {
      found = lstatSync(current, { throwIfNoEntry: false }) !== undefined;
    } catch {
      found = false;
    }
    if (found) {
      known.add(current);
      break;
    }
    out.unshift(current);
    current = dirname(current);
  }
  return out;
}

async function pruneEmptyDirs(root: string, dir: string): Promise<void> {
  let current = dir;
  while (current.startsWith(`${root}/`)) {
    try {
      if ((await readdir(current)).length > 0) return;
      await rmdir(current);
    } catch {
      return;
    }
    current = dirname(current);
  }
}

async function freeBackupPath(root: string, path: string): Promise<string> {
  for (let i = 0; ; i++) {
    const candidate = `${path}${BACKUP_SUFFIX}${i === 0 ? "" : `.${i}`}`;
    if ((await readOrNull(join(root, candidate))) === null) return candidate;
  }
}
