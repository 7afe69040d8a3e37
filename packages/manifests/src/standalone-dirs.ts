import { readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { KUSTOMIZATION_FILES, toPosixPath, type WalkEntry, walkTree } from "@homeops/core";
import { parseGoYaml } from "./internal/go-yaml.js";
import type { RepoGraph } from "./types.js";

export interface FindStandaloneDirsOptions {
  /** Directories a Flux build of this graph reaches are left out (they are validated through it). */
  graph?: RepoGraph;
}

/** The kustomization file name (`kustomization.yaml`, `kustomization.yml`, `Kustomization`) of `path`, if it is one. */
export function kustomizationFileName(path: string): string | undefined {
  return KUSTOMIZATION_FILES.find((name) => path === name || path.endsWith(`/${name}`));
}

/** Directories (repo-relative) whose kustomization file one of the graph's Flux builds read. */
export function directoriesBuiltBy(graph: RepoGraph): Set<string> {
  const covered = new Set<string>();
  // the objects of a build share most links of their chains: each link is looked at once
  const seen = new Set<string>();
  for (const ks of graph.kustomizations) {
    covered.add(ks.path);
    for (const object of ks.objects) {
      for (const link of object.provenance.chain) {
        if (seen.has(link)) continue;
        seen.add(link);
        if (kustomizationFileName(link)) covered.add(toPosixPath(dirname(link)));
      }
    }
  }
  return covered;
}

/**
 * Directories under `dir` (repo-relative, sorted) holding a kustomization file that is not a
 * `Component` — what `kustomize build <dir>` can build on its own — minus those a Flux build of
 * `options.graph` reaches. Dot directories and `node_modules` are not entered.
 */
export function findStandaloneKustomizationDirs(
  root: string,
  dir: string,
  options: FindStandaloneDirsOptions = {},
): string[] {
  const covered = options.graph ? directoriesBuiltBy(options.graph) : new Set<string>();
  const skipped = (name: string) => name.startsWith(".") || name === "node_modules";
  // a directory's kustomization file, in the order kustomize tries the names
  const files = new Map<string, string>();
  for (const entry of treeUnder(root, dir, options.graph?.tree, skipped)) {
    if (entry.kind !== "file" || !KUSTOMIZATION_FILES.includes(entry.name)) continue;
    const at = posix.dirname(entry.path);
    const held = files.get(at);
    if (!held || KUSTOMIZATION_FILES.indexOf(entry.name) < KUSTOMIZATION_FILES.indexOf(posix.basename(held)))
      files.set(at, entry.path);
  }
  const out: string[] = [];
  for (const [at, file] of files) {
    if (!covered.has(at) && !isComponent(root, file, options.graph)) out.push(at);
  }
  return out.sort();
}

/**
 * The entries below `dir` that `walkTree(root, dir)` gives when it enters no directory `skipped` names, taken
 * from the build's walk of the whole repository when it has `dir` (a directory its walk entered).
 */
function treeUnder(
  root: string,
  dir: string,
  tree: readonly WalkEntry[] | undefined,
  skipped: (name: string) => boolean,
): readonly WalkEntry[] {
  const walked =
    tree !== undefined &&
    !dir.split("/").some((s) => s === ".git" || s === "node_modules") &&
    (dir === "." || tree.some((e) => e.path === dir && e.kind === "directory"));
  if (!walked) return walkTree(root, dir, { enter: (_, name) => !skipped(name) });
  const prefix = dir === "." ? "" : `${dir}/`;
  return tree.filter((e) => {
    if (!e.path.startsWith(prefix)) return false;
    const parents = e.path.slice(prefix.length).split("/").slice(0, -1);
    return !parents.some(skipped);
  });
}

/** A kustomization file whose document says `kind: Component` (read from the graph's parse when it has one). */
function isComponent(root: string, file: string, graph: RepoGraph | undefined): boolean {
  const parsed = graph?.files.get(file);
  try {
    // the shared parse: the build of the directory that follows reads it from there
    const fresh = parsed ? undefined : parseGoYaml(readFileSync(join(root, file), "utf8"), file);
    const documents = parsed?.documents ?? (fresh?.ok ? fresh.documents : []);
    const value = documents[0]?.value;
    return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Component";
  } catch {
    return false;
  }
}
