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
    const hits: RuleHit[] = [];
    const partial = partialObjects(graph);
    for (const object of graph.objects) {
      if (partial.has(object)) continue;
      const ns = workloadNamespace(object);
      const hr = isHelmRelease(object);
      walkValues(object.object, (value, path) => {
        let name: string | undefined;
        let at: (string | number)[] | undefined;
        const last = path[path.length - 1];
        if (hr && last === "existingClaim" && path[1] === "values" && typeof value === "string") {
          const entry = field(object.object, ...path.slice(0, -1));
          const type = str(field(entry, "type"));
          const disabled = field(entry, "enabled") === false;
          if (!disabled && (type === undefined || type === "persistentVolumeClaim" || type === "pvc")) {
            name = value;
            at = path;
          }
        } else if (
          last === "persistentVolumeClaim" &&
          isRecord(value) &&
          typeof value.claimName === "string"
        ) {
          name = value.claimName;
          at = [...path, "claimName"];
        }
        if (!name || !at || isTemplated(name) || claims.has(`${ns}/${name}`)) return;
        hits.push({
          ...object.locate(at),
          message: `${describeObject(object)} uses PVC '${name}', but no PersistentVolumeClaim ${ns}/${name} is declared`,
          path: at.join("."),
        });
      });
    }
    return hits;
  },
};

export const unknownMountTarget: Rule = {
  id: "storage/unknown-mount-target",
  title: "advancedMounts naming a controller or container that does not exist",
  severity: "error",
  needs: "graph",
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
        const check = (record: Record<string, unknown>, path: (string | number)[], keys: string[]) => {
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

const STORAGE_NAMES =
  /^(volsync|kopia|k8up|openebs|rook-ceph|longhorn|democratic-csi|csi-driver-nfs|snapshot-controller)/;

/** The Kustomizations that provide storage, per settings or by the default heuristic. */
export function storageKustomizations(
  nodes: readonly FluxKustomizationNode[],
  configured: readonly string[] | undefined,
): Set<string> {
  const out = new Set<string>();
  for (const node of nodes) {
    const id = nodeId(node);
    if (configured) {
      if (configured.includes(id) || configured.includes(node.name)) out.add(id);
    } else if (str(node.spec.targetNamespace) === "storage" || STORAGE_NAMES.test(node.name)) out.add(id);
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
  title: "App with a PVC from the backup component but no dependsOn on storage",
  severity: "error",
  needs: "graph",
  rationale:
    "The backup component's PVC is restored by the backup operator (volsync-style ReplicationDestination). Applied before the storage Kustomization is ready, the PVC stays Pending or comes up empty instead of restored.",
  hint: "add the storage Kustomization (e.g. `- name: volsync` with its namespace) to the app ks.yaml dependsOn",
  docs: `A Flux Kustomization whose output contains a PersistentVolumeClaim that comes from a kustomize Component
(the backup component) must depend, directly or transitively, on a storage Kustomization. Storage
Kustomizations are those listed in \`storageKustomizations\` of .homeops/invariants.yaml, or by default those
with \`targetNamespace: storage\` or named like a storage/backup operator (volsync, kopia, k8up, openebs,
rook-ceph, longhorn, democratic-csi, csi-driver-nfs, snapshot-controller). Without any storage Kustomization
in the repository the rule has nothing to check.`,
  check(ctx) {
    const graph = ctx.graph!;
    const storage = storageKustomizations(graph.kustomizations, ctx.settings.storageKustomizations);
    const hits: RuleHit[] = [];
    if (storage.size === 0) return hits;
    for (const node of graph.kustomizations) {
      if (storage.has(nodeId(node))) continue;
      const pvc = node.objects.find(
        (o) =>
          o.kind === "PersistentVolumeClaim" &&
          isComponentFile(ctx.files, o.provenance.file, ctx.settings.kubernetesDir),
      );
      if (!pvc) continue;
      const deps = dependencyClosure(graph.kustomizations, node);
      if ([...storage].some((s) => deps.has(s))) continue;
      const path = node.dependsOn.length > 0 ? ["spec", "dependsOn"] : ["metadata", "name"];
      hits.push({
        ...locateKustomization(graph, ctx.files, node, path),
        message: `Kustomization ${nodeId(node)} gets PVC ${pvc.name} from ${pvc.provenance.file} but does not depend on a storage Kustomization (${[...storage].join(", ")})`,
        path: path.join("."),
      });
    }
    return hits;
  },
};
