import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Finding, listFiles, UserError } from "@homeops/core";
import type { AffectedOptions, ChangedFile, FluxKustomizationNode, RepoGraph } from "@homeops/manifests";
import { git, gitFiles } from "./internal/git.js";
import type { WorkTreeState } from "./internal/snapshot.js";
import type { Repository } from "./repository.js";

/** What a changed-only run compares the work tree with. */
export interface ChangedOnlyOptions {
  /** A Git revision (`origin/main`, `HEAD~1`): the files that differ between it and the work tree (untracked ones too). */
  since?: string;
  /** A directory holding the base checkout: the files whose bytes differ from it, or that only one side has. */
  basePath?: string;
}

/** Above this many changed files their texts are not read: a missing substituteFrom source is then affected by any. */
const MAX_TEXTS = 200;

/**
 * The files that differ between the base (`since` or `basePath`) and the repository's work tree,
 * repo-relative, with their base and work-tree texts. An unknown revision, a repository outside Git (with
 * `since`) or a missing base directory is a `UserError`.
 */
export async function changedFiles(
  repo: Repository,
  options: ChangedOnlyOptions,
  /** the work tree's state, when the caller has it: a revision that is HEAD takes its files */
  state?: WorkTreeState,
): Promise<ChangedFile[]> {
  const paths = options.basePath
    ? await changedAgainstDir(repo, options.basePath)
    : await changedSinceRevision(repo.root, options.since ?? "HEAD", state);
  if (paths.length > MAX_TEXTS) return paths.map((path) => ({ path }));
  return Promise.all(
    paths.map(async (path) => {
      const texts: string[] = [];
      // through the repository's reads: the build and the rules that read it later share them
      const now = await repo.read(path).then(
        (b) => b.toString("utf8"),
        () => undefined,
      );
      if (now !== undefined) texts.push(now);
      const before = options.basePath
        ? await readFile(join(resolve(repo.root, options.basePath), path), "utf8").catch(() => undefined)
        : await git(repo.root, ["show", `${options.since ?? "HEAD"}:./${path}`]).catch(() => undefined);
      if (before !== undefined) texts.push(before);
      return { path, texts };
    }),
  );
}

async function changedSinceRevision(root: string, rev: string, state?: WorkTreeState): Promise<string[]> {
  // the same two questions the state asked of HEAD
  if (state && rev === "HEAD") return Object.keys(state.dirty).sort();
  let commit: string;
  try {
    commit = (await git(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`])).trim();
  } catch {
    throw new UserError("USAGE", `--changed-since ${rev}: not a Git revision of ${root}`, {
      hint: "name a commit, branch or tag of this repository (e.g. origin/main), fetched locally",
    });
  }
  // the same two questions the state asked of HEAD
  if (state?.head === commit) return Object.keys(state.dirty).sort();
  const diff = await git(root, ["diff", "--name-only", "-z", "--no-renames", "--relative", rev, "--"]);
  const untracked = await git(root, ["ls-files", "-z", "--others", "--exclude-standard"]);
  const all = new Set([...diff.split("\0"), ...untracked.split("\0")].filter((p) => p !== ""));
  return [...all].sort();
}

async function changedAgainstDir(repo: Repository, basePath: string): Promise<string[]> {
  const base = resolve(repo.root, basePath);
  const baseFiles = (await gitFiles(base)) ?? filesUnder(base);
  if (baseFiles === undefined) {
    throw new UserError("FILE_NOT_FOUND", `--base-path ${basePath}: no such directory`, {
      hint: "name a checkout of the base revision",
    });
  }
  const here = (await gitFiles(repo.root)) ?? listFiles(repo.root, ".", { unreadable: "throw" });
  const out: string[] = [];
  const inBase = new Set(baseFiles);
  for (const path of here) {
    if (!inBase.has(path)) {
      out.push(path);
      continue;
    }
    const [a, b] = await Promise.all([
      readFile(join(repo.root, path)).catch(() => undefined),
      readFile(join(base, path)).catch(() => undefined),
    ]);
    if (a === undefined || b === undefined || !a.equals(b)) out.push(path);
  }
  const inHere = new Set(here);
  for (const path of baseFiles) if (!inHere.has(path)) out.push(path);
  return out.sort();
}

/** The files under a directory that is not a Git checkout (undefined when it cannot be read). */
function filesUnder(dir: string): string[] | undefined {
  try {
    return listFiles(dir, ".", { unreadable: "throw" });
  } catch {
    return undefined;
  }
}

/** The part of a graph a changed-only run reports on. */
export interface ChangedSelection {
  /** affected Kustomization (`namespace/name`) → why */
  affected: Map<string, string>;
  kustomizations: FluxKustomizationNode[];
  /** the changed files, the affected Kustomizations' declaring files, inputs and object files */
  files: Set<string>;
}

/** The Kustomizations of `graph` that `changed` may change (manifests' `affectedKustomizations`) and their files. */
export async function selectChanged(
  graph: RepoGraph,
  changed: readonly ChangedFile[],
  options: AffectedOptions & {
    /** `affectedKustomizations` of this graph for `changed`, when the caller has it (a snapshot update) */
    affected?: Map<string, string>;
  } = {},
): Promise<ChangedSelection> {
  const { affectedKustomizations } = await import("@homeops/manifests");
  const affected = options.affected ?? affectedKustomizations(graph, changed, options);
  const kustomizations = graph.kustomizations.filter((k) => affected.has(`${k.namespace}/${k.name}`));
  const files = new Set(changed.map((c) => c.path));
  for (const k of kustomizations) {
    files.add(k.file);
    for (const f of k.inputs.files) files.add(f);
    for (const o of k.objects) files.add(o.provenance.file);
  }
  return { affected, kustomizations, files };
}

/** A graph-level finding of a changed-only run: one of the selection's builds', or located in its files. */
export function inSelection(selection: ChangedSelection, finding: Finding): boolean {
  return finding.file !== undefined && selection.files.has(finding.file);
}
