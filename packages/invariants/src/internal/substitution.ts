import {
  getOrCompute,
  externalSecretKeys as manifestsExternalSecretKeys,
  externalSecretTarget as manifestsExternalSecretTarget,
} from "@homeops/core";
import type { BuiltObject, FluxKustomizationNode, RepoGraph } from "@homeops/manifests";
import { entries, field, isRecord, list, str } from "./text.js";

/** A `substituteFrom` source of a Kustomization and what is known of its keys. */
export interface SubstitutionSource {
  kind: string;
  name: string;
  index: number;
  optional: boolean;
  /** The object(s) that provide it: a ConfigMap/Secret, or an ExternalSecret whose target it is. */
  providers: BuiltObject[];
  /** Keys known to be provided. */
  keys: Set<string>;
  /** true when some provider's keys cannot be known offline (ExternalSecret `dataFrom` without a template). */
  openEnded: boolean;
  /** true when nothing in the repository provides it: its keys are unknown, any variable may come from it. */
  unknown?: boolean;
}

/** The variables a Kustomization's postBuild provides, as far as the repository tells. */
export interface SubstitutionScope {
  enabled: boolean;
  inline: Set<string>;
  sources: SubstitutionSource[];
  /** true when some source's keys cannot be known (it then provides names matching `openEndedNames`). */
  openEnded: boolean;
  has(name: string): boolean;
}

/** Keys an ExternalSecret writes to its target Secret, or `undefined` when they cannot be known (manifests' definition). */
export function externalSecretKeys(object: Record<string, unknown>): Set<string> | undefined {
  const { keys, complete } = manifestsExternalSecretKeys(object);
  return complete ? keys : undefined;
}

/** Name of the Secret an ExternalSecret produces. */
export function externalSecretTarget(object: BuiltObject): string {
  return manifestsExternalSecretTarget(object.object) || object.name;
}

/** The Secret name a ClusterExternalSecret writes in each namespace it selects. */
export function clusterExternalSecretTarget(object: BuiltObject): string {
  return (
    str(field(object.object, "spec", "externalSecretSpec", "target", "name")) ??
    str(field(object.object, "spec", "externalSecretName")) ??
    object.name
  );
}

export function isClusterExternalSecret(o: { apiVersion: string; kind: string }): boolean {
  return o.kind === "ClusterExternalSecret" && o.apiVersion.startsWith("external-secrets.io/");
}

export function isExternalSecret(o: { apiVersion: string; kind: string }): boolean {
  return o.kind === "ExternalSecret" && o.apiVersion.startsWith("external-secrets.io/");
}

// what can provide a Kustomization's sources, once per graph: the core/v1 objects of each namespace by name
// and its ExternalSecrets by target, and the ClusterExternalSecrets (a scan of every object of the namespace
// per source was quadratic: every Flux Kustomization lives in flux-system)
interface ObjectIndex {
  /** `namespace\0name` → v1 objects of that name and ExternalSecrets with that target, in graph order */
  candidates: Map<string, BuiltObject[]>;
  clusterExternalSecrets: BuiltObject[];
}

const indexes = new WeakMap<RepoGraph, ObjectIndex>();

function objectIndex(graph: RepoGraph): ObjectIndex {
  return getOrCompute(indexes, graph, () => {
    const index: ObjectIndex = { candidates: new Map(), clusterExternalSecrets: [] };
    for (const object of graph.objects) {
      const ns = object.namespace ?? "";
      if (object.apiVersion === "v1")
        getOrCompute(index.candidates, `${ns}\0${object.name}`, () => []).push(object);
      else if (isExternalSecret(object))
        getOrCompute(index.candidates, `${ns}\0${externalSecretTarget(object)}`, () => []).push(object);
      if (isClusterExternalSecret(object)) index.clusterExternalSecrets.push(object);
    }
    return index;
  });
}

/** Works out which variables a Flux Kustomization's `postBuild` can provide. */
export function substitutionScope(
  graph: RepoGraph,
  node: FluxKustomizationNode,
  openEndedNames: RegExp,
): SubstitutionScope {
  const postBuild = field(node.spec, "postBuild");
  const inline = new Set([
    ...Object.keys(node.variables),
    ...entries(field(postBuild, "substitute")).map(([k]) => k),
  ]);
  const sources: SubstitutionSource[] = [];
  list(field(postBuild, "substituteFrom")).forEach((ref, index) => {
    const kind = str(field(ref, "kind")) ?? "";
    const name = str(field(ref, "name")) ?? "";
    const source: SubstitutionSource = {
      kind,
      name,
      index,
      optional: field(ref, "optional") === true,
      providers: [],
      keys: new Set(),
      openEnded: false,
    };
    const { candidates, clusterExternalSecrets } = objectIndex(graph);
    for (const object of candidates.get(`${node.namespace}\0${name}`) ?? []) {
      if (object.kind === kind && object.apiVersion === "v1" && object.name === name) {
        source.providers.push(object);
        for (const key of Object.keys({
          ...asRecord(field(object.object, "data")),
          ...asRecord(field(object.object, "stringData")),
        })) {
          source.keys.add(key);
        }
      } else if (kind === "Secret" && isExternalSecret(object) && externalSecretTarget(object) === name) {
        source.providers.push(object);
        const keys = externalSecretKeys(object.object);
        if (keys) for (const key of keys) source.keys.add(key);
        else source.openEnded = true;
      }
    }
    // a ClusterExternalSecret writes its target Secret into every selected namespace
    for (const object of clusterExternalSecrets) {
      if (kind !== "Secret") continue;
      const spec = field(object.object, "spec", "externalSecretSpec");
      const target =
        str(field(spec, "target", "name")) ??
        str(field(object.object, "spec", "externalSecretName")) ??
        object.name;
      if (target !== name) continue;
      source.providers.push(object);
      const keys = externalSecretKeys({ spec });
      if (keys) for (const key of keys) source.keys.add(key);
      else source.openEnded = true;
    }
    // what the build found for this entry (it also reads SOPS and ConfigMap files no Kustomization applies)
    const built = node.substitutionSources?.find((b) => b.kind === kind && b.name === name);
    if (built) {
      for (const key of built.keys) source.keys.add(key);
      if (built.found && !built.complete) source.openEnded = true;
    }
    // not in the repository: created outside Git (a bootstrap step) or missing (the build reports that);
    // either way its keys cannot be known here
    if (source.providers.length === 0 && built?.found !== true) source.unknown = true;
    sources.push(source);
  });
  const openEnded = sources.some((s) => s.openEnded);
  return {
    enabled: isRecord(postBuild),
    inline,
    sources,
    openEnded,
    has: (name) =>
      (openEnded && openEndedNames.test(name)) ||
      inline.has(name) ||
      sources.some((s) => s.unknown === true || s.keys.has(name)),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
