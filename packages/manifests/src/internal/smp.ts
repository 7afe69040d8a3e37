// Strategic merge patch as kustomize applies it (kyaml merge2 with kustomize's built-in OpenAPI schema):
// maps merge recursively, `null` deletes, `$patch: replace|delete` directives, lists merge by their
// patch merge key only where the Kubernetes schema declares one (else the patch list replaces the
// target list; custom resources have no schema, so their lists are always replaced). Merged lists put the patch's
// elements first, in patch order, then the target's remaining elements (what kustomize 5 does).
import { clone, isObj, type Obj } from "./res.js";

/** Merge keys of the built-in kinds, by field path suffix (`*` = any index). */
interface ListRule {
  keys: string[];
}

const POD_SPEC_LISTS: Record<string, ListRule> = {
  containers: { keys: ["name"] },
  initContainers: { keys: ["name"] },
  ephemeralContainers: { keys: ["name"] },
  volumes: { keys: ["name"] },
  imagePullSecrets: { keys: ["name"] },
  hostAliases: { keys: ["ip"] },
  topologySpreadConstraints: { keys: ["topologyKey", "whenUnsatisfiable"] },
  resourceClaims: { keys: ["name"] },
  schedulingGates: { keys: ["name"] },
};

const CONTAINER_LISTS: Record<string, ListRule> = {
  env: { keys: ["name"] },
  ports: { keys: ["containerPort", "protocol"] },
  volumeMounts: { keys: ["mountPath"] },
  volumeDevices: { keys: ["devicePath"] },
};

const POD_SPEC_PATHS: Record<string, string[][]> = {
  Pod: [["spec"]],
  Deployment: [["spec", "template", "spec"]],
  StatefulSet: [["spec", "template", "spec"]],
  DaemonSet: [["spec", "template", "spec"]],
  ReplicaSet: [["spec", "template", "spec"]],
  ReplicationController: [["spec", "template", "spec"]],
  Job: [["spec", "template", "spec"]],
  PodTemplate: [["template", "spec"]],
  CronJob: [["spec", "jobTemplate", "spec", "template", "spec"]],
};

const BUILTIN_GROUPS = new Set(["", "apps", "batch"]);

/** The merge rule for the list at `path` of an object of `kind`, or undefined (= replace). */
function listRule(kind: string, group: string, path: string[]): ListRule | undefined {
  if (path.length === 2 && path[0] === "metadata" && path[1] === "finalizers") return { keys: [] };
  if (path.length === 2 && path[0] === "metadata" && path[1] === "ownerReferences") return { keys: ["uid"] };
  if (!BUILTIN_GROUPS.has(group)) return undefined;
  if (kind === "Service" && path.join("/") === "spec/ports") return { keys: ["port", "protocol"] };
  for (const base of POD_SPEC_PATHS[kind] ?? []) {
    if (path.length <= base.length || !base.every((b, i) => path[i] === b)) continue;
    const rest = path.slice(base.length);
    if (rest.length === 1) return POD_SPEC_LISTS[rest[0]!];
    if (
      rest.length === 3 &&
      (rest[0] === "containers" || rest[0] === "initContainers" || rest[0] === "ephemeralContainers") &&
      rest[1] === "*"
    ) {
      return CONTAINER_LISTS[rest[2]!];
    }
  }
  if (kind === "StatefulSet" && path.join("/") === "spec/volumeClaimTemplates") return undefined;
  return undefined;
}

const DIRECTIVE = "$patch";

/** Applies `patch` to `target` (both plain objects); returns the new object or `undefined` when deleted. */
export function applyStrategicMerge(target: Obj, patch: Obj, kind: string, group: string): Obj | undefined {
  const out = mergeValue(target, patch, kind, group, []);
  return isObj(out) ? out : undefined;
}

const DELETED = Symbol("deleted");

function mergeValue(dest: unknown, src: unknown, kind: string, group: string, path: string[]): unknown {
  if (src === null) return DELETED;
  if (isObj(src)) {
    const directive = src[DIRECTIVE];
    if (directive === "delete") return DELETED;
    if (directive === "replace") return cleanPatch(src, kind, group, path);
    if (!isObj(dest)) return cleanPatch(src, kind, group, path);
    const out: Obj = { ...dest };
    for (const [key, value] of Object.entries(src)) {
      if (key === DIRECTIVE || key.startsWith("$setElementOrder/") || key === "$retainKeys") continue;
      const merged = mergeValue(dest[key], value, kind, group, [...path, key]);
      if (merged === DELETED) delete out[key];
      else out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(src)) {
    const rule = listRule(kind, group, path);
    if (!rule || !Array.isArray(dest)) return cleanPatch(src, kind, group, path);
    return mergeList(dest, src, rule, kind, group, path);
  }
  return src;
}

// kustomize orders a merged list as: the patch's elements in patch order (merged with their match),
// then the target's elements the patch did not mention, in target order.
function mergeList(
  dest: unknown[],
  src: unknown[],
  rule: ListRule,
  kind: string,
  group: string,
  path: string[],
): unknown[] {
  if (rule.keys.length === 0) {
    const key = (v: unknown): string => JSON.stringify(v);
    const fromPatch = src.filter((v) => !(isObj(v) && v[DIRECTIVE] !== undefined));
    const seen = new Set(fromPatch.map(key));
    return [...fromPatch.map((v) => clone(v)), ...dest.filter((d) => !seen.has(key(d)))];
  }
  const out: unknown[] = [];
  const used = new Set<number>();
  const elemPath = [...path, "*"];
  for (const item of src) {
    if (!isObj(item)) continue;
    const index = dest.findIndex((d, i) => !used.has(i) && isObj(d) && sameKey(d, item, rule.keys));
    if (index >= 0) used.add(index);
    if (item[DIRECTIVE] === "delete") continue;
    if (index >= 0) {
      const merged = mergeValue(dest[index], item, kind, group, elemPath);
      if (merged !== DELETED) out.push(merged);
    } else {
      out.push(cleanPatch(item, kind, group, elemPath));
    }
  }
  dest.forEach((d, i) => {
    if (!used.has(i)) out.push(d);
  });
  return out;
}

function sameKey(a: Obj, b: Obj, keys: string[]): boolean {
  // kyaml: secondary keys missing from the patch element fall back to the keys that are present
  const present = keys.filter((k) => b[k] !== undefined);
  if (present.length === 0) return false;
  return present.every((k) => String(a[k] ?? (k === "protocol" ? "TCP" : "")) === String(b[k]));
}

/** A patch value added where nothing was: drop nulls and directives. */
function cleanPatch(v: unknown, kind: string, group: string, path: string[]): unknown {
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, val] of Object.entries(v)) {
      if (k === DIRECTIVE || k.startsWith("$setElementOrder/") || k === "$retainKeys" || val === null)
        continue;
      out[k] = cleanPatch(val, kind, group, [...path, k]);
    }
    return out;
  }
  if (Array.isArray(v)) {
    return v
      .filter((item) => !(isObj(item) && item[DIRECTIVE] === "delete"))
      .map((item) => cleanPatch(item, kind, group, [...path, "*"]));
  }
  return clone(v);
}
