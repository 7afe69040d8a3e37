import { lstatSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { readdir, readFile, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createSymlinkGuard, fsUserError, stageFileSync, syncFiles, UserError } from "@homeops/core";
import { formatOwnershipManifest, hashContent, type OwnedFile, type OwnershipManifest } from "./manifest.js";
import type { PlanEntry, RenderPlan } from "./plan.js";
import type { SopsEncryptor } from "./sops.js";

/**
 * The file operations apply performs, in its three passes (stage every file, one durability barrier, rename);
 * replaceable so tests can inject faults. `createApplyFs()` is the real file system.
 */
export interface ApplyFs {
  /** Writes `data` to a new temp file beside `path` (missing parents created); returns the temp's path. */
  stage(path: string, data: Uint8Array, mode: number): Promise<string>;
  /** Makes the staged temps durable, all at once, before any of them is renamed. */
  sync(temps: string[]): Promise<void>;
  /** Renames a staged temp over its path. */
  commit(temp: string, path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

/**
 * The real file system, synchronous underneath: apply writes thousands of files one after another, and a
 * promise plus a thread-pool round trip per system call cost more CPU than the writes themselves. Each
 * directory is created (or found) once per apply, not once per file; the batch is made durable with one
 * barrier (`syncFiles`), not an fsync per file.
 */
export function createApplyFs(): ApplyFs {
  const dirs = new Set<string>();
  return {
    stage: async (path, data, mode) => {
      const dir = dirname(path);
      const temp = stageFileSync(path, data, { mode, createParent: !dirs.has(dir) });
      dirs.add(dir);
      return temp;
    },
    sync: (temps) => syncFiles(temps),
    commit: async (temp, path) => renameSync(temp, path),
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
  /** The step's temp file while it is staged and not yet renamed. */
  temp?: string;
  /** The step changed the tree (renamed or removed): undoing puts `before` back. */
  done: boolean;
}

/**
 * Applies a plan: prepares every byte in memory (encryption included), writes every new file to a temp
 * beside its target, makes them durable at once, then renames (and removes) in plan order. If any step
 * fails, or the signal aborts, the temps are removed and every finished step is undone: the tree is as it was.
 */
export async function applyRenderPlan(
  plan: RenderPlan,
  options: ApplyRenderOptions = {},
): Promise<ApplyResult> {
  const fs = options.fs ?? createApplyFs();
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

  // 2. stage: every new byte in a temp file beside its target, keeping what each step will replace so a
  // failure (or an interruption) can be undone; the tree itself does not change yet
  const undo: Undo[] = [];
  // directories known to exist (found, or created by an earlier step): each is looked for once
  const dirs = new Set<string>([plan.rootDir]);
  let current = "";
  try {
    for (const step of steps) {
      await giveSignalATurn(options.signal);
      current = step.path;
      const absolute = join(plan.rootDir, step.path);
      const found = statSync(absolute, { throwIfNoEntry: false });
      const before = found === undefined ? null : readFileSync(absolute);
      const mode = found === undefined ? 0o644 : found.mode & 0o777;
      const record: Undo = {
        path: absolute,
        before,
        mode,
        createdDirs: missingDirs(plan.rootDir, dirname(absolute), dirs),
        done: false,
      };
      undo.push(record);
      if (step.kind !== "remove")
        record.temp = await fs.stage(absolute, step.data, step.kind === "write" ? step.mode : mode);
      for (const dir of record.createdDirs) dirs.add(dir);
    }
    // 3. one durability barrier for the batch (a failure there names no single file: the root), then the
    // tree changes: renames and removals only
    current = ".";
    await fs.sync(undo.flatMap((u) => (u.temp === undefined ? [] : [u.temp])));
    for (const [i, step] of steps.entries()) {
      await giveSignalATurn(options.signal);
      current = step.path;
      const record = undo[i] as Undo;
      record.done = true;
      if (record.temp === undefined) await fs.remove(record.path);
      else {
        await fs.commit(record.temp, record.path);
        delete record.temp;
      }
    }
  } catch (error) {
    // a fresh writer: the rollback removes directories the forward pass created
    await rollback(undo, options.fs ?? createApplyFs());
    throw fsUserError(error, current, "write");
  }
  for (const path of deleted) await pruneEmptyDirs(plan.rootDir, dirname(join(plan.rootDir, path)));
  return { written, deleted, backups, conflicts, cleaned: [...plan.staleTemps], manifest, manifestChanged };
}

/** Raises `INTERRUPTED` once the signal is aborted; the file operations are synchronous, so it gets a turn first. */
async function giveSignalATurn(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) {
    throw new UserError("INTERRUPTED", "interrupted: every file written so far was restored", {
      hint: "nothing changed; run again to apply the plan",
    });
  }
}

async function rollback(undo: Undo[], fs: ApplyFs): Promise<void> {
  for (const step of [...undo].reverse()) {
    try {
      if (step.temp !== undefined) await fs.remove(step.temp);
      if (step.done) {
        if (step.before === null) await fs.remove(step.path);
        else {
          const temp = await fs.stage(step.path, step.before, step.mode);
          await fs.sync([temp]);
          await fs.commit(temp, step.path);
        }
      }
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
