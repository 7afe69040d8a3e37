import { posix } from "node:path";
import type { BuiltObject, FluxKustomizationNode } from "@homeops/manifests";
import {
  describeObject,
  isHelmRelease,
  locateKustomization,
  nodeId,
  partialObjects,
} from "../internal/graph.js";
import { isKustomizationFile, kustomizationFileIn } from "../internal/kustomize-refs.js";
import { claimRefs } from "../internal/object-refs.js";
import {
  bootstrapObjects,
  operatorProduced,
  possibleProducer,
  unseenContent,
  WORKLOAD_KINDS,
} from "../internal/producers.js";
import { entries, field, isRecord, str } from "../internal/text.js";
import { isTemplated, locateKey, walkValues } from "../internal/walk.js";
import type { RepoFiles } from "../repo-files.js";
import type { Rule, RuleHit } from "../rule.js";

/** Namespace the pods of an object run in (a HelmRelease's targetNamespace wins). */
export function workloadNamespace(object: BuiltObject): string {
  if (isHelmRelease(object))
    return str(field(object.object, "spec", "targetNamespace")) ?? object.namespace ?? "default";
  return object.namespace ?? "default";
}

export const missingClaim: Rule = {
  id: "storage/missing-claim",
  title: "existingClaim / claimName with no PVC of that name",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  rationale: "A pod that mounts a PersistentVolumeClaim that does not exist stays Pending forever.",
  hint: "declare the PVC (usually through the backup component with APP set to the claim name) or fix the claim name",
  docs: `Checks HelmRelease values (\`persistence.<name>.existingClaim\` of app-template and any other
\`existingClaim\` value) and every \`persistentVolumeClaim.claimName\` of built workloads against the
PersistentVolumeClaims that the repository declares in the same namespace — after build and substitution,
so a PVC a component creates as \`\${APP}\` counts under its substituted name. StatefulSet
volumeClaimTemplates and templated names (\`{{ }}\`) are not checked.`,
  check(ctx) {
    const graph = ctx.graph!;
    const claims = new Set(
      graph.objects
        .filter((o) => o.kind === "PersistentVolumeClaim")
        .map((o) => `${o.namespace ?? "default"}/${o.name}`),
    );
    for (const key of operatorProduced(graph.objects)) {
      if (key.startsWith("PersistentVolumeClaim/")) claims.add(key.slice("PersistentVolumeClaim/".length));
    }
    const bootstrap = bootstrapObjects(ctx.files, ctx.settings.kubernetesDir);
    const unseen = unseenContent(graph);
    const hits: RuleHit[] = [];
    const partial = partialObjects(graph);
    for (const object of graph.objects) {
      if (partial.has(object)) continue;
      const ns = workloadNamespace(object);
      const hr = isHelmRelease(object);
      for (const { name, path: at } of claimRefs(object)) {
        if (!name || isTemplated(name) || claims.has(`${ns}/${name}`)) continue;
        if (bootstrap.has(`PersistentVolumeClaim/${name}`)) continue;
        const producer = possibleProducer(graph.objects, ns, name, object);
        const unsure = producer !== undefined || unseen.has(ns) || !(hr || WORKLOAD_KINDS.has(object.kind));
        hits.push({
          ...object.locate(at),
          message: unsure
            ? `${describeObject(object)} uses PVC '${name}'; nothing homeops models declares ${ns}/${name}${
                producer ? `, but ${describeObject(producer)} may create it` : ""
              }: cannot tell`
            : `${describeObject(object)} uses PVC '${name}', but no PersistentVolumeClaim ${ns}/${name} is declared`,
          path: at.join("."),
          ...(unsure ? { severity: "info" as const } : {}),
        });
      }
    }
    return hits;
  },
};

export const unknownMountTarget: Rule = {
  id: "storage/unknown-mount-target",
  title: "advancedMounts naming a controller or container that does not exist",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  rationale:
    "app-template silently ignores advancedMounts for a controller or container it does not know: the volume is never mounted and the app writes to its ephemeral filesystem.",
  hint: "use the controller and container keys defined under `controllers:` of the same values",
  docs: `For app-template HelmReleases (values with \`controllers:\`), every
\`persistence.<name>.advancedMounts.<controller>.<container>\` must name a controller under \`controllers\`
and one of its \`containers\` or \`initContainers\`.`,
  check(ctx) {
    const graph = ctx.graph!;
    const hits: RuleHit[] = [];
    for (const release of graph.helmReleases) {
      const object = release.object;
      const values = field(object.object, "spec", "values");
      const controllers = field(values, "controllers");
      if (!isRecord(controllers)) continue;
      for (const [volume, entry] of entries(field(values, "persistence"))) {
        for (const [controller, containers] of entries(field(entry, "advancedMounts"))) {
          const base = ["spec", "values", "persistence", volume, "advancedMounts", controller];
          const def = controllers[controller];
          if (!isRecord(def)) {
            hits.push({
              ...locateKey(graph, ctx.files, object, base),
              message: `HelmRelease ${release.namespace}/${release.name}: advancedMounts of '${volume}' names controller '${controller}', which is not under controllers (${Object.keys(controllers).join(", ")})`,
              path: base.join("."),
            });
            continue;
          }
          const known = [
            ...Object.keys(field(def, "containers") ?? {}),
            ...Object.keys(field(def, "initContainers") ?? {}),
          ];
          for (const [container] of entries(containers)) {
            if (known.includes(container)) continue;
            hits.push({
              ...locateKey(graph, ctx.files, object, [...base, container]),
              message: `HelmRelease ${release.namespace}/${release.name}: advancedMounts of '${volume}' names container '${container}', which controller '${controller}' does not have (${known.join(", ") || "none"})`,
              path: [...base, container].join("."),
            });
          }
        }
      }
    }
    return hits;
  },
};

export const nfsLiteral: Rule = {
  id: "storage/nfs-literal",
  title: "NFS server or path written literally",
  severity: "warning",
  needs: "files",
  kind: "convention",
  rationale:
    "NFS server addresses and export paths belong in cluster-settings (placeholders such as ${NFS_SERVER}); literals scattered through apps drift apart and leak the home network layout.",
  hint: "use the placeholder from cluster-settings, e.g. server: ${NFS_SERVER} and path: ${NFS_MEDIA_PATH}",
  docs: `Looks at the source YAML below the manifests directory (before substitution): \`nfs: {server, path}\`
volumes and PersistentVolumes, app-template \`persistence\` entries with \`type: nfs\`, and NFS CSI
StorageClass \`parameters.server/share\`. Each value must contain a \`\${…}\` placeholder.`,
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const file of ctx.files.under(ctx.settings.kubernetesDir)) {
      if (!/\.ya?ml$/.test(file) || !/\b(nfs|server):/.test(ctx.files.text(file) ?? "")) continue;
      for (const doc of ctx.files.yaml(file)?.documents ?? []) {
        const check = (
          record: Record<string, unknown>,
          path: readonly (string | number)[],
          keys: string[],
        ) => {
          for (const key of keys) {
            const value = record[key];
            if (typeof value !== "string" || value.includes("${")) continue;
            const at = doc.locate([...path, key]);
            hits.push({
              file,
              line: at.line,
              column: at.column,
              message: `NFS ${key} '${value}' is a literal`,
            });
          }
        };
        const storageClass =
          isRecord(doc.value) &&
          doc.value.kind === "StorageClass" &&
          /nfs/.test(String(doc.value.provisioner));
        if (storageClass && isRecord(field(doc.value, "parameters"))) {
          check(
            field(doc.value, "parameters") as Record<string, unknown>,
            ["parameters"],
            ["server", "share"],
          );
        }
        walkValues(doc.value, (value, path) => {
          if (!isRecord(value)) return;
          if (path[path.length - 1] === "nfs") check(value, path, ["server", "path"]);
          else if (value.type === "nfs") check(value, path, ["server", "path"]);
        });
      }
    }
    return hits;
  },
};

/** true when `file` belongs to a kustomize Component (its directory or a parent has `kind: Component`). */
function isComponentFile(files: RepoFiles, file: string, stop: string): boolean {
  let dir = posix.dirname(file);
  while (dir === stop || dir.startsWith(`${stop}/`)) {
    const k = kustomizationFileIn(files, dir);
    if (k && isKustomizationFile(k) && field(files.yaml(k)?.documents[0]?.value, "kind") === "Component")
      return true;
    if (dir === stop) break;
    dir = posix.dirname(dir);
  }
  return false;
}

/** Kinds whose producer provides storage to the cluster. */
const STORAGE_KINDS = new Set(["StorageClass", "CSIDriver", "VolumeSnapshotClass", "VolumePopulator"]);

/** The chart a HelmRelease installs (`chart.spec.chart`, else the last path segment of its chartRef's name). */
function chartName(object: BuiltObject): string | undefined {
  return (
    str(field(object.object, "spec", "chart", "spec", "chart")) ??
    str(field(object.object, "spec", "chartRef", "name"))
  );
}

/**
 * What each Kustomization provides for storage, from what it produces: `group:<g>` for the API group of a
 * CustomResourceDefinition it applies or of the operator chart it installs (chart `volsync` serves
 * `volsync.backube`), `sc:<name>` for a StorageClass, `kind:<Kind>` for CSI drivers and snapshot classes.
 */
function storageProvision(node: FluxKustomizationNode): Set<string> {
  const out = new Set<string>();
  for (const o of node.objects) {
    if (o.kind === "CustomResourceDefinition") {
      const group = str(field(o.object, "spec", "group"));
      if (group) out.add(`group:${group}`);
    } else if (isHelmRelease(o)) {
      const chart = chartName(o);
      if (chart) out.add(`chart:${chart.split("/").pop()}`);
    } else if (o.kind === "StorageClass") out.add(`sc:${o.name}`);
    else if (STORAGE_KINDS.has(o.kind)) out.add(`kind:${o.kind}`);
  }
  return out;
}

/** What an app Kustomization needs from storage providers: the groups of its backup CRs and populators, its StorageClasses. */
function storageNeeds(node: FluxKustomizationNode, pvcs: readonly BuiltObject[]): string[] {
  const needs = new Set<string>();
  for (const pvc of pvcs) {
    const sc = str(field(pvc.object, "spec", "storageClassName"));
    if (sc) needs.add(`sc:${sc}`);
    const populator = str(field(pvc.object, "spec", "dataSourceRef", "apiGroup"));
    if (populator) needs.add(`group:${populator}`);
  }
  const claimNames = new Set(pvcs.map((p) => p.name));
  for (const o of node.objects) {
    // a backup CR (ReplicationSource, a kopia/k8up schedule …) of the claim: its operator must run first
    const group = o.apiVersion.includes("/") ? o.apiVersion.slice(0, o.apiVersion.indexOf("/")) : "";
    if (!group.includes(".") || group.endsWith(".k8s.io") || group.endsWith("fluxcd.io")) continue;
    let mentions = false;
    walkValues(o.object, (value, path) => {
      const key = path[path.length - 1];
      // the claim named in a PVC field (volsync sourcePVC/destinationPVC, claimName …), not just any string
      if (
        typeof value === "string" &&
        claimNames.has(value) &&
        typeof key === "string" &&
        /pvc|claim/i.test(key)
      )
        mentions = true;
    });
    if (mentions) needs.add(`group:${group}`);
  }
  return [...needs];
}

/** true when `provided` (a Kustomization's provision) satisfies `need`. */
function provides(provided: ReadonlySet<string>, need: string): boolean {
  if (provided.has(need)) return true;
  // an operator chart named after the first label of its API group: chart volsync serves volsync.backube
  return need.startsWith("group:") && provided.has(`chart:${need.slice(6).split(".")[0]}`);
}

/** The Kustomizations configured as storage (`storageKustomizations` of the settings). */
export function storageKustomizations(
  nodes: readonly FluxKustomizationNode[],
  configured: readonly string[],
): Set<string> {
  const out = new Set<string>();
  for (const node of nodes) {
    if (configured.includes(nodeId(node)) || configured.includes(node.name)) out.add(nodeId(node));
  }
  return out;
}

/** Every Kustomization `node` depends on, directly or not. */
export function dependencyClosure(
  nodes: readonly FluxKustomizationNode[],
  node: FluxKustomizationNode,
): Set<string> {
  const byId = new Map(nodes.map((n) => [nodeId(n), n]));
  const out = new Set<string>();
  const stack = node.dependsOn.map(nodeId);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    for (const d of byId.get(id)?.dependsOn ?? []) stack.push(nodeId(d));
  }
  return out;
}

export const backupWithoutStorageDependency: Rule = {
  id: "storage/missing-storage-dependency",
  title: "App with a PVC from the backup component but no dependsOn on what provides its storage",
  severity: "warning",
  needs: "graph",
  kind: "convention",
  rationale:
    "The backup component's PVC is restored by the backup operator (volsync-style ReplicationDestination). Applied before the storage Kustomization is ready, the PVC stays Pending or comes up empty instead of restored. A PVC (and a volume populator) simply waits, so this is about order, not failure: a warning and a homeops convention.",
  hint: "add the Kustomization that provides the storage (e.g. `- name: volsync` with its namespace) to the app ks.yaml dependsOn",
  docs: `A Flux Kustomization whose output contains a PersistentVolumeClaim that comes from a kustomize Component
(the backup component) should depend, directly or transitively, on the Kustomizations that provide what the
claim needs. They are recognised from what they produce, not from their names: the StorageClass the claim
names, the CustomResourceDefinitions (or the operator chart named after the API group, chart \`volsync\` for
\`volsync.backube\`) of the backup custom resources that mention the claim and of the claim's
\`dataSourceRef\` populator. \`storageKustomizations\` in .homeops/invariants.yaml names them explicitly instead.
When no Kustomization of the repository produces what the claim needs (a chart-created StorageClass, an
operator installed before Flux), nothing is reported.`,
  check(ctx) {
    const graph = ctx.graph!;
    const configured = ctx.settings.storageKustomizations;
    const provision = new Map(graph.kustomizations.map((n) => [nodeId(n), storageProvision(n)]));
    const hits: RuleHit[] = [];
    for (const node of graph.kustomizations) {
      const pvcs = node.objects.filter(
        (o) =>
          o.kind === "PersistentVolumeClaim" &&
          isComponentFile(ctx.files, o.provenance.file, ctx.settings.kubernetesDir),
      );
      if (pvcs.length === 0) continue;
      const deps = dependencyClosure(graph.kustomizations, node);
      let providers: string[];
      if (configured) {
        const storage = storageKustomizations(graph.kustomizations, configured);
        if (storage.has(nodeId(node)) || storage.size === 0) continue;
        providers = [...storage].some((s) => deps.has(s)) ? [] : [...storage];
      } else {
        providers = [];
        for (const need of storageNeeds(node, pvcs)) {
          const by = graph.kustomizations.filter(
            (k) => k !== node && provides(provision.get(nodeId(k))!, need),
          );
          if (by.length === 0 || by.some((k) => deps.has(nodeId(k)))) continue;
          for (const k of by) if (!providers.includes(nodeId(k))) providers.push(nodeId(k));
        }
      }
      if (providers.length === 0) continue;
      const pvc = pvcs[0]!;
      const path = node.dependsOn.length > 0 ? ["spec", "dependsOn"] : ["metadata", "name"];
      hits.push({
        ...locateKustomization(graph, ctx.files, node, path),
        message: `Kustomization ${nodeId(node)} gets PVC ${pvc.name} from ${pvc.provenance.file} but does not depend on ${providers.join(" or ")}, which provides its storage (the claim waits until the operator runs)`,
        path: path.join("."),
      });
    }
    return hits;
  },
};
