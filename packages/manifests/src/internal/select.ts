import { getKind, getNamespace, groupVersion, isObj, type Obj, type Res, stringMap } from "./res.js";

/** A kustomize patch/replacement target selector. */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "APIService",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "RuntimeClass",
  "IngressClass",
  "ComponentStatus",
  "CertificateSigningRequest",
  "PodSecurityPolicy",
  "TokenReview",
  "SelfSubjectAccessReview",
  "SubjectAccessReview",
  "SelfSubjectRulesReview",
  "FlowSchema",
  "PriorityLevelConfiguration",
]);

/** Cluster-scoped as far as kustomize knows (its built-in schema; custom resources count as namespaced). */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export function toSelector(v: unknown): Selector | undefined {
  if (!isObj(v)) return undefined;
  const out: Selector = {};
  for (const key of [
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "annotationSelector",
  ] as const) {
    const val = v[key];
    if (typeof val === "string" && val !== "") out[key] = val;
  }
  return out;
}

function anchored(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

function effectiveNamespace(kind: string, ns: string): string {
  if (isClusterScoped(kind)) return "~X";
  return ns === "" ? "default" : ns;
}

/** Does `r` match `sel` (kustomize `ResMap.Select`: original or current name/namespace, regexes anchored)? */
export function matchesSelector(r: Res, sel: Selector): boolean {
  const o = r.obj;
  const kind = getKind(o);
  const { group, version } = groupVersion(typeof o.apiVersion === "string" ? o.apiVersion : "");
  if (sel.namespace !== undefined) {
    const re = anchored(sel.namespace);
    const nss = [getNamespace(o), ...r.previous.map((p) => p.namespace)];
    if (!re || !nss.some((ns) => re.test(effectiveNamespace(kind, ns)))) return false;
  }
  if (sel.name !== undefined) {
    const re = anchored(sel.name);
    const names = [String((o.metadata as Obj | undefined)?.name ?? ""), ...r.previous.map((p) => p.name)];
    if (!re || !names.some((n) => re.test(n))) return false;
  }
  if (sel.kind !== undefined && sel.kind !== kind) return false;
  if (sel.group !== undefined && sel.group !== group) return false;
  if (sel.version !== undefined && sel.version !== version) return false;
  const m = isObj(o.metadata) ? o.metadata : {};
  if (sel.labelSelector !== undefined && !matchLabelSelector(sel.labelSelector, stringMap(m.labels)))
    return false;
  if (
    sel.annotationSelector !== undefined &&
    !matchLabelSelector(sel.annotationSelector, stringMap(m.annotations))
  ) {
    return false;
  }
  return true;
}

/** Kubernetes label selector string: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function matchLabelSelector(selector: string, labels: Record<string, string>): boolean {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of selector) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur.trim() !== "") parts.push(cur);
  return parts.every((raw) => {
    const p = raw.trim();
    let m = /^(\S+?)\s+(in|notin)\s+\((.*)\)$/.exec(p);
    if (m) {
      const values = m[3]!.split(",").map((s) => s.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === "in" ? has : !has;
    }
    m = /^(.+?)\s*(!=|==|=)\s*(.*)$/.exec(p);
    if (m) {
      const key = m[1]!.trim();
      const value = m[3]!.trim();
      return m[2] === "!=" ? labels[key] !== value : labels[key] === value;
    }
    if (p.startsWith("!")) return !(p.slice(1).trim() in labels);
    return p in labels;
  });
}
