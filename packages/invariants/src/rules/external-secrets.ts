import type { BuiltObject, FluxKustomizationNode } from "@homeops/manifests";
import {
  describeObject,
  isHelmRelease,
  locateKustomization,
  nodeId,
  partialObjects,
} from "../internal/graph.js";
import { externalSecretTarget, isExternalSecret } from "../internal/substitution.js";
import { field, isRecord, list, str } from "../internal/text.js";
import { isTemplated, walkValues } from "../internal/walk.js";
import type { Rule, RuleHit } from "../rule.js";
import { dependencyClosure, workloadNamespace } from "./storage.js";

function storeRef(object: BuiltObject): { kind: string; name: string } | undefined {
  const ref = field(object.object, "spec", "secretStoreRef");
  const name = str(field(ref, "name"));
  if (!name) return undefined;
  return { kind: str(field(ref, "kind")) ?? "SecretStore", name };
}

function storeKey(kind: string, name: string, namespace: string | undefined): string {
  return kind === "ClusterSecretStore"
    ? `ClusterSecretStore//${name}`
    : `SecretStore/${namespace ?? ""}/${name}`;
}

const isStore = (o: BuiltObject) =>
  (o.kind === "ClusterSecretStore" || o.kind === "SecretStore") &&
  o.apiVersion.startsWith("external-secrets.io/");

export const missingStore: Rule = {
  id: "externalsecret/missing-store",
  title: "secretStoreRef to a (Cluster)SecretStore not declared in the repo",
  severity: "error",
  needs: "graph",
  rationale:
    "An ExternalSecret whose store does not exist never syncs: the Secret is never created and every consumer fails to start.",
  hint: "fix secretStoreRef (kind defaults to SecretStore; use kind: ClusterSecretStore for a cluster-wide store) or declare the store",
  docs: `Every ExternalSecret's \`spec.secretStoreRef\` must name a ClusterSecretStore of the repository, or (kind
SecretStore, the default) a SecretStore in the ExternalSecret's namespace.`,
  check(ctx) {
    const graph = ctx.graph!;
    const stores = new Set(graph.objects.filter(isStore).map((o) => storeKey(o.kind, o.name, o.namespace)));
    const hits: RuleHit[] = [];
    const partial = partialObjects(graph);
    for (const object of graph.objects) {
      if (!isExternalSecret(object) || partial.has(object)) continue;
      const ref = storeRef(object);
      if (!ref || stores.has(storeKey(ref.kind, ref.name, object.namespace))) continue;
      hits.push({
        ...object.locate(["spec", "secretStoreRef", "name"]),
        message: `${describeObject(object)} uses ${ref.kind} '${ref.name}', which the repository does not declare${
          ref.kind === "SecretStore" ? ` in namespace ${object.namespace ?? "default"}` : ""
        }`,
        path: "spec.secretStoreRef.name",
      });
    }
    return hits;
  },
};

/** Names of Secrets the repository produces, by namespace. */
function producedSecrets(objects: readonly BuiltObject[]): { has(ns: string, name: string): boolean } {
  const names = new Set<string>();
  for (const o of objects) {
    const ns = o.namespace ?? "default";
    if (o.kind === "Secret" && o.apiVersion === "v1") names.add(`${ns}/${o.name}`);
    else if (isExternalSecret(o)) names.add(`${ns}/${externalSecretTarget(o)}`);
    else if (o.kind === "Certificate" && o.apiVersion.startsWith("cert-manager.io/")) {
      const secret = str(field(o.object, "spec", "secretName"));
      if (secret) names.add(`${ns}/${secret}`);
    } else if (o.kind === "Cluster" && o.apiVersion.startsWith("postgresql.cnpg.io/")) {
      // CloudNativePG writes the application, superuser, CA and server secrets of a cluster
      for (const suffix of ["app", "superuser", "ca", "server", "replication"])
        names.add(`${ns}/${o.name}-${suffix}`);
    } else if (o.kind === "ClusterExternalSecret" && o.apiVersion.startsWith("external-secrets.io/")) {
      const target =
        str(field(o.object, "spec", "externalSecretSpec", "target", "name")) ??
        str(field(o.object, "spec", "externalSecretName")) ??
        o.name;
      names.add(`*/${target}`);
    }
  }
  return {
    // secretGenerator output carries a hash suffix unless disableNameSuffixHash is set
    has: (ns, name) =>
      names.has(`${ns}/${name}`) ||
      [...names].some((n) => n.startsWith(`${ns}/${name}-`) && /-[a-z0-9]{10}$/.test(n)),
  };
}

/** Secret names an object refers to, with the path of each reference. */
function secretRefs(object: BuiltObject): { name: string; path: (string | number)[] }[] {
  const out: { name: string; path: (string | number)[] }[] = [];
  const hr = isHelmRelease(object);
  if (hr) {
    list(field(object.object, "spec", "valuesFrom")).forEach((v, i) => {
      const name = str(field(v, "name"));
      if (str(field(v, "kind")) === "Secret" && name && field(v, "optional") !== true) {
        out.push({ name, path: ["spec", "valuesFrom", i, "name"] });
      }
    });
  }
  walkValues(object.object, (value, path) => {
    const last = path[path.length - 1];
    const parent = path[path.length - 2];
    const inEnvFrom =
      last === "secretRef" && typeof parent === "number" && path[path.length - 3] === "envFrom";
    const inValueFrom = last === "secretKeyRef" && parent === "valueFrom";
    if ((inEnvFrom || inValueFrom) && isRecord(value) && typeof value.name === "string") {
      if (value.optional !== true) out.push({ name: value.name, path: [...path, "name"] });
    } else if (last === "secret" && isRecord(value) && typeof value.secretName === "string") {
      if (value.optional !== true) out.push({ name: value.secretName, path: [...path, "secretName"] });
    } else if (hr && path[1] === "values") {
      if (last === "existingSecret" && typeof value === "string" && value !== "")
        out.push({ name: value, path });
      // app-template shorthand: envFrom: [{secret: name}]
      else if (
        last === "secret" &&
        typeof value === "string" &&
        typeof parent === "number" &&
        path[path.length - 3] === "envFrom"
      ) {
        out.push({ name: value, path });
      }
      // app-template persistence entry of type secret
      else if (
        isRecord(value) &&
        value.type === "secret" &&
        typeof value.name === "string" &&
        path[path.length - 2] === "persistence"
      ) {
        out.push({ name: value.name, path: [...path, "name"] });
      }
    }
  });
  return out.filter((r) => !isTemplated(r.name));
}

export const missingSecret: Rule = {
  id: "externalsecret/missing-secret",
  title: "Secret reference that nothing in the repo produces",
  severity: "error",
  needs: "graph",
  rationale:
    "A pod or HelmRelease that needs a Secret nobody creates fails: pods stay in CreateContainerConfigError, HelmReleases fail on valuesFrom.",
  hint: "create the Secret with an ExternalSecret (target.name = the referenced name) or a SOPS-encrypted Secret, or fix the name",
  docs: `References checked: \`envFrom[].secretRef\`, \`env[].valueFrom.secretKeyRef\`, \`volumes[].secret.secretName\`
anywhere in built objects (including HelmRelease values), HelmRelease \`valuesFrom\` of kind Secret, and in
HelmRelease values \`existingSecret\`, app-template \`envFrom: [{secret: name}]\` and \`persistence\` entries of
\`type: secret\`. Producers: Secrets of the repository (SOPS-encrypted or generated), ExternalSecret targets
(\`target.name\`, default the ExternalSecret's name — \`dataFrom.extract\` included), ClusterExternalSecrets
(any namespace), cert-manager Certificates (\`secretName\`) and CloudNativePG Clusters (\`<name>-app\`,
\`-superuser\`, \`-ca\`, \`-server\`, \`-replication\`), in the consumer's namespace (a HelmRelease's targetNamespace). Optional
references and templated names are skipped.`,
  check(ctx) {
    const graph = ctx.graph!;
    const produced = producedSecrets(graph.objects);
    const hits: RuleHit[] = [];
    const partial = partialObjects(graph);
    for (const object of graph.objects) {
      if (object.kind === "Secret" || isExternalSecret(object) || partial.has(object)) continue;
      for (const ref of secretRefs(object)) {
        const ns = ref.path[1] === "valuesFrom" ? (object.namespace ?? "default") : workloadNamespace(object);
        if (produced.has(ns, ref.name)) continue;
        hits.push({
          ...object.locate(ref.path),
          message: `${describeObject(object)} needs Secret ${ns}/${ref.name}, which nothing in the repository produces`,
          path: ref.path.join("."),
        });
      }
    }
    return hits;
  },
};

export const missingStoreDependency: Rule = {
  id: "externalsecret/missing-store-dependency",
  title: "Kustomization using ExternalSecrets without depending on the store's Kustomization",
  severity: "error",
  needs: "graph",
  rationale:
    "Without dependsOn, Flux may apply the ExternalSecret before its store (and the external-secrets CRDs) exist: the first reconcile fails and the app starts without its Secret.",
  hint: "add the Kustomization that declares the (Cluster)SecretStore to dependsOn of the app ks.yaml",
  docs: `A Flux Kustomization whose output contains an ExternalSecret must depend, directly or transitively, on the
Kustomization that applies the ExternalSecret's (Cluster)SecretStore — unless it applies the store itself.`,
  check(ctx) {
    const graph = ctx.graph!;
    const storeOwner = new Map<string, FluxKustomizationNode>();
    for (const node of graph.kustomizations) {
      for (const o of node.objects)
        if (isStore(o)) storeOwner.set(storeKey(o.kind, o.name, o.namespace), node);
    }
    const hits: RuleHit[] = [];
    for (const node of graph.kustomizations) {
      const deps = dependencyClosure(graph.kustomizations, node);
      const missing = new Map<string, FluxKustomizationNode>();
      for (const o of node.objects) {
        if (!isExternalSecret(o)) continue;
        const ref = storeRef(o);
        const owner = ref && storeOwner.get(storeKey(ref.kind, ref.name, o.namespace));
        if (
          !owner ||
          owner === node ||
          deps.has(nodeId(owner)) ||
          isAncestor(graph.kustomizations, node, owner)
        )
          continue;
        missing.set(nodeId(owner), owner);
      }
      for (const owner of missing.values()) {
        const path = node.dependsOn.length > 0 ? ["spec", "dependsOn"] : ["metadata", "name"];
        hits.push({
          ...locateKustomization(graph, ctx.files, node, path),
          message: `Kustomization ${nodeId(node)} applies ExternalSecrets but does not depend on ${nodeId(owner)}, which declares their store`,
          hint: `add \`- name: ${owner.name}${owner.namespace === node.namespace ? "" : `\n  namespace: ${owner.namespace}`}\` to spec.dependsOn`,
          path: path.join("."),
        });
      }
    }
    return hits;
  },
};

/** true when `ancestor` built `node` (directly or through intermediate Kustomizations): it cannot depend on it. */
function isAncestor(
  nodes: readonly FluxKustomizationNode[],
  ancestor: FluxKustomizationNode,
  node: FluxKustomizationNode,
): boolean {
  const byId = new Map(nodes.map((n) => [nodeId(n), n]));
  for (
    let current: FluxKustomizationNode | undefined = node;
    current?.parent;
    current = byId.get(current.parent)
  ) {
    if (current.parent === nodeId(ancestor)) return true;
  }
  return false;
}
