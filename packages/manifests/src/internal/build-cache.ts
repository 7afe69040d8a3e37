// The build cache between runs (`useBuildCache`): per Flux Kustomization, what its build produced (objects,
// findings, inputs) and what it read, so that a later run whose Kustomization and inputs are unchanged takes
// the objects instead of building them again. A build is taken only when everything it depended on is as it
// was: the Kustomization object (spec, position, the files it was read and patched from), every file it read
// (content hash), every directory it listed, every path it looked for and did not find, and the variables
// its postBuild resolved. Anything else (a missing entry, another build of this module, an unreadable cache)
// builds as before.
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { getOrCompute, type SourcePosition, type YamlDocument } from "@homeops/core";
import type { BuiltObject, FluxKustomizationNode } from "../types.js";
import { DiskCache } from "./disk-cache.js";
import type { FileStore } from "./files.js";
import { parserIdentity } from "./go-yaml.js";
import type { BuildInputs } from "./inputs.js";
import { type PatchTrace, type Res, resourceOf, toBuiltObject } from "./res.js";

/** A document of a repository file, by file and index (restored through the store's parse). */
type DocRef = [file: string, index: number];

type SavedTrace =
  | { kind: "doc"; doc: DocRef }
  | { kind: "inline"; value: unknown; at: SourcePosition }
  | { kind: "json"; paths: (string | number)[][]; at: SourcePosition };

/** What `toBuiltObject` needs of a resource. */
export interface SavedRes {
  obj: Record<string, unknown>;
  origin: SourcePosition;
  chain: string[];
  doc?: DocRef;
  docPath?: (string | number)[];
  traces: SavedTrace[];
}

/** The part of a node its build computed (the rest comes from the Kustomization object itself). */
type BuiltPart = Pick<
  FluxKustomizationNode,
  "variables" | "substitutionSources" | "status" | "findings" | "skippedRemote" | "inputs"
>;

interface SavedBuild {
  /** content hash of every file read, listing hash of every directory listed */
  files: [string, string][];
  dirs: [string, string][];
  absent: string[];
  /** files the build parsed as YAML (a restored build parses them too: later rules ask the graph for them) */
  parsed: string[];
  /** hash of the resolved postBuild variables (and their findings) */
  variables: string;
  node: BuiltPart;
  objects: SavedRes[];
}

let disk: DiskCache<SavedBuild> | undefined;
const stats = { built: 0, restored: 0 };

/** How many Flux Kustomizations were built, and how many were taken from the build cache, in this process. */
export function buildCacheStats(): { built: number; restored: number } {
  return { ...stats };
}

/**
 * Keeps Flux Kustomization builds between runs in `dir` (one file, written by `saveBuildCache`). A cache
 * that cannot be read, or one another build of this module wrote, starts empty.
 */
export function useBuildCache(dir: string): void {
  const file = join(dir, "builds.bin");
  if (disk?.file !== file) {
    disk = new DiskCache(file, parserIdentity());
    snapshots = undefined;
  }
}

/** Writes the build cache of `useBuildCache` (and the graph snapshots) when this run added to it. */
export function saveBuildCache(): void {
  disk?.save();
  snapshots?.save();
}

let snapshots: DiskCache<unknown> | undefined;

/**
 * The graph snapshots beside the build cache (`snapshots.bin`, read on first use: only a changed-only
 * run reads one); undefined without `useBuildCache`.
 */
export function snapshotCache(): DiskCache<unknown> | undefined {
  if (!disk) return undefined;
  snapshots ??= new DiskCache(join(dirname(disk.file), "snapshots.bin"), parserIdentity());
  return snapshots;
}

const sha1 = (data: string | Buffer): string => createHash("sha1").update(data).digest("base64");

// one hash per path and file store (a run's store reads each file once)
const hashes = new WeakMap<FileStore, Map<string, Promise<string | undefined>>>();

function fileHash(files: FileStore, path: string): Promise<string | undefined> {
  return getOrCompute(
    getOrCompute(hashes, files, () => new Map()),
    path,
    () => files.bytes(path).then((b) => (b === undefined ? undefined : sha1(b))),
  );
}

async function listingHash(files: FileStore, dir: string): Promise<string> {
  return sha1(JSON.stringify(await files.list(dir)));
}

/** A document as a reference into the store's parse of its file, if it is one (else it cannot be saved). */
function docRef(files: FileStore, doc: YamlDocument): DocRef | undefined {
  return files.parsed.get(doc.file)?.documents[doc.index] === doc ? [doc.file, doc.index] : undefined;
}

function saveRes(files: FileStore, r: Res): SavedRes | undefined {
  if (r.base) return undefined;
  const traces: SavedTrace[] = [];
  for (const t of r.patchDocs) {
    if (t.kind !== "doc") {
      traces.push(t);
      continue;
    }
    const doc = docRef(files, t.doc);
    if (!doc) return undefined;
    traces.push({ kind: "doc", doc });
  }
  const doc = r.doc ? docRef(files, r.doc) : undefined;
  if (r.doc && !doc) return undefined;
  return {
    obj: r.obj,
    origin: r.origin,
    chain: r.chain,
    ...(doc ? { doc } : {}),
    ...(r.docPath ? { docPath: r.docPath } : {}),
    traces,
  };
}

/** The files a saved resource's positions come from. */
function docFiles(saved: SavedRes): string[] {
  const out = saved.doc ? [saved.doc[0]] : [];
  for (const t of saved.traces) if (t.kind === "doc") out.push(t.doc[0]);
  return out;
}

/**
 * The cache key of a Flux Kustomization's build: everything about the Kustomization object the build
 * reads (its identity, spec and position, and the saved form and file hashes of the object it was declared
 * as, which its findings' positions come from) and the run's settings. Undefined when it cannot be keyed.
 */
export async function buildKey(
  files: FileStore,
  item: { name: string; namespace: string; parent?: string; spec: unknown; at: SourcePosition },
  declared: BuiltObject | undefined,
  settings: unknown,
): Promise<string | undefined> {
  if (!disk) return undefined;
  let declaration: unknown = null;
  if (declared) {
    const r = resourceOf(declared);
    const saved = r ? saveRes(files, r) : undefined;
    if (!saved) return undefined;
    const hashed: [string, string | undefined][] = [];
    for (const f of new Set([saved.origin.file, ...docFiles(saved)]))
      hashed.push([f, await fileHash(files, f)]);
    declaration = [saved.origin, saved.chain, saved.doc, saved.docPath, saved.traces, hashed];
  }
  return sha1(
    JSON.stringify([
      item.name,
      item.namespace,
      item.parent ?? null,
      item.spec,
      item.at,
      settings,
      declaration,
    ]),
  );
}

/** A saved build under `key` whose inputs are all as they were, if there is one. */
export async function findBuild(files: FileStore, key: string): Promise<SavedBuild | undefined> {
  const saved = disk?.get(key);
  if (!saved) return undefined;
  for (const [f, h] of saved.files) if ((await fileHash(files, f)) !== h) return undefined;
  for (const [d, h] of saved.dirs) if ((await listingHash(files, d)) !== h) return undefined;
  for (const a of saved.absent) if ((await files.kind(a)) !== undefined) return undefined;
  return saved;
}

/** Hash of what a Kustomization's postBuild resolved (compared before a saved build is taken). */
export function variablesHash(resolved: unknown): string {
  return sha1(JSON.stringify(resolved ?? null));
}

/** A built object in the saved form (its documents as references into the store's parse), if it has one. */
export function saveObject(files: FileStore, object: BuiltObject): SavedRes | undefined {
  const r = resourceOf(object);
  return r ? saveRes(files, r) : undefined;
}

/** Saved objects as built objects again, their documents restored through `files` (undefined: one is gone). */
export async function restoreObjects(
  files: FileStore,
  saved: readonly SavedRes[],
  parsed: readonly string[] = [],
): Promise<BuiltObject[] | undefined> {
  const docs = new Map<string, YamlDocument[]>();
  for (const f of new Set([...parsed, ...saved.flatMap(docFiles)])) {
    const loaded = await files.yaml(f);
    if (!loaded.ok) return undefined;
    docs.set(f, loaded.file.documents);
  }
  const doc = (ref: DocRef): YamlDocument | undefined => docs.get(ref[0])?.[ref[1]];
  const objects: BuiltObject[] = [];
  for (const s of saved) {
    const patchDocs: PatchTrace[] = [];
    for (const t of s.traces) {
      if (t.kind !== "doc") patchDocs.push(t);
      else {
        const d = doc(t.doc);
        if (!d) return undefined;
        patchDocs.push({ kind: "doc", doc: d });
      }
    }
    const d = s.doc ? doc(s.doc) : undefined;
    if (s.doc && !d) return undefined;
    objects.push(
      toBuiltObject({
        obj: s.obj,
        origin: s.origin,
        chain: s.chain,
        ...(d ? { doc: d } : {}),
        ...(s.docPath ? { docPath: s.docPath } : {}),
        patchDocs,
        previous: [],
      }),
    );
  }
  return objects;
}

/** The node part and objects of a saved build, its documents restored through `files`. */
export async function restoreBuild(
  files: FileStore,
  saved: SavedBuild,
): Promise<{ part: BuiltPart; objects: BuiltObject[] } | undefined> {
  const objects = await restoreObjects(files, saved.objects, saved.parsed);
  if (!objects) return undefined;
  stats.restored++;
  // the graph adds findings to its nodes (namespace not specified): the saved part stays as saved
  return { part: structuredClone(saved.node), objects };
}

/** Records a build under `key` (nothing when one of its resources cannot be saved). */
export async function recordBuild(
  files: FileStore,
  key: string,
  inputs: BuildInputs | undefined,
  resolved: string,
  part: BuiltPart,
  resources: readonly Res[],
): Promise<void> {
  stats.built++;
  if (!disk || !inputs) return;
  const objects: SavedRes[] = [];
  for (const r of resources) {
    const saved = saveRes(files, r);
    if (!saved) return;
    objects.push(saved);
  }
  const hashed: [string, string][] = [];
  for (const f of [...inputs.files].sort()) {
    const h = await fileHash(files, f);
    if (h === undefined) return;
    hashed.push([f, h]);
  }
  const dirs: [string, string][] = [];
  for (const d of [...inputs.dirs].sort()) dirs.push([d, await listingHash(files, d)]);
  disk.set(key, {
    files: hashed,
    dirs,
    absent: [...inputs.absent].sort(),
    parsed: [...inputs.files].filter((f) => files.parsed.has(f)).sort(),
    variables: resolved,
    node: part,
    objects,
  });
}
