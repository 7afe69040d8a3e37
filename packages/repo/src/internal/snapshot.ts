// What a validate run keeps for the next changed-only run (with the build cache): the work tree as Git
// saw it, the Flux roots, the unreached kustomization directories and each root's graph snapshot. The next
// `--changed-since` run compares the work tree with it and, when only a few files changed (each one there
// before and now, none that root discovery or the directory scan reads), updates the snapshot instead of
// building the repository (manifests' `updateRepoGraph`); anything else builds as without one.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { KUSTOMIZATION_FILES } from "@homeops/core";
import type { ChangedFile, FluxRoot, GraphSnapshot } from "@homeops/manifests";
import type { Repository } from "../repository.js";
import { git } from "./git.js";

/** The work tree as Git sees it: HEAD and each file that differs from it (content hash; null: deleted). */
export interface WorkTreeState {
  head: string;
  /** tracked files that differ from HEAD, and untracked ones (not ignored) */
  dirty: Record<string, string | null>;
  untracked: string[];
}

/** The work tree's state, or undefined outside Git (or without a commit). */
export async function workTreeState(repo: Repository): Promise<WorkTreeState | undefined> {
  let head: string;
  let diff: string;
  let others: string;
  try {
    [head, diff, others] = await Promise.all([
      git(repo.root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]),
      git(repo.root, ["diff", "--name-only", "-z", "--no-renames", "--relative", "HEAD", "--"]),
      git(repo.root, ["ls-files", "-z", "--others", "--exclude-standard"]),
    ]);
  } catch {
    return undefined;
  }
  const untracked = others.split("\0").filter((p) => p !== "");
  const paths = [...new Set([...diff.split("\0"), ...untracked])].filter((p) => p !== "");
  const dirty: Record<string, string | null> = {};
  // through the repository's reads: a hash is of the bytes this run's build reads
  await Promise.all(
    paths.map(async (path) => {
      dirty[path] = await repo.read(path).then(
        (b) => createHash("sha1").update(b).digest("base64"),
        () => null,
      );
    }),
  );
  return { head: head.trim(), dirty, untracked: untracked.sort() };
}

/** What a validate run keeps for the next changed-only run. */
export interface SnapshotRecord {
  state: WorkTreeState;
  roots: FluxRoot[];
  lookedFor: string[];
  /** the files root discovery read documents of */
  relevant: string[];
  /** kustomization directories no root's build reaches (before a changed-only run's filter) */
  standalone: string[];
  /** each root's graph snapshot, in `roots` order */
  graphs: GraphSnapshot[];
}

/** The key a record is kept under: the repository, the manifests directory and `--cluster-root`. */
export function recordId(repo: Repository, target: string, clusterRoot: string | undefined): string {
  return `validate\0${repo.root}\0${target}\0${clusterRoot ?? ""}`;
}

/**
 * The files whose bytes differ between the record's work tree and `now`, each with its text now; a reason
 * instead when the record cannot be updated: HEAD moved, a file was added or deleted, a kustomization file
 * or a file root discovery reads changed.
 */
export async function changedSinceRecord(
  repo: Repository,
  record: SnapshotRecord,
  now: WorkTreeState,
): Promise<{ files: ChangedFile[] } | { reason: string }> {
  const { state } = record;
  if (state.head !== now.head) return { reason: "HEAD is another commit" };
  if (record.roots.some((r) => r.source === "top-level Flux Kustomizations"))
    return { reason: "the root was found from the Kustomizations themselves" };
  const untrackedThen = new Set(state.untracked);
  const untrackedNow = new Set(now.untracked);
  const relevant = new Set(record.relevant);
  const { affectsRootDiscovery } = await import("@homeops/manifests");
  const files: ChangedFile[] = [];
  for (const path of new Set([...Object.keys(state.dirty), ...Object.keys(now.dirty)])) {
    const then = state.dirty[path];
    const current = now.dirty[path];
    if (then === current) continue;
    if (then === null || current === null) return { reason: `${path} was deleted` };
    if ((untrackedNow.has(path) && then === undefined) || (untrackedThen.has(path) && current === undefined))
      return { reason: `${path} was added or removed` };
    if (KUSTOMIZATION_FILES.includes(posix.basename(path))) return { reason: `${path} changed` };
    if (relevant.has(path)) return { reason: `${path} (read by root discovery) changed` };
    const text = await repo.read(path).then(
      (b) => b.toString("utf8"),
      () => undefined,
    );
    if (text === undefined) return { reason: `${path} cannot be read` };
    if (affectsRootDiscovery(path, text)) return { reason: `${path} may change the Flux roots` };
    files.push({ path, texts: [text] });
  }
  return { files };
}
