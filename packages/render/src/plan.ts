import { readdirSync, readFileSync, type Stats } from "node:fs";
import { join, posix, resolve } from "node:path";
import { createSymlinkGuard, fsUserError, type SymlinkGuard, UserError } from "@homeops/core";
import {
  hashContent,
  OWNERSHIP_MANIFEST_PATH,
  type OwnedFile,
  type OwnershipManifest,
  readOwnershipManifest,
} from "./manifest.js";
import { type RenderedFile, renderTemplates } from "./render-tree.js";
import { isSopsEncrypted, isSopsPath } from "./sops.js";

export type RenderAction = "create" | "update" | "unchanged" | "conflict" | "delete";

/** What one run would do to one path. */
export interface PlanEntry {
  /** Path relative to the repository root (posix). */
  path: string;
  action: RenderAction;
  /** Why: set for conflicts, deletes and unusual creates/updates. */
  reason?: string;
  /** The rendered file (absent when the path is no longer rendered). */
  rendered?: RenderedFile;
  /** The bytes on disk now (null when absent). */
  current: Buffer | null;
  /** `*.sops.*` file: written encrypted, compared by its rendered plaintext. */
  sops: boolean;
  /** What the ownership manifest recorded for the path, if anything. */
  owned?: OwnedFile;
}

/** Everything a render run would do, decided before anything is written. */
export interface RenderPlan {
  /** Absolute repository root. */
  rootDir: string;
  /** One entry per rendered or owned path, sorted by path. */
  entries: PlanEntry[];
  /** The ownership manifest as read. */
  manifest: OwnershipManifest;
  /** Manifest path relative to the root. */
  manifestPath: string;
  /** Leftover temp files of an interrupted run (removed by apply). */
  staleTemps: string[];
  /** false when apply would rewrite the manifest even if every file is unchanged (adopted or vanished files). */
  manifestInSync: boolean;
}

export interface PlanRenderOptions {
  /** Absolute repository root; output paths are relative to it. */
  rootDir: string;
  /** The data templates see as `it`. */
  data: object;
  /** Input roots relative to `rootDir`, in priority order. Default `["bootstrap/overrides", "bootstrap/templates"]`. */
  templateRoots?: readonly string[];
  /** Ownership manifest relative to `rootDir`. Default `.homeops/rendered.json`. */
  manifestPath?: string;
}

export const DEFAULT_TEMPLATE_ROOTS = ["bootstrap/overrides", "bootstrap/templates"] as const;

/** Renders every template in memory and compares the result with the tree and the ownership manifest. */
export async function planRender(options: PlanRenderOptions): Promise<RenderPlan> {
  const rootDir = resolve(options.rootDir);
  const roots = (options.templateRoots ?? DEFAULT_TEMPLATE_ROOTS).map((r) => resolve(rootDir, r));
  const { stat } = await import("node:fs/promises");
  const present = await Promise.all(
    roots.map((r) =>
      stat(r).then(
        (s) => s.isDirectory(),
        () => false,
      ),
    ),
  );
  if (!present.some(Boolean)) {
    // without templates every file homeops wrote would look "no longer rendered": refuse instead of pruning
    throw new UserError(
      "FILE_NOT_FOUND",
      `no template directory found (${roots.map((r) => posix.relative(rootDir, r)).join(", ")})`,
      {
        hint: "run homeops from the repository root (or pass -C <repo>)",
      },
    );
  }
  const files = await renderTemplates({
    roots,
    data: options.data,
    display: (f) => posix.normalize(f.startsWith(`${rootDir}/`) ? f.slice(rootDir.length + 1) : f),
  });
  return planFromRendered({
    rootDir,
    files,
    ...(options.manifestPath ? { manifestPath: options.manifestPath } : {}),
  });
}

export interface PlanFromRenderedOptions {
  rootDir: string;
  files: readonly RenderedFile[];
  manifestPath?: string;
}

/** The plan for an already rendered tree (what `planRender` does after rendering). */
export async function planFromRendered(options: PlanFromRenderedOptions): Promise<RenderPlan> {
  const rootDir = resolve(options.rootDir);
  const manifestPath = options.manifestPath ?? OWNERSHIP_MANIFEST_PATH;
  // synchronous and remembering each directory: a plan looks at thousands of files below a few directories
  const guard = createSymlinkGuard(rootDir);
  guard.assertNoSymlink(manifestPath);
  const manifest = await readOwnershipManifest(join(rootDir, manifestPath), manifestPath);
  const entries: PlanEntry[] = [];
  const produced = new Set<string>();
  for (const file of options.files) {
    if (file.path === manifestPath) {
      throw new UserError(
        "TEMPLATE_ERROR",
        `${file.source}: renders over the ownership manifest ${manifestPath}`,
      );
    }
    produced.add(file.path);
    // never read (or later write) through a symlink: the plan would describe a file that is not at that path
    const current = readCurrent(rootDir, file.path, guard.assertNoSymlink(file.path));
    const owned = manifest.files[file.path];
    entries.push({
      ...decide(file, current, owned),
      path: file.path,
      rendered: file,
      current,
      sops: isSopsPath(file.path),
      ...(owned ? { owned } : {}),
    });
  }
  let manifestInSync = true;
  for (const e of entries) {
    if (e.action === "unchanged" && !e.sops && e.owned?.sha256 !== hashContent(e.rendered!.content))
      manifestInSync = false;
  }
  for (const [path, owned] of Object.entries(manifest.files)) {
    if (produced.has(path)) continue;
    const current = readCurrent(rootDir, path, guard.assertNoSymlink(path));
    if (current === null) {
      manifestInSync = false;
      continue;
    }
    const base = { path, current, sops: isSopsPath(path), owned };
    if (hashContent(current) === owned.sha256)
      entries.push({ ...base, action: "delete", reason: "no longer rendered" });
    else
      entries.push({
        ...base,
        action: "conflict",
        reason: "no longer rendered, but edited by hand since homeops wrote it",
      });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    rootDir,
    entries,
    manifest,
    manifestPath,
    staleTemps: findStaleTemps(rootDir, [...entries.map((e) => e.path), manifestPath], guard),
    manifestInSync,
  };
}

function decide(
  file: RenderedFile,
  current: Buffer | null,
  owned: OwnedFile | undefined,
): Pick<PlanEntry, "action" | "reason"> {
  if (current === null)
    return owned ? { action: "create", reason: "deleted by hand; rendered again" } : { action: "create" };
  const currentHash = hashContent(current);
  const renderedHash = hashContent(file.content);
  // a checkout with CRLF line endings (git core.autocrlf) is the same file: line endings alone never conflict
  const lf = current.includes(13)
    ? Buffer.from(current.toString("latin1").replace(/\r\n/g, "\n"), "latin1")
    : current;
  const untouched =
    owned !== undefined &&
    (currentHash === owned.sha256 || (lf !== current && hashContent(lf) === owned.sha256));
  if (isSopsPath(file.path)) {
    if (untouched && (owned.rendered ?? owned.sha256) === renderedHash && isSopsEncrypted(current))
      return { action: "unchanged" };
    if (untouched) return { action: "update" };
    if (current.equals(file.content)) return { action: "update", reason: "not encrypted yet" };
  } else {
    if (current.equals(file.content)) return { action: "unchanged" };
    if (lf !== current && lf.equals(file.content))
      return { action: "unchanged", reason: "CRLF line endings on disk, otherwise the rendered content" };
    if (untouched) return { action: "update" };
  }
  return owned
    ? { action: "conflict", reason: "edited by hand since homeops wrote it" }
    : { action: "conflict", reason: "exists, but homeops never wrote it" };
}

/** The bytes at `path`, or null when absent; `seen` is what the symlink guard found there (null: absent). */
function readCurrent(rootDir: string, path: string, seen: Stats | null | undefined): Buffer | null {
  if (seen === null) return null;
  try {
    return readFileSync(join(rootDir, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw fsUserError(error, path, "read");
  }
}

/** Temp files `writeFileAtomic` leaves when a run is killed between write and rename. */
export const STALE_TEMP = /^\..+\.homeops-\d+-[0-9a-f]{8}\.tmp$/;

/** Stale temps beside `paths` (every entry and the ownership manifest, which is written the same way). */
function findStaleTemps(rootDir: string, paths: readonly string[], guard: SymlinkGuard): string[] {
  const dirs = new Set(paths.map((p) => posix.dirname(p)));
  const out: string[] = [];
  for (const dir of [...dirs].sort()) {
    if (guard.assertNoSymlink(dir) === null) continue; // not there yet (a first render)
    let names: string[];
    try {
      names = readdirSync(join(rootDir, dir));
    } catch {
      continue;
    }
    for (const name of names.sort())
      if (STALE_TEMP.test(name)) out.push(dir === "." ? name : `${dir}/${name}`);
  }
  return out;
}

/** Counts of each action, for summaries. */
export function summarizePlan(plan: RenderPlan): Record<RenderAction, number> {
  const counts: Record<RenderAction, number> = { create: 0, update: 0, unchanged: 0, conflict: 0, delete: 0 };
  for (const e of plan.entries) counts[e.action]++;
  return counts;
}

/** true when applying the plan would change nothing. */
export function isPlanClean(plan: RenderPlan): boolean {
  return (
    plan.entries.every((e) => e.action === "unchanged") && plan.staleTemps.length === 0 && plan.manifestInSync
  );
}
