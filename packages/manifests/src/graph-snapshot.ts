// A graph kept for changed-only runs: every Flux Kustomization without its objects (what it read, what it
// found, where it was declared), with what other builds take from its output as a hash. A later run whose
// change reaches a few Kustomizations rebuilds those (and builds the ones its selection needs) against the
// snapshot instead of building the repository: the rest of the graph is as it was, and the update proves it
// (a rebuilt Kustomization must read the same files, declare the same Kustomizations and give the others
// the same CRDs, Flux sources and substitution sources), or gives up and says why (the caller then builds
// the whole graph, as without a snapshot).
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { deserialize, serialize } from "node:v8";
import { externalSecretTarget, type Finding, sortFindings } from "@homeops/core";
import { affectedKustomizations, type ChangedFile, declaringFiles } from "./affected.js";
import {
  artifactStore,
  buildContext,
  buildNode,
  buildStateOf,
  dedupeFindings,
  graphSourcesAndReleases,
  KS_GROUP,
  type LookupEntry,
  type LookupResult,
  lookupsOf,
  namespaceFindings,
  type QueueItem,
  SOURCE_GROUP,
  type VariableLookup,
} from "./build-repo.js";
import { restoreObjects, type SavedRes, saveObject, snapshotCache } from "./internal/build-cache.js";
import type { FileStore } from "./internal/files.js";
import { groupVersion, isObj } from "./internal/res.js";
import { scopeResolver } from "./internal/scope.js";
import type {
  BuildRepoOptions,
  BuiltObject,
  FluxKustomizationNode,
  FluxSourceNode,
  RepoGraph,
} from "./types.js";

/** What `affectedKustomizations` and a changed-only selection read of a node, with its findings. */
type IndexNode = Pick<
  FluxKustomizationNode,
  | "name"
  | "namespace"
  | "file"
  | "line"
  | "path"
  | "sourceRef"
  | "dependsOn"
  | "parent"
  | "substitutionSources"
  | "status"
  | "findings"
  | "skippedRemote"
  | "inputs"
> & {
  /** the files that made its object in its parent's build (`declaringFiles`) */
  declaredBy: string[];
  /** hash of what other builds take from its output: CRDs, GitRepositories, substitution sources */
  exports: string;
  /** the Flux Kustomizations its output declares (`childKeys`) */
  children: string;
};

/** The rest of a node: what its build needs again. */
interface NodeDetails {
  spec: Record<string, unknown>;
  variables: Record<string, string>;
  /** the object it was declared as in its parent's build (absent for a root) */
  declared?: SavedRes;
  lookups: LookupEntry[];
}

/**
 * A graph without its objects, for `updateRepoGraph` (plain data, kept with the build cache): the nodes'
 * index in one JSON text (read whole by every update), each node's details serialized on its own (read only
 * for a node the update builds, kept as bytes otherwise).
 */
export interface GraphSnapshot {
  clusterRoot: string;
  strict: boolean;
  repoSources: string[];
  sources: FluxSourceNode[];
  /** every build's CustomResourceDefinitions: the namespace check's scopes, the schema catalog's CRDs */
  crds: { apiVersion: string; kind: string; object: Record<string, unknown>; source: string }[];
  /** the graph's findings no build has (a duplicate Kustomization, a missing cluster root) */
  others: Finding[];
  /** the substituteFrom names any build looked up */
  names: string[];
  sourceIgnore?: string;
  ignoreFiles: [dir: string, text: string][];
  /** `IndexNode[]` as JSON, in graph order */
  index: string;
  /** `NodeDetails` of each node (v8-serialized), in index order */
  details: Uint8Array[];
}

const key = (k: { namespace: string; name: string }): string => `${k.namespace}/${k.name}`;
const sha1 = (value: unknown): string => createHash("sha1").update(JSON.stringify(value)).digest("base64");
const isFluxKustomization = (o: BuiltObject): boolean =>
  o.kind === "Kustomization" && groupVersion(o.apiVersion).group === KS_GROUP;

/** The Flux Kustomizations a node's output declares (`namespace/name`, sorted, as one text). */
function childKeys(node: FluxKustomizationNode): string {
  return JSON.stringify(
    node.objects
      .filter(isFluxKustomization)
      .map((o) => key({ namespace: o.namespace ?? node.namespace, name: o.name }))
      .sort(),
  );
}

/** A declared object as far as its Kustomization's build reads it: the object and where it came from. */
function declarationOf(o: { obj: unknown; origin: unknown; chain: unknown }): string {
  return JSON.stringify([o.obj, o.origin, o.chain]);
}

function exportsHash(node: FluxKustomizationNode, names: ReadonlySet<string>): string {
  const out: unknown[] = [];
  for (const o of node.objects) {
    const group = groupVersion(o.apiVersion).group;
    const exported =
      o.kind === "CustomResourceDefinition" ||
      (group === SOURCE_GROUP && o.kind === "GitRepository") ||
      o.kind === "ClusterExternalSecret" ||
      (group === "" && (o.kind === "ConfigMap" || o.kind === "Secret") && names.has(o.name)) ||
      (o.kind === "ExternalSecret" && names.has(externalSecretTarget(o.object)));
    if (exported)
      out.push([
        o.apiVersion,
        o.kind,
        o.name,
        o.namespace ?? null,
        o.object,
        o.provenance.file,
        o.provenance.line,
      ]);
  }
  return sha1(out);
}

function lookedUpNames(lookups: Iterable<readonly LookupEntry[]>): Set<string> {
  const names = new Set<string>();
  for (const list of lookups) for (const [, name] of list) names.add(name);
  return names;
}

function indexNode(
  node: FluxKustomizationNode,
  declaredBy: ReadonlySet<string> | undefined,
  names: ReadonlySet<string>,
): IndexNode {
  return {
    name: node.name,
    namespace: node.namespace,
    file: node.file,
    line: node.line,
    path: node.path,
    sourceRef: node.sourceRef,
    dependsOn: node.dependsOn,
    ...(node.parent !== undefined ? { parent: node.parent } : {}),
    ...(node.substitutionSources ? { substitutionSources: node.substitutionSources } : {}),
    status: node.status,
    findings: node.findings,
    skippedRemote: node.skippedRemote,
    inputs: node.inputs,
    declaredBy: [...(declaredBy ?? [])],
    exports: exportsHash(node, names),
    children: childKeys(node),
  };
}

function nodeDetails(
  files: FileStore,
  node: FluxKustomizationNode,
  declared: BuiltObject | undefined,
): Uint8Array {
  const saved = declared ? saveObject(files, declared) : undefined;
  if (declared && !saved) throw new GiveUp(`the object of Kustomization ${key(node)} cannot be kept`);
  const details: NodeDetails = {
    spec: node.spec,
    variables: node.variables,
    ...(saved ? { declared: saved } : {}),
    lookups: [...lookupsOf(node)],
  };
  return serialize(details);
}

/** The snapshot of a graph `buildRepoGraph` built; undefined when one of its objects cannot be kept. */
export async function snapshotRepoGraph(graph: RepoGraph): Promise<GraphSnapshot | undefined> {
  const state = buildStateOf(graph);
  if (!state) return undefined;
  const names = lookedUpNames(graph.kustomizations.map(lookupsOf));
  const declaredBy = declaringFiles(graph);
  const index: IndexNode[] = [];
  const details: Uint8Array[] = [];
  try {
    for (const node of graph.kustomizations) {
      index.push(indexNode(node, declaredBy.get(key(node)), names));
      details.push(nodeDetails(state.files, node, state.items.get(key(node))?.declared));
    }
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
  const own = new Set(graph.kustomizations.flatMap((k) => k.findings.map(findingId)));
  const sourceIgnore = state.files.sourceIgnorePatterns;
  return {
    clusterRoot: graph.clusterRoot,
    strict: state.strict,
    repoSources: [...state.repoSources],
    sources: graph.sources,
    crds: graph.objects
      .filter((o) => o.kind === "CustomResourceDefinition")
      .map((o) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        object: o.object,
        source: `${o.provenance.file}:${o.provenance.line}`,
      })),
    others: graph.findings.filter((f) => !own.has(findingId(f))),
    names: [...names].sort(),
    ...(sourceIgnore !== undefined ? { sourceIgnore } : {}),
    ignoreFiles: [...(await state.files.sourceIgnoreFiles())],
    index: JSON.stringify(index),
    details,
  };
}

const findingId = (f: Finding): string => `${f.ruleId}|${f.file}|${f.line}|${f.column}|${f.message}`;

export interface UpdateRepoGraphOptions
  extends Pick<BuildRepoOptions, "contents" | "contentsInsideRoot" | "maxFileBytes"> {
  /** The files whose bytes differ from the snapshot's (each one there then and now, with its text now). */
  sinceSnapshot: readonly ChangedFile[];
  /** The changed-only run's changes: the Kustomizations they affect are built too (`affectedKustomizations`). */
  changed: readonly ChangedFile[];
  /** The most Kustomizations the update builds before it gives up (a full build is then no slower). Default 64. */
  limit?: number;
}

export type GraphUpdate =
  | {
      ok: true;
      /**
       * The graph now: every Kustomization, those the change affects built (with their objects), the
       * others as the snapshot has them (no objects); `objects` and `helmReleases` are the built ones'.
       */
      graph: RepoGraph;
      /** `declaringFiles` of the whole graph (pass to `affectedKustomizations`) */
      declaredBy: Map<string, Set<string>>;
      /** `affectedKustomizations` of the graph now for `changed` (the caller's selection) */
      selected: Map<string, string>;
      /** the snapshot of the graph now */
      snapshot: GraphSnapshot;
      /** how many Kustomizations were built (or restored from the build cache) */
      built: number;
    }
  | { ok: false; reason: string };

class GiveUp extends Error {}

/** A snapshot node's lookups answered as its build made them (a lookup it did not make: give up). */
class SnapshotLookups implements VariableLookup {
  constructor(private readonly entries: readonly LookupEntry[]) {}
  async lookupSource(kind: string, name: string, namespace: string): Promise<LookupResult | undefined> {
    const found = this.entries.find(([k, n, ns]) => k === kind && n === name && ns === namespace);
    if (!found) throw new GiveUp(`substituteFrom ${kind}/${name} was not looked up before`);
    return found[3] ?? undefined;
  }
}

/**
 * The graph at `root` now, from a snapshot of it and the files changed since (`sinceSnapshot`): the
 * Kustomizations the change reaches are built again and must give the rest of the graph what they gave it;
 * those `changed` affects are built (or restored from the build cache) for the caller's selection.
 */
export async function updateRepoGraph(
  root: string,
  snapshot: GraphSnapshot,
  options: UpdateRepoGraphOptions,
): Promise<GraphUpdate> {
  try {
    return await update(resolve(root), snapshot, options);
  } catch (error) {
    if (error instanceof GiveUp) return { ok: false, reason: error.message };
    throw error;
  }
}

async function update(
  absRoot: string,
  snapshot: GraphSnapshot,
  options: UpdateRepoGraphOptions,
): Promise<GraphUpdate> {
  const limit = options.limit ?? 64;
  const paths = new Set(options.sinceSnapshot.map((c) => c.path));
  for (const path of paths)
    if (path === ".sourceignore" || path.endsWith("/.sourceignore")) throw new GiveUp(`${path} changed`);
  const index = JSON.parse(snapshot.index) as IndexNode[];
  const position = new Map(index.map((n, i) => [key(n), i]));
  const declaredBy = new Map(index.map((n) => [key(n), new Set(n.declaredBy)]));
  // the others as the index has them: what the selection reads, no objects (nor spec and variables)
  const current = new Map<string, FluxKustomizationNode>(
    index.map((n) => {
      const { declaredBy: _, exports: __, children: ___, ...node } = n;
      return [key(n), { ...node, spec: {}, variables: {}, objects: [] }];
    }),
  );
  const view = (): Pick<RepoGraph, "kustomizations"> => ({ kustomizations: [...current.values()] });

  const files = artifactStore(absRoot, options);
  files.presetSourceIgnores(snapshot.ignoreFiles, snapshot.sourceIgnore);
  const ctx = buildContext(files, false);
  const repoSources = new Set(snapshot.repoSources);
  const names = new Set(snapshot.names);
  const built = new Map<string, { node: FluxKustomizationNode; declared: BuiltObject }>();
  const texts = options.sinceSnapshot.flatMap((c) => c.texts ?? []);

  const build = async (id: string, changedHere: boolean): Promise<void> => {
    const at = position.get(id);
    if (at === undefined) throw new GiveUp(`Kustomization ${id} is not in the snapshot`);
    const saved = index[at]!;
    const parent = saved.parent;
    if (parent === undefined) throw new GiveUp(`the change reaches the root Kustomization ${id}`);
    if (built.size >= limit) throw new GiveUp(`the change reaches more than ${limit} Kustomizations`);
    const details = deserialize(snapshot.details[at]!) as NodeDetails;
    const parentNamespace = current.get(parent)?.namespace ?? "";
    const fromParent = built
      .get(parent)
      ?.node.objects.find(
        (o) =>
          isFluxKustomization(o) && key({ namespace: o.namespace ?? parentNamespace, name: o.name }) === id,
      );
    const declared =
      fromParent ?? (details.declared ? (await restoreObjects(files, [details.declared]))?.[0] : undefined);
    if (!declared) throw new GiveUp(`the object of Kustomization ${id} cannot be restored`);
    const item: QueueItem = {
      name: saved.name,
      namespace: saved.namespace,
      spec: isObj(declared.object.spec) ? declared.object.spec : {},
      object: declared.object,
      at: {
        file: declared.provenance.file,
        line: declared.provenance.line,
        column: declared.provenance.column,
      },
      locate: (p) => declared.locate(p),
      parent,
      declared,
    };
    const node = await buildNode(
      item,
      ctx,
      new SnapshotLookups(details.lookups),
      snapshot.strict,
      repoSources,
    );
    if (changedHere) {
      // what the rest of the graph took from this build must be as it was
      if (JSON.stringify(node.inputs) !== JSON.stringify(saved.inputs))
        throw new GiveUp(`Kustomization ${id} reads other files now`);
      if (childKeys(node) !== saved.children)
        throw new GiveUp(`Kustomization ${id} declares other Kustomizations now`);
      if (exportsHash(node, names) !== saved.exports)
        throw new GiveUp(`Kustomization ${id} changes a CRD, GitRepository or substitution source`);
      // a Kustomization it declares differently now is built again too (after it: the graph is breadth-first)
      for (const [child, declaring] of declaringFiles({ kustomizations: [node] })) {
        declaredBy.set(child, declaring);
        const o = node.objects.find(
          (x) =>
            isFluxKustomization(x) &&
            key({ namespace: x.namespace ?? node.namespace, name: x.name }) === child,
        );
        const childAt = position.get(child);
        if (!o || childAt === undefined || pending.has(child)) continue;
        const before = (deserialize(snapshot.details[childAt]!) as NodeDetails).declared;
        const now = saveObject(files, o);
        if (!now) throw new GiveUp(`the object of Kustomization ${child} cannot be kept`);
        if (before && declarationOf(before) === declarationOf(now)) continue;
        if (childAt <= at) throw new GiveUp(`Kustomization ${child} comes before ${id}`);
        pending.add(child);
      }
      for (const [kind, name, , result] of lookupsOf(node)) {
        if (result?.file !== undefined && paths.has(result.file))
          throw new GiveUp(`substituteFrom ${kind}/${name} (${result.file}) changed`);
        if (!result?.producedBy && texts.some((t) => t.includes(name)))
          throw new GiveUp(`substituteFrom ${kind}/${name} may be declared by the change`);
      }
    }
    built.set(id, { node, declared });
    current.set(id, node);
  };

  // 1. what the change since the snapshot reaches, built again in graph order (a parent before its children);
  // their inputs changed, so neither cache between runs is read (a build that parses a few files does not
  // load the repository's) nor written
  const pending = new Set(affectedKustomizations(view(), options.sinceSnapshot, { declaredBy }).keys());
  ctx.buildCache = false;
  files.parseCache = false;
  for (const n of index) if (pending.has(key(n))) await build(key(n), true);
  // 2. what the caller's change reaches in the graph now, for its selection (restored when unchanged)
  ctx.buildCache = true;
  files.parseCache = true;
  const selected = affectedKustomizations(view(), options.changed, { declaredBy });
  for (const n of index) if (selected.has(key(n)) && !built.has(key(n))) await build(key(n), false);

  const kustomizations = [...current.values()];
  const builtNodes = kustomizations.filter((n) => built.has(key(n)));
  namespaceFindings(builtNodes, scopeResolver(snapshot.crds as unknown as BuiltObject[]));
  const now = graphSourcesAndReleases(builtNodes, repoSources);
  const { helmReleases } = now;
  // the Flux sources in graph order, the built Kustomizations' as built now (the implicit root first)
  const order = (s: FluxSourceNode): number =>
    s.producedBy === undefined ? -1 : (position.get(s.producedBy) ?? -1);
  const sources = [
    ...snapshot.sources.filter((s) => s.producedBy === undefined || !built.has(s.producedBy)),
    ...now.sources,
  ].sort((a, b) => order(a) - order(b));
  const seenSkipped = new Set<string>();
  const graph: RepoGraph = {
    root: absRoot,
    clusterRoot: snapshot.clusterRoot,
    kustomizations,
    sources,
    helmReleases,
    objects: builtNodes.flatMap((n) => n.objects),
    files: files.parsed,
    skippedRemote: kustomizations
      .flatMap((n) => n.skippedRemote)
      .filter((s) => {
        const id = `${s.url}|${s.kustomization}|${s.line}`;
        if (seenSkipped.has(id)) return false;
        seenSkipped.add(id);
        return true;
      }),
    findings: sortFindings(
      dedupeFindings([...kustomizations.flatMap((n) => n.findings), ...snapshot.others]),
    ),
  };
  // the snapshot now: the built nodes as built (their objects' declarations from their parents' builds)
  const details = [...snapshot.details];
  const nextIndex = index.map((n, i) => {
    const again = built.get(key(n));
    // (a rebuilt parent may declare it from other files now)
    if (!again) return { ...n, declaredBy: [...(declaredBy.get(key(n)) ?? [])] };
    details[i] = nodeDetails(files, again.node, again.declared);
    return indexNode(again.node, declaredBy.get(key(n)), names);
  });
  return {
    ok: true,
    graph,
    declaredBy,
    // (the Kustomizations built for it read what their index entries say: the graph now gives the same)
    selected,
    snapshot: { ...snapshot, sources, index: JSON.stringify(nextIndex), details },
    built: built.size,
  };
}

/** A graph snapshot kept with the build cache (`useBuildCache`) under `id`, if there is one. */
export function loadGraphRecord<T>(id: string): T | undefined {
  return snapshotCache()?.get(id) as T | undefined;
}

/** Keeps `value` under `id` with the build cache (written by `saveBuildCache`). */
export function storeGraphRecord(id: string, value: unknown): void {
  snapshotCache()?.set(id, value);
}
