import { externalSecretKeys } from "@homeops/core";
import type { BuiltObject, FluxKustomizationNode } from "@homeops/manifests";
import {
  describeObject,
  isHelmRelease,
  locateKustomization,
  nodeId,
  partialObjects,
} from "../internal/graph.js";
import { secretKeyRefs, secretRefs } from "../internal/object-refs.js";
import {
  bootstrapObjects,
  operatorProduced,
  possibleProducer,
  unseenContent,
  WORKLOAD_KINDS,
} from "../internal/producers.js";
import {
  clusterExternalSecretTarget,
  externalSecretTarget,
  isClusterExternalSecret,
  isExternalSecret,
} from "../internal/substitution.js";
import { entries, field, str } from "../internal/text.js";
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
  kind: "invariant",
  rationale:
    "An ExternalSecret whose store does not exist never syncs: the Secret is never created and every consumer fails to start.",
  hint: "fix secretStoreRef (kind defaults to SecretStore; use kind: ClusterSecretStore for a cluster-wide store) or declare the store",
  docs: `Every ExternalSecret's \`spec.secretStoreRef\` must name a ClusterSecretStore of the repository, or (kind
SecretStore, the default) a SecretStore in the ExternalSecret's namespace.`,
  check(ctx) {
    const graph = ctx.graph!;
    const stores = new Set(graph.objects.filter(isStore).map((o) => storeKey(o.kind, o.name, o.namespace)));
    const bootstrap = bootstrapObjects(ctx.files, ctx.settings.kubernetesDir);
    const hits: RuleHit[] = [];
    const partial = partialObjects(graph);
    for (const object of graph.objects) {
      if (!isExternalSecret(object) || partial.has(object)) continue;
      const ref = storeRef(object);
      if (!ref || stores.has(storeKey(ref.kind, ref.name, object.namespace))) continue;
      if (bootstrap.has(`${ref.kind}/${ref.name}`)) continue;
      // a repository that declares no store at all creates it outside Git (a bootstrap step): order, not failure
      const outside = stores.size === 0;
      hits.push({
        ...object.locate(["spec", "secretStoreRef", "name"]),
        message: `${describeObject(object)} uses ${ref.kind} '${ref.name}', which the repository does not declare${
          ref.kind === "SecretStore" ? ` in namespace ${object.namespace ?? "default"}` : ""
        }${outside ? " (it declares no store at all: created outside Git? then the secret syncs once it exists)" : ""}`,
        path: "spec.secretStoreRef.name",
        ...(outside ? { severity: "warning" as const } : {}),
      });
    }
    return hits;
  },
};

/** Names of Secrets the repository produces, by namespace (`*` for every namespace). */
function producedSecrets(
  objects: readonly BuiltObject[],
  bootstrap: ReadonlySet<string>,
): { has(ns: string, name: string): boolean } {
  const names = new Set<string>();
  for (const key of operatorProduced(objects)) {
    if (key.startsWith("Secret/")) names.add(key.slice("Secret/".length));
  }
  for (const o of objects) {
    const ns = o.namespace ?? "default";
    if (o.kind === "Secret" && o.apiVersion === "v1") names.add(`${ns}/${o.name}`);
    else if (isExternalSecret(o)) names.add(`${ns}/${externalSecretTarget(o)}`);
    else if (isClusterExternalSecret(o)) names.add(`*/${clusterExternalSecretTarget(o)}`);
  }
  return {
    // secretGenerator output carries a hash suffix unless disableNameSuffixHash is set
    has: (ns, name) =>
      names.has(`${ns}/${name}`) ||
      names.has(`*/${name}`) ||
      bootstrap.has(`Secret/${name}`) ||
      [...names].some((n) => n.startsWith(`${ns}/${name}-`) && /-[a-z0-9]{10}$/.test(n)),
  };
}

export const missingSecret: Rule = {
  id: "externalsecret/missing-secret",
  title: "Secret reference that nothing in the repo produces",
  severity: "error",
  needs: "graph",
  kind: "invariant",
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
    const produced = producedSecrets(graph.objects, bootstrapObjects(ctx.files, ctx.settings.kubernetesDir));
    const hits: RuleHit[] = [];
    const partial = partialObjects(graph);
    const unseen = unseenContent(graph);
    for (const object of graph.objects) {
      if (object.kind === "Secret" || isExternalSecret(object) || partial.has(object)) continue;
      // a custom resource's pod template may be applied elsewhere (a policy, an operator): cannot tell
      const certain = isHelmRelease(object) || WORKLOAD_KINDS.has(object.kind);
      for (const ref of secretRefs(object)) {
        const ns = ref.path[1] === "valuesFrom" ? (object.namespace ?? "default") : workloadNamespace(object);
        if (produced.has(ns, ref.name)) continue;
        const producer = possibleProducer(graph.objects, ns, ref.name, object);
        const hidden = unseen.get(ns);
        const unsure = !certain || producer !== undefined || hidden !== undefined;
        hits.push({
          ...object.locate(ref.path),
          message: unsure
            ? `${describeObject(object)} needs Secret ${ns}/${ref.name}; nothing homeops models produces it, ${
                producer
                  ? `but ${describeObject(producer)} may (an operator homeops does not know)`
                  : hidden
                    ? `but Kustomization ${hidden} applies content homeops cannot see (another source or a remote resource)`
                    : `and ${object.kind} is a custom resource whose use of it homeops cannot follow`
              }: cannot tell`
            : `${describeObject(object)} needs Secret ${ns}/${ref.name}, which nothing in the repository produces`,
          path: ref.path.join("."),
          ...(unsure ? { severity: "info" as const } : {}),
        });
      }
    }
    return hits;
  },
};

/**
 * The keys each Secret will hold, by `namespace/name`, where the repository says all of them: Secrets it
 * declares (SOPS-encrypted or generated; not the types a controller fills in) and ExternalSecrets whose
 * target keys are all written down (no `dataFrom`, no `templateFrom`, not merged into an existing Secret).
 * A Secret with any other producer (an operator, a chart not rendered, a bootstrap step) is left out.
 */
function knownSecretKeys(objects: readonly BuiltObject[]): Map<string, Set<string> | "unknown"> {
  const out = new Map<string, Set<string> | "unknown">();
  const add = (id: string, keys: Set<string> | "unknown") => {
    const had = out.get(id);
    if (had === "unknown" || keys === "unknown") out.set(id, "unknown");
    else out.set(id, new Set([...(had ?? []), ...keys]));
  };
  for (const key of operatorProduced(objects)) {
    if (key.startsWith("Secret/")) add(key.slice("Secret/".length), "unknown");
  }
  for (const o of objects) {
    const ns = o.namespace ?? "default";
    if (o.kind === "Secret" && o.apiVersion === "v1") {
      const type = str(field(o.object, "type"));
      const filled =
        type === "kubernetes.io/service-account-token" || type === "bootstrap.kubernetes.io/token";
      const keys = [...entries(o.object.data), ...entries(o.object.stringData)].map(([k]) => k);
      add(`${ns}/${o.name}`, filled ? "unknown" : new Set(keys));
    } else if (isExternalSecret(o)) {
      const { keys, complete } = externalSecretKeys(o.object);
      const merged = str(field(o.object, "spec", "target", "creationPolicy")) === "Merge";
      add(`${ns}/${externalSecretTarget(o)}`, complete && !merged ? keys : "unknown");
    } else if (isClusterExternalSecret(o)) {
      // writes into namespaces chosen at runtime: any Secret of its target name may have more keys
      add(`*/${clusterExternalSecretTarget(o)}`, "unknown");
    }
  }
  return out;
}

export const missingSecretKey: Rule = {
  id: "externalsecret/missing-key",
  title: "secretKeyRef to a key the Secret will not have",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  rationale:
    "A container whose env names a Secret key that does not exist never starts: the kubelet reports CreateContainerConfigError (couldn't find key … in Secret).",
  hint: "fix the key, or add it to the Secret (its data/stringData, or the ExternalSecret's data / target.template.data)",
  docs: `Checks every \`env[].valueFrom.secretKeyRef\` (not \`optional: true\`) in built objects, HelmRelease values and
rendered HelmRelease objects included, whose Secret the repository produces with all of its keys written down:
a Secret of the repository (its \`data\`/\`stringData\` keys, SOPS-encrypted or generated; not the types a
controller fills in), or an ExternalSecret whose keys are all known (\`spec.data[].secretKey\`, or
\`target.template.data\` when it replaces the data) — not one with \`dataFrom\`, \`templateFrom\` or
\`creationPolicy: Merge\`. When anything else may also write that Secret (an operator, a
ClusterExternalSecret), the keys are unknown and nothing is reported; in a custom resource (an operator's
pod template) it is an \`info\`, "cannot tell". A missing Secret is
\`externalsecret/missing-secret\`'s.`,
  check(ctx) {
    const graph = ctx.graph!;
    const known = knownSecretKeys(graph.objects);
    const partial = partialObjects(graph);
    const hits: RuleHit[] = [];
    for (const object of graph.objects) {
      if (object.kind === "Secret" || isExternalSecret(object) || partial.has(object)) continue;
      // a custom resource's pod template is an operator's to use: cannot tell
      const certain = isHelmRelease(object) || WORKLOAD_KINDS.has(object.kind);
      for (const ref of secretKeyRefs(object)) {
        const ns = workloadNamespace(object);
        const keys = known.get(`${ns}/${ref.name}`);
        if (keys === undefined || keys === "unknown" || known.has(`*/${ref.name}`) || keys.has(ref.key))
          continue;
        const offered = [...keys].sort();
        hits.push({
          ...object.locate(ref.path),
          message: `${describeObject(object)} reads key '${ref.key}' of Secret ${ns}/${ref.name}, which has ${
            offered.length > 0 ? `only ${offered.join(", ")}` : "no keys"
          }${certain ? ": the container will not start" : `; ${object.kind} is a custom resource whose use of it homeops cannot follow: cannot tell`}`,
          path: ref.path.join("."),
          ...(certain ? {} : { severity: "info" as const }),
        });
      }
    }
    return hits;
  },
};

export const missingStoreDependency: Rule = {
  id: "externalsecret/missing-store-dependency",
  title: "Kustomization using ExternalSecrets without depending on the store's Kustomization",
  severity: "warning",
  needs: "graph",
  kind: "convention",
  rationale:
    "Without dependsOn, Flux may apply the ExternalSecret before its store (and the external-secrets CRDs) exist: the first reconcile fails and the app waits for its Secret until a retry succeeds. It is a matter of runtime order (the operator retries, and many repositories install the store before Flux), so it is a warning and a homeops convention.",
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
          message: `Kustomization ${nodeId(node)} applies ExternalSecrets but does not depend on ${nodeId(owner)}, which declares their store (the first reconcile may fail until the store exists; the operator retries)`,
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
