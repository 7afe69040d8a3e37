import { isBuiltInApi } from "@homeops/core";
import type { BuiltObject, RepoGraph } from "@homeops/manifests";
import type { RepoFiles } from "../repo-files.js";
import { groupOf } from "./graph.js";
import { field, isRecord, list, str } from "./text.js";

/**
 * Objects a bootstrap step applies before Flux: documents of files under `bootstrap/` (and
 * `<kubernetesDir>/bootstrap/`), templates (`.j2`, `.tmpl`) included. Read as text: a template need not be
 * valid YAML. Keys are `Kind/name`.
 */
export function bootstrapObjects(files: RepoFiles, kubernetesDir: string): Set<string> {
  const out = new Set<string>();
  const dirs = ["bootstrap", `${kubernetesDir}/bootstrap`];
  for (const file of files.paths()) {
    if (!dirs.some((d) => file.startsWith(`${d}/`))) continue;
    const text = files.text(file);
    if (!text?.includes("kind:")) continue;
    for (const doc of text.split(/^---\s*$/m)) {
      const kind = /^kind:\s*["']?([A-Za-z]+)/m.exec(doc)?.[1];
      const name = /^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*["']?([A-Za-z0-9.-]+)/m.exec(doc)?.[1];
      if (kind && name) out.add(`${kind}/${name}`);
    }
  }
  return out;
}

/** Core workload kinds whose pod templates the rules read with certainty. */
export const WORKLOAD_KINDS = new Set([
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
]);

/** true for an object of a built-in API group (core, apps, batch, *.k8s.io). */
export function isBuiltIn(o: { apiVersion: string }): boolean {
  return isBuiltInApi(o.apiVersion);
}

/**
 * Secrets and PVCs that known operators create at runtime from an object of the repository, as
 * `Secret/<ns>/<name>` and `PersistentVolumeClaim/<ns>/<name>`.
 */
export function operatorProduced(objects: readonly BuiltObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    const ns = o.namespace ?? "default";
    const group = groupOf(o.apiVersion);
    const secret = (name: string) => out.add(`Secret/${ns}/${name}`);
    if (o.kind === "Certificate" && group === "cert-manager.io") {
      const name = str(field(o.object, "spec", "secretName"));
      if (name) secret(name);
    } else if (o.kind === "Cluster" && group === "postgresql.cnpg.io") {
      // CloudNativePG writes the application, superuser, CA and server secrets of a cluster
      for (const suffix of ["app", "superuser", "ca", "server", "replication"]) secret(`${o.name}-${suffix}`);
    } else if (o.kind === "ServiceAccount" && group === "talos.dev") {
      secret(o.name); // Talos' API access: a Secret of the same name with the talosconfig
    } else if (o.kind === "ObjectBucketClaim" && group === "objectbucket.io") {
      secret(o.name); // Rook/lib-bucket-provisioner: credentials Secret (and ConfigMap) named after the claim
    } else if (o.kind === "PostgresCluster" && group === "postgres-operator.crunchydata.com") {
      const users = list(field(o.object, "spec", "users"))
        .map((u) => str(field(u, "name")))
        .filter((u): u is string => u !== undefined);
      for (const user of users.length > 0 ? users : [o.name]) secret(`${o.name}-pguser-${user}`);
    } else if (o.kind === "Grafana" && group === "grafana.integreatly.org") {
      if (isRecord(field(o.object, "spec", "persistentVolumeClaim")))
        out.add(`PersistentVolumeClaim/${ns}/${o.name}-pvc`);
    }
  }
  return out;
}

export { possibleProducer } from "@homeops/core";

/**
 * Namespaces into which some Flux Kustomization applies content this build cannot see (its source is another
 * repository or artifact, or it has remote resources that were not fetched), with that Kustomization's id.
 */
export function unseenContent(graph: RepoGraph): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of graph.kustomizations) {
    if (node.status !== "skipped" && node.skippedRemote.length === 0) continue;
    const ns = str(node.spec.targetNamespace) ?? node.namespace;
    if (!out.has(ns)) out.set(ns, `${node.namespace}/${node.name}`);
  }
  return out;
}
