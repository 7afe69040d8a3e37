// The built-in kustomize transformers homeops models, with kustomize's default field specs.
import { createHash } from "node:crypto";
import { getKind, getName, getNamespace, groupVersion, isObj, meta, type Obj, type Res } from "./res.js";
import { isClusterScoped } from "./select.js";

export type FieldSpec = { kinds?: string[]; group?: string; path: string[]; create: boolean };

const WORKLOADS = ["ReplicationController", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job"];

const SELECTOR_LABEL_SPECS: FieldSpec[] = [
  { path: ["metadata", "labels"], create: true },
  { kinds: ["ReplicationController"], path: ["spec", "selector"], create: true },
  {
    kinds: ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"],
    path: ["spec", "selector", "matchLabels"],
    create: true,
  },
  { kinds: WORKLOADS, path: ["spec", "template", "metadata", "labels"], create: true },
  { kinds: ["StatefulSet"], path: ["spec", "volumeClaimTemplates", "*", "metadata", "labels"], create: true },
  { kinds: ["Service"], path: ["spec", "selector"], create: true },
  { kinds: ["Job"], path: ["spec", "selector", "matchLabels"], create: false },
  { kinds: ["CronJob"], path: ["spec", "jobTemplate", "spec", "selector", "matchLabels"], create: false },
  { kinds: ["CronJob"], path: ["spec", "jobTemplate", "metadata", "labels"], create: true },
  {
    kinds: ["CronJob"],
    path: ["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
    create: true,
  },
  { kinds: ["PodDisruptionBudget"], path: ["spec", "selector", "matchLabels"], create: false },
  { kinds: ["NetworkPolicy"], path: ["spec", "podSelector", "matchLabels"], create: false },
  {
    kinds: ["NetworkPolicy"],
    path: ["spec", "ingress", "*", "from", "*", "podSelector", "matchLabels"],
    create: false,
  },
  {
    kinds: ["NetworkPolicy"],
    path: ["spec", "egress", "*", "to", "*", "podSelector", "matchLabels"],
    create: false,
  },
];

const TEMPLATE_LABEL_SPECS: FieldSpec[] = [
  { path: ["metadata", "labels"], create: true },
  { kinds: WORKLOADS, path: ["spec", "template", "metadata", "labels"], create: true },
  {
    kinds: ["CronJob"],
    path: ["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
    create: true,
  },
];

const METADATA_LABEL_SPECS: FieldSpec[] = [{ path: ["metadata", "labels"], create: true }];

const ANNOTATION_SPECS: FieldSpec[] = [
  { path: ["metadata", "annotations"], create: true },
  { kinds: WORKLOADS, path: ["spec", "template", "metadata", "annotations"], create: true },
  { kinds: ["CronJob"], path: ["spec", "jobTemplate", "metadata", "annotations"], create: true },
  {
    kinds: ["CronJob"],
    path: ["spec", "jobTemplate", "spec", "template", "metadata", "annotations"],
    create: true,
  },
];

function setMapAt(o: unknown, path: string[], values: Record<string, string>, create: boolean): void {
  if (path.length === 0) return;
  const [head, ...rest] = path;
  if (head === "*") {
    if (Array.isArray(o)) for (const item of o) setMapAt(item, rest, values, create);
    return;
  }
  if (!isObj(o)) return;
  if (rest.length === 0) {
    let target = o[head!];
    if (!isObj(target)) {
      if (!create && target === undefined) return;
      target = {};
      o[head!] = target;
    }
    Object.assign(target as Obj, values);
    return;
  }
  let next = o[head!];
  if (next === undefined || next === null) {
    if (!create || rest[0] === "*") return;
    next = {};
    o[head!] = next;
  }
  setMapAt(next, rest, values, create);
}

function applySpecs(resources: Res[], specs: FieldSpec[], values: Record<string, string>): void {
  if (Object.keys(values).length === 0) return;
  for (const r of resources) {
    const kind = getKind(r.obj);
    for (const spec of specs) {
      if (spec.kinds && !spec.kinds.includes(kind)) continue;
      setMapAt(r.obj, spec.path, values, spec.create);
    }
  }
}

export function applyCommonLabels(resources: Res[], labels: Record<string, string>): void {
  applySpecs(resources, SELECTOR_LABEL_SPECS, labels);
}

/** A kustomize field spec from a `labels[].fields` entry (`spec/volumeClaimTemplates[]/metadata/labels`). */
export function toFieldSpec(v: unknown): FieldSpec | undefined {
  if (!isObj(v) || typeof v.path !== "string") return undefined;
  const path = v.path
    .split("/")
    .filter((p) => p !== "")
    .flatMap((p) => (p.endsWith("[]") ? [p.slice(0, -2), "*"] : [p]));
  return {
    path,
    create: v.create === true,
    ...(typeof v.kind === "string" ? { kinds: [v.kind] } : {}),
    ...(typeof v.group === "string" ? { group: v.group } : {}),
  };
}

export function applyLabels(
  resources: Res[],
  labels: Record<string, string>,
  includeSelectors: boolean,
  includeTemplates: boolean,
  fields: FieldSpec[] = [],
): void {
  applySpecs(
    resources,
    [
      ...(includeSelectors
        ? SELECTOR_LABEL_SPECS
        : includeTemplates
          ? TEMPLATE_LABEL_SPECS
          : METADATA_LABEL_SPECS),
      ...fields,
    ],
    labels,
  );
}

export function applyCommonAnnotations(resources: Res[], annotations: Record<string, string>): void {
  applySpecs(resources, ANNOTATION_SPECS, annotations);
}

/**
 * kustomize's namespace transformer with its default field specs: `metadata.namespace` of namespaced
 * kinds, the name of `Namespace` objects, service namespaces of APIService/CRD conversion/webhook
 * configurations, and role binding subjects named `default`.
 */
export function applyNamespace(resources: Res[], namespace: string, options: NamespaceOptions = {}): void {
  const subjects = options.setRoleBindingSubjects ?? "defaultOnly";
  const unsetOnly = options.unsetOnly === true;
  const set = (holder: Obj, key: string): void => {
    if (unsetOnly && holder[key] !== undefined && holder[key] !== null && holder[key] !== "") return;
    holder[key] = namespace;
  };
  for (const r of resources) {
    const kind = getKind(r.obj);
    const group = groupVersion(String(r.obj.apiVersion ?? "")).group;
    // kustomize stores the previous id of every resource it visits, changed or not (name references
    // to ServiceAccounts match on it)
    r.previous.push({ name: getName(r.obj), namespace: getNamespace(r.obj) });
    if (!isClusterScoped(r.obj.apiVersion, kind)) set(meta(r.obj), "namespace");
    const isBinding = kind === "RoleBinding" || kind === "ClusterRoleBinding";
    if (isBinding && Array.isArray(r.obj.subjects) && subjects !== "none") {
      for (const s of r.obj.subjects) {
        if (!isObj(s)) continue;
        if (subjects === "defaultOnly" ? s.name === "default" : s.kind === "ServiceAccount")
          set(s, "namespace");
      }
    }
    if (options.fieldSpecs) {
      // a NamespaceTransformer's own field specs replace the defaults; metadata.namespace and binding
      // subjects are always handled as above, metadata.name only on apiVersion v1 (namespace.go)
      for (const spec of options.fieldSpecs) {
        if (spec.kinds && !spec.kinds.includes(kind)) continue;
        if (spec.group !== undefined && spec.group !== group) continue;
        const path = spec.path.join("/");
        if (path === "metadata/namespace") continue;
        if (isBinding && path === "subjects/namespace") continue;
        if (path === "metadata/name" && r.obj.apiVersion !== "v1") continue;
        setScalarAt(r.obj, spec.path, spec.create, set);
      }
      continue;
    }
    if (kind === "Namespace" && group === "") meta(r.obj).name = namespace;
    if (kind === "APIService" && group === "apiregistration.k8s.io")
      setMapAt(r.obj, ["spec", "service"], { namespace }, true);
    if (kind === "CustomResourceDefinition") {
      const svc = ["spec", "conversion", "webhook", "clientConfig", "service"];
      let cur: unknown = r.obj;
      for (const p of svc) cur = isObj(cur) ? cur[p] : undefined;
      if (isObj(cur)) cur.namespace = namespace;
    }
    if (kind === "ValidatingWebhookConfiguration" || kind === "MutatingWebhookConfiguration") {
      for (const w of Array.isArray(r.obj.webhooks) ? r.obj.webhooks : []) {
        if (isObj(w) && isObj(w.clientConfig) && isObj(w.clientConfig.service))
          w.clientConfig.service.namespace = namespace;
      }
    }
  }
}

/** A NamespaceTransformer's options (kustomize's `namespace.Filter`). */
export interface NamespaceOptions {
  /** Field specs replacing the defaults (a `transformers:` NamespaceTransformer's `fieldSpecs`). */
  fieldSpecs?: FieldSpec[];
  /** Only set namespace fields that are empty. */
  unsetOnly?: boolean;
  /** Which (Cluster)RoleBinding subjects get the namespace; `defaultOnly` by default. */
  setRoleBindingSubjects?: "defaultOnly" | "allServiceAccounts" | "none";
}

function setScalarAt(
  o: unknown,
  path: string[],
  create: boolean,
  set: (holder: Obj, key: string) => void,
): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === "*") {
    if (Array.isArray(o)) for (const item of o) setScalarAt(item, rest, create, set);
    return;
  }
  if (!isObj(o)) return;
  if (rest.length === 0) {
    if (o[head] === undefined && !create) return;
    set(o, head);
    return;
  }
  let next = o[head];
  if (next === undefined || next === null) {
    if (!create || rest[0] === "*") return;
    next = {};
    o[head] = next;
  }
  setScalarAt(next, rest, create, set);
}

const NO_PREFIX = new Set(["CustomResourceDefinition", "Namespace", "APIService"]);

export function applyPrefixSuffix(resources: Res[], prefix: string, suffix: string): void {
  if (prefix === "" && suffix === "") return;
  for (const r of resources) {
    if (NO_PREFIX.has(getKind(r.obj))) continue;
    const name = getName(r.obj);
    r.previous.push({ name, namespace: getNamespace(r.obj) });
    meta(r.obj).name = `${prefix}${name}${suffix}`;
  }
}

export function applyReplicas(resources: Res[], replicas: { name: string; count: number }[]): void {
  const kinds = new Set(["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"]);
  for (const { name, count } of replicas) {
    for (const r of resources) {
      if (!kinds.has(getKind(r.obj))) continue;
      if (getName(r.obj) !== name && !r.previous.some((p) => p.name === name)) continue;
      const spec = isObj(r.obj.spec) ? r.obj.spec : {};
      spec.replicas = count;
      r.obj.spec = spec;
    }
  }
}

export interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function splitImage(image: string): { name: string; tag: string; digest: string } {
  let rest = image;
  let digest = "";
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = "";
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

function updateImage(image: string, rule: ImageRule): string | undefined {
  const parts = splitImage(image);
  if (parts.name !== rule.name) return undefined;
  const name = rule.newName ?? parts.name;
  if (rule.digest) return `${name}@${rule.digest}`;
  if (rule.newTag) return `${name}:${rule.newTag}`;
  return `${name}${parts.tag ? `:${parts.tag}` : ""}${parts.digest ? `@${parts.digest}` : ""}`;
}

/** kustomize's image transformer (legacy filter: any `containers`/`initContainers` list at any depth). */
export function applyImages(resources: Res[], rules: ImageRule[]): void {
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const item of v) visit(item);
      return;
    }
    if (!isObj(v)) return;
    for (const [key, value] of Object.entries(v)) {
      if ((key === "containers" || key === "initContainers") && Array.isArray(value)) {
        for (const c of value) {
          if (!isObj(c) || typeof c.image !== "string") continue;
          for (const rule of rules) {
            const updated = updateImage(c.image, rule);
            if (updated !== undefined) {
              c.image = updated;
              break;
            }
          }
        }
      }
      visit(value);
    }
  };
  for (const r of resources) visit(r.obj);
}

// --- name suffix hash (sigs.k8s.io/kustomize/api/hasher) -------------------------------------------

/** Go's encoding/json string escaping (HTML-safe: <, >, & and U+2028/U+2029 escaped). */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Go's json.Marshal of map[string]interface{} (sorted keys, no spaces). */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goJsonString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  const o = v as Obj;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${goJsonString(k)}:${goJson(o[k])}`)
    .join(",")}}`;
}

function encodeHash(hex: string): string {
  const map: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join("");
}

function stringifyValues(v: unknown): unknown {
  if (!isObj(v)) return v === undefined ? "" : v;
  const out: Obj = {};
  for (const [k, val] of Object.entries(v))
    out[k] = typeof val === "string" ? val : val === null ? null : String(val);
  return out;
}

/** The 10-character suffix kustomize appends to generated ConfigMap/Secret names. */
export function kustomizeHash(o: Obj): string {
  const kind = getKind(o);
  let encoded: string;
  if (kind === "ConfigMap") {
    // kustomize looks the name up as a single field called "metadata/name", finds nothing, and hashes "".
    const m: Obj = { kind: "ConfigMap", name: "", data: stringifyValues(o.data) };
    if (isObj(o.binaryData)) m.binaryData = stringifyValues(o.binaryData);
    encoded = goJson(m);
  } else if (kind === "Secret") {
    const m: Obj = {
      kind: "Secret",
      type: typeof o.type === "string" ? o.type : "",
      name: "",
      data: stringifyValues(o.data),
    };
    if (isObj(o.stringData)) m.stringData = stringifyValues(o.stringData);
    encoded = goJson(m);
  } else {
    encoded = goJson(o);
  }
  return encodeHash(createHash("sha256").update(encoded).digest("hex"));
}

// --- name references (the ConfigMap/Secret subset of kustomize's nameReference config) ---------------

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

type RefVisitor = (kind: "ConfigMap" | "Secret", holder: Obj, field: string) => void;

function visitPodSpecRefs(spec: unknown, visit: RefVisitor): void {
  if (!isObj(spec)) return;
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!isObj(v)) continue;
    if (isObj(v.configMap)) visit("ConfigMap", v.configMap, "name");
    if (isObj(v.secret)) visit("Secret", v.secret, "secretName");
    if (isObj(v.projected) && Array.isArray(v.projected.sources)) {
      for (const s of v.projected.sources) {
        if (!isObj(s)) continue;
        if (isObj(s.configMap)) visit("ConfigMap", s.configMap, "name");
        if (isObj(s.secret)) visit("Secret", s.secret, "name");
      }
    }
  }
  for (const s of Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : [])
    if (isObj(s)) visit("Secret", s, "name");
  for (const key of ["containers", "initContainers", "ephemeralContainers"]) {
    const list = spec[key];
    for (const c of Array.isArray(list) ? list : []) {
      if (!isObj(c)) continue;
      for (const e of Array.isArray(c.env) ? c.env : []) {
        if (!isObj(e) || !isObj(e.valueFrom)) continue;
        if (isObj(e.valueFrom.configMapKeyRef)) visit("ConfigMap", e.valueFrom.configMapKeyRef, "name");
        if (isObj(e.valueFrom.secretKeyRef)) visit("Secret", e.valueFrom.secretKeyRef, "name");
      }
      for (const e of Array.isArray(c.envFrom) ? c.envFrom : []) {
        if (!isObj(e)) continue;
        if (isObj(e.configMapRef)) visit("ConfigMap", e.configMapRef, "name");
        if (isObj(e.secretRef)) visit("Secret", e.secretRef, "name");
      }
    }
  }
}

function visitRefs(o: Obj, visit: RefVisitor): void {
  const kind = getKind(o);
  const path = POD_SPEC_PATHS[kind];
  if (path) {
    let cur: unknown = o;
    for (const p of path) cur = isObj(cur) ? cur[p] : undefined;
    visitPodSpecRefs(cur, visit);
  }
  if (kind === "Ingress" && isObj(o.spec) && Array.isArray(o.spec.tls)) {
    for (const t of o.spec.tls) if (isObj(t)) visit("Secret", t, "secretName");
  }
  if (kind === "ServiceAccount") {
    for (const key of ["secrets", "imagePullSecrets"]) {
      const list = o[key];
      for (const s of Array.isArray(list) ? list : []) if (isObj(s)) visit("Secret", s, "name");
    }
  }
}

/** A `nameReference` entry of a kustomize `configurations:` file. */
export interface NameReference {
  kind: string;
  group?: string;
  fieldSpecs: { path: string; kind?: string; group?: string }[];
}

function visitCustomRefs(
  o: Obj,
  refs: readonly NameReference[],
  visit: (kind: string, group: string | undefined, holder: Obj, field: string) => void,
): void {
  const kind = getKind(o);
  const { group } = groupVersion(String(o.apiVersion ?? ""));
  for (const ref of refs) {
    for (const spec of ref.fieldSpecs) {
      if (spec.kind !== undefined && spec.kind !== kind) continue;
      if (spec.group !== undefined && spec.group !== group) continue;
      const segs = spec.path.split("/").filter((x) => x !== "");
      const walk = (v: unknown, i: number): void => {
        if (Array.isArray(v)) {
          for (const item of v) walk(item, i);
          return;
        }
        if (!isObj(v) || i >= segs.length) return;
        const seg = segs[i]!.replace(/\[\]$/, "");
        if (i === segs.length - 1) visit(ref.kind, ref.group, v, seg);
        else walk(v[seg], i + 1);
      };
      walk(o, 0);
    }
  }
}

/**
 * Appends the hash suffix to generated objects, then points references at the new names: the built-in
 * ConfigMap/Secret references of pod templates, plus `nameReference`s from `configurations:` files.
 */
export function addHashesAndFixReferences(resources: Res[], custom: readonly NameReference[] = []): void {
  for (const r of resources) {
    if (!r.needsHash) continue;
    const name = getName(r.obj);
    r.previous.push({ name, namespace: getNamespace(r.obj) });
    meta(r.obj).name = `${name}-${kustomizeHash(r.obj)}`;
  }
  const renamed = resources.filter((r) => r.previous.length > 0);
  if (renamed.length === 0) return;
  const fix = (referrer: Res, kind: string, group: string | undefined, holder: Obj, field: string): void => {
    const ref = holder[field];
    if (typeof ref !== "string") return;
    // kustomize does not look at a sibling `kind:` (HelmRelease valuesFrom): neither do we
    const ns = getNamespace(referrer.obj);
    const candidates = renamed.filter(
      (r) =>
        getKind(r.obj) === kind &&
        groupVersion(String(r.obj.apiVersion)).group === (group ?? "") &&
        (getNamespace(r.obj) === ns || isClusterScoped(r.obj.apiVersion, kind)) &&
        r.previous.some((p) => p.name === ref),
    );
    if (candidates.length === 1) holder[field] = getName(candidates[0]!.obj);
  };
  for (const referrer of resources) {
    visitRefs(referrer.obj, (kind, holder, field) => fix(referrer, kind, undefined, holder, field));
    fixServiceAccountRefs(referrer, resources, renamed);
    if (custom.length > 0)
      visitCustomRefs(referrer.obj, custom, (kind, group, holder, field) =>
        fix(referrer, kind, group, holder, field),
      );
  }
}

const RBAC = "rbac.authorization.k8s.io";

/**
 * kustomize's nameReference of ServiceAccounts: (Cluster)RoleBinding `subjects` take the name and the
 * namespace of the ServiceAccount they name (so a namespace transformer moves them along), pod specs'
 * `serviceAccountName` its name. Candidates are resources with a previous id (nameref.go selectReferral).
 */
function fixServiceAccountRefs(referrer: Res, all: Res[], renamed: Res[]): void {
  const o = referrer.obj;
  const kind = getKind(o);
  // what a namespaced referrer may point at (reswrangler.go SubsetThatCouldBeReferencedByResource): its
  // own namespace, and for a RoleBinding the namespaces its ServiceAccount subjects name
  const effective = (ns: string): string => ns || "default";
  const reachable = new Set<string>();
  if (!isClusterScoped(o.apiVersion, kind)) {
    reachable.add(effective(getNamespace(o)));
    if (kind === "RoleBinding" && Array.isArray(o.subjects)) {
      for (const s of o.subjects)
        if (isObj(s) && s.kind === "ServiceAccount" && typeof s.namespace === "string")
          reachable.add(s.namespace);
    }
  }
  const accounts = renamed.filter(
    (r) =>
      getKind(r.obj) === "ServiceAccount" &&
      groupVersion(String(r.obj.apiVersion ?? "")).group === "" &&
      (reachable.size === 0 || reachable.has(effective(getNamespace(r.obj)))),
  );
  if (accounts.length === 0) return;
  const pick = (name: string, candidates: Res[]): Res | undefined => {
    const matched = candidates.filter((r) => r.previous.some((p) => p.name === name));
    if (matched.length === 0) return undefined;
    const first = matched[0]!;
    // several candidates are one referral only when they agree on name and namespace
    const same = matched.every(
      (r) => getName(r.obj) === getName(first.obj) && getNamespace(r.obj) === getNamespace(first.obj),
    );
    return same ? first : undefined;
  };
  if (
    (kind === "RoleBinding" || kind === "ClusterRoleBinding") &&
    groupVersion(String(o.apiVersion ?? "")).group === RBAC
  ) {
    for (const s of Array.isArray(o.subjects) ? o.subjects : []) {
      if (!isObj(s) || typeof s.name !== "string") continue;
      let candidates = accounts;
      if ("namespace" in s) {
        const want = typeof s.namespace === "string" ? s.namespace : "";
        // by the namespace as first read when any resource had it, else by the current one
        const original = (r: Res): string => (r.previous[0]?.namespace ?? getNamespace(r.obj)) || "default";
        candidates = all.some((r) => original(r) === want)
          ? accounts.filter((r) => original(r) === want)
          : accounts.filter((r) => (getNamespace(r.obj) || "default") === want);
      }
      const referral = pick(s.name, candidates);
      if (!referral) continue;
      const ns = getNamespace(referral.obj);
      if (getName(referral.obj) === s.name && ns === "") continue;
      s.name = getName(referral.obj);
      if (ns !== "") s.namespace = ns;
    }
    return;
  }
  const path = kind === "ReplicaSet" ? undefined : POD_SPEC_PATHS[kind];
  if (!path) return;
  let spec: unknown = o;
  for (const p of path) spec = isObj(spec) ? spec[p] : undefined;
  if (!isObj(spec) || typeof spec.serviceAccountName !== "string") return;
  const referral = pick(spec.serviceAccountName, accounts);
  if (referral) spec.serviceAccountName = getName(referral.obj);
}
