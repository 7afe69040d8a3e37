import type { Finding, YamlDocument } from "@homeops/core";
import { FileStore } from "./internal/files.js";
import { parseGoYaml } from "./internal/go-yaml.js";
import type { Kustomization } from "./internal/kustomize/common.js";
import { absorb, newRes } from "./internal/kustomize/resources.js";
import { runTransformers } from "./internal/kustomize/transformers.js";
import { Builder } from "./internal/kustomize.js";
import { clone, getKind, getName, isObj, type Obj, type Res, toBuiltObject } from "./internal/res.js";
import { SELECTOR_KEYS, type Selector } from "./internal/select.js";
import type { BuiltObject, ObjectPath, SourcePosition } from "./types.js";

/** A kustomization that holds its patches inline: what Flux's helm-controller post-renderer writes. */
export interface InlineKustomization {
  /** `patches`: an inline strategic merge or JSON 6902 patch, with an optional target selector. */
  patches?: { patch: string; target?: KustomizeSelector }[];
  /** `patchesStrategicMerge` (deprecated in kustomize): each a patch object, matched by its own id. */
  patchesStrategicMerge?: Record<string, unknown>[];
  /** `patchesJson6902` (deprecated in kustomize): operations on the objects the target selects. */
  patchesJson6902?: { target: KustomizeSelector; patch: unknown[] }[];
  /** `images`: new name, tag or digest for the containers' images named `name`. */
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

/** A patch target (kustomize's `Selector`: name and namespace are anchored regular expressions). */
export type KustomizeSelector = Selector;

/** The fields of a patch target selector (kustomize's `types.Selector`). */
export { SELECTOR_KEYS };

/** One input object, optionally with the YAML it was read from (kyaml's merge quirks depend on the text). */
export interface KustomizeInput {
  object: BuiltObject;
  /** The YAML text (one or more documents) the object was parsed from. */
  yaml?: string;
}

export interface KustomizeObjectsOptions {
  /**
   * Where a field of the inline kustomization is written (`["patches", 0]` → its file:line); findings point
   * there. Required: an inline kustomization has no file of its own.
   */
  locate: (path: ObjectPath) => SourcePosition;
}

export interface KustomizeObjectsResult {
  /** The transformed objects, in input order (a `$patch: delete` removes one); positions survive. */
  objects: BuiltObject[];
  /** What kustomize would refuse (errors) or ignore (warnings), at the kustomization's fields. */
  findings: Finding[];
  /** False when kustomize would fail the build. */
  ok: boolean;
}

/**
 * Runs kustomize over `objects` as the only resource of a kustomization holding `kustomization`'s patches
 * and images — what Flux's helm-controller does to a release's rendered manifests for each
 * `postRenderers[].kustomize` (it writes them to `helm-output.yaml` and runs krusty). Same engine as
 * `buildKustomizationDir`: patchesStrategicMerge, patches, patchesJson6902, images in kustomize's order, then
 * kustomize's finishing steps (duplicate ids refused, `config.kubernetes.io/local-config` objects dropped).
 * Never reads a file.
 */
export async function kustomizeObjects(
  objects: readonly KustomizeInput[],
  kustomization: InlineKustomization,
  options: KustomizeObjectsOptions,
): Promise<KustomizeObjectsResult> {
  const file = options.locate([]).file;
  // nothing below reads a file: every patch is inline (strings with a newline count as inline patches)
  const builder = new Builder(
    {
      files: new FileStore("."),
      allowNetwork: false,
      findings: [],
      skipped: [],
      dirCache: new Map(),
    },
    0,
  );
  const k: Obj = {};
  if (kustomization.patches !== undefined) k.patches = kustomization.patches;
  if (kustomization.patchesStrategicMerge !== undefined)
    k.patchesStrategicMerge = kustomization.patchesStrategicMerge.map((p) => `${JSON.stringify(p)}\n`);
  if (kustomization.patchesJson6902 !== undefined)
    k.patchesJson6902 = kustomization.patchesJson6902.map((p) => ({
      target: p.target,
      patch: JSON.stringify(p.patch),
    }));
  if (kustomization.images !== undefined) k.images = kustomization.images;
  const kust: Kustomization = {
    dir: ".",
    file,
    doc: locatingDoc(file, k, options.locate),
    k,
    generated: false,
  };

  const goDocs = new Map<string, YamlDocument[]>();
  const added: Res[] = [];
  for (const input of objects) {
    const o = input.object;
    const r = newRes(clone(o.object), { ...o.provenance }, undefined, [...o.provenance.chain]);
    r.base = (path) => o.locate(path);
    const doc = input.yaml === undefined ? undefined : sourceDoc(goDocs, input.yaml, o.object, file);
    if (doc !== undefined) r.doc = doc;
    added.push(r);
  }
  const ra: Res[] = [];
  absorb(builder, ra, added, options.locate([]));
  await runTransformers(builder, kust, ra);
  const out = builder.ok ? builder.finish(ra) : ra;
  return { objects: out.map(toBuiltObject), findings: builder.findings, ok: builder.ok };
}

/** The go-yaml document `object` was read from (for kyaml's dropping of keys written without a value). */
function sourceDoc(
  cache: Map<string, YamlDocument[]>,
  yaml: string,
  object: Obj,
  file: string,
): YamlDocument | undefined {
  let docs = cache.get(yaml);
  if (docs === undefined) {
    const parsed = parseGoYaml(yaml, file);
    docs = parsed.ok ? [...parsed.documents] : [];
    cache.set(yaml, docs);
  }
  const i = docs.findIndex(
    (d) => isObj(d.value) && getKind(d.value) === getKind(object) && getName(d.value) === getName(object),
  );
  return i < 0 ? undefined : docs.splice(i, 1)[0];
}

/**
 * The stages read positions from the kustomization's YAML document; an inline kustomization answers
 * through `locate` instead (only `file`, `value`, `locate`, `locateKey` and `start` are used).
 */
function locatingDoc(file: string, value: Obj, locate: (path: ObjectPath) => SourcePosition): YamlDocument {
  const at = (path: readonly (string | number)[]) => {
    const p = locate([...path]);
    return { line: p.line, column: p.column, exact: true };
  };
  return { file, index: 0, value, locate: at, locateKey: at, start: () => at([]) } as unknown as YamlDocument;
}
