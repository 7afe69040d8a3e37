import { AsyncLocalStorage } from "node:async_hooks";
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

/**
 * The kinds kustomize knows to be cluster-scoped, by apiVersion and kind (kyaml's precomputed table for its
 * built-in Kubernetes 1.21 schema, `openapi.precomputedIsNamespaceScoped`); every other type, custom
 * resources included, counts as namespaced and gets the namespace transformer's namespace. This is Flux's
 * table: every kustomize-controller up to 1.10 pins kustomize/kyaml v0.21.1.
 */
const CLUSTER_SCOPED = new Set([
  "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
  "apiextensions.k8s.io/v1 CustomResourceDefinition",
  "apiextensions.k8s.io/v1beta1 CustomResourceDefinition",
  "apiregistration.k8s.io/v1 APIService",
  "apiregistration.k8s.io/v1beta1 APIService",
  "certificates.k8s.io/v1 CertificateSigningRequest",
  "certificates.k8s.io/v1beta1 CertificateSigningRequest",
  "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema",
  "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration",
  "networking.k8s.io/v1 IngressClass",
  "networking.k8s.io/v1beta1 IngressClass",
  "node.k8s.io/v1 RuntimeClass",
  "node.k8s.io/v1beta1 RuntimeClass",
  "policy/v1beta1 PodSecurityPolicy",
  "rbac.authorization.k8s.io/v1 ClusterRole",
  "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1beta1 ClusterRole",
  "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding",
  "scheduling.k8s.io/v1 PriorityClass",
  "scheduling.k8s.io/v1beta1 PriorityClass",
  "storage.k8s.io/v1 CSIDriver",
  "storage.k8s.io/v1 CSINode",
  "storage.k8s.io/v1 StorageClass",
  "storage.k8s.io/v1 VolumeAttachment",
  "storage.k8s.io/v1beta1 CSIDriver",
  "storage.k8s.io/v1beta1 CSINode",
  "storage.k8s.io/v1beta1 StorageClass",
  "storage.k8s.io/v1beta1 VolumeAttachment",
  "v1 ComponentStatus",
  "v1 Namespace",
  "v1 Node",
  "v1 NodeProxyOptions",
  "v1 PersistentVolume",
]);

/** kyaml v0.21.2 (the kustomize CLI v5.8) adds the v1 admission policies. */
const CLUSTER_SCOPED_CLI = new Set([
  ...CLUSTER_SCOPED,
  "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding",
]);

/** Whose kustomize a build follows: Flux's kustomize-controller (the default) or the kustomize CLI. */
export type KustomizeFlavour = "flux" | "cli";
const flavour = new AsyncLocalStorage<KustomizeFlavour>();

/** Runs `build` (and everything it awaits) with the scope table of `which` kustomize. */
export function withKustomizeFlavour<T>(which: KustomizeFlavour, build: () => T): T {
  return flavour.run(which, build);
}

/** Cluster-scoped as far as kustomize knows (its built-in table; custom resources count as namespaced). */
export function isClusterScoped(apiVersion: unknown, kind: string): boolean {
  const table = flavour.getStore() === "cli" ? CLUSTER_SCOPED_CLI : CLUSTER_SCOPED;
  return table.has(`${typeof apiVersion === "string" ? apiVersion : ""} ${kind}`);
}

/** The fields of a kustomize patch/replacement target selector. */
export const SELECTOR_KEYS = [
  "group",
  "version",
  "kind",
  "name",
  "namespace",
  "labelSelector",
  "annotationSelector",
] as const;

export function toSelector(v: unknown): Selector | undefined {
  if (!isObj(v)) return undefined;
  const out: Selector = {};
  for (const key of SELECTOR_KEYS) {
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

function effectiveNamespace(apiVersion: unknown, kind: string, ns: string): string {
  if (isClusterScoped(apiVersion, kind)) return "~X";
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
    if (!re || !nss.some((ns) => re.test(effectiveNamespace(o.apiVersion, kind, ns)))) return false;
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
