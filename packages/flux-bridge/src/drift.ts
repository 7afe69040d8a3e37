import { type Finding, sortFindings, UserError } from "@homeops/core";
import type { BuiltObject, FluxKustomizationNode, RepoGraph } from "@homeops/manifests";
import type { ClusterClient } from "./cluster-client.js";
import { FLUX, KUSTOMIZATION } from "./flux-kinds.js";
import { appliedObjects, inventoryId, inventoryOf } from "./internal/apply-set.js";
import { isObj, type KubeObject } from "./internal/objects.js";

export interface DriftOptions {
  /** Only the Flux Kustomizations in this namespace (and what they apply). Default: all. */
  namespace?: string;
}

export interface DriftReport {
  /** live objects compared with the repository */
  checked: number;
  findings: Finding[];
}

/** Field managers that legitimately write spec fields of Flux-applied objects. */
const EXPECTED_MANAGERS = new Set([
  FLUX.fieldManager,
  "helm-controller",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
  "cloud-controller-manager",
  "kube-apiserver",
]);

/**
 * GitOps authority, live: repository objects that exist in the cluster without Flux's ownership labels
 * (applied by hand), objects labelled by a Kustomization but absent from its inventory, and fields of
 * Flux-applied objects that another field manager changed. Read-only; findings carry the repository file:line.
 */
export async function detectDrift(
  client: ClusterClient,
  graph: RepoGraph,
  options: DriftOptions = {},
): Promise<DriftReport> {
  const findings: Finding[] = [];
  let checked = 0;
  const inScope = (ns: string) => !options.namespace || ns === options.namespace;

  for (const node of graph.kustomizations) {
    if (node.status !== "built" || !inScope(node.namespace)) continue;
    const liveKs = await client.get(KUSTOMIZATION.apiVersion, KUSTOMIZATION.kind, node.name, node.namespace);
    const desired = appliedObjects(node);
    for (const { object } of desired) {
      const live = await getIfServed(client, object);
      if (!live) continue;
      checked++;
      const labels = live.metadata?.labels ?? {};
      if (labels[FLUX.ksName] === undefined && labels[FLUX.hrName] === undefined) {
        findings.push({
          ruleId: "drift/applied-by-hand",
          severity: "error",
          file: object.provenance.file,
          line: object.provenance.line,
          message: `${describeObject(object)} exists in the cluster without Flux's ownership labels: it was applied by hand (${managersOf(live).join(", ") || "unknown manager"}), Flux has not adopted it`,
          hint: `let Flux own it: reconcile Kustomization ${node.namespace}/${node.name} (it adopts the object), and stop applying it by hand`,
        });
        continue;
      }
      if (labels[FLUX.ksName] === node.name && labels[FLUX.ksNamespace] === node.namespace) {
        for (const change of outOfBand(live)) {
          const at = object.locate(change.path);
          findings.push({
            ruleId: "drift/changed-out-of-band",
            severity: "warning",
            file: at.file,
            line: at.line,
            message: `${describeObject(object)}: ${change.path.join(".")} was changed out of band by "${change.manager}" (${change.operation})`,
            hint: `Flux reverts it on the next reconcile; to keep the change, commit it to ${object.provenance.file}`,
          });
        }
      }
    }
    if (liveKs)
      findings.push(
        ...(await unlistedObjects(
          client,
          node,
          liveKs,
          desired.map((d) => d.object),
        )),
      );
  }
  return { checked, findings: sortFindings(findings) };
}

/** Objects labelled as applied by this Kustomization that its inventory does not list. */
async function unlistedObjects(
  client: ClusterClient,
  node: FluxKustomizationNode,
  liveKs: KubeObject,
  desired: BuiltObject[],
): Promise<Finding[]> {
  const inventory = inventoryOf(liveKs);
  if (!isObj(liveKs.status?.inventory)) return [];
  const ids = new Set(inventory.map((e) => e.id));
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const o of [...desired, ...inventory])
    kinds.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
  const out: Finding[] = [];
  for (const { apiVersion, kind } of kinds.values()) {
    if (!(await client.serves(apiVersion, kind))) continue;
    const labelled = await client.list(apiVersion, kind, {
      labelSelector: `${FLUX.ksName}=${node.name},${FLUX.ksNamespace}=${node.namespace}`,
    });
    for (const live of labelled) {
      const id = inventoryId(apiVersion, kind, live.metadata?.name ?? "", live.metadata?.namespace);
      if (ids.has(id)) continue;
      out.push({
        ruleId: "drift/not-in-inventory",
        severity: "warning",
        file: node.file,
        line: node.line,
        message: `${kind} ${live.metadata?.namespace ? `${live.metadata.namespace}/` : ""}${live.metadata?.name} carries the labels of Kustomization ${node.namespace}/${node.name} but is not in its inventory: Flux will neither update nor prune it`,
        hint: "delete it, or remove the labels if something else owns it",
      });
    }
  }
  return out;
}

async function getIfServed(client: ClusterClient, object: BuiltObject): Promise<KubeObject | undefined> {
  try {
    return await client.get(object.apiVersion, object.kind, object.name, object.namespace);
  } catch (error) {
    if (error instanceof UserError && error.code === "CLUSTER_NOT_FOUND") return undefined;
    throw error;
  }
}

interface OutOfBandChange {
  manager: string;
  operation: string;
  path: string[];
}

/** Fields (below spec/data) owned by a manager that is neither Flux nor a Kubernetes controller. */
function outOfBand(live: KubeObject): OutOfBandChange[] {
  const out: OutOfBandChange[] = [];
  for (const entry of live.metadata?.managedFields ?? []) {
    if (!isObj(entry)) continue;
    const manager = String(entry.manager ?? "");
    if (EXPECTED_MANAGERS.has(manager) || entry.subresource) continue;
    const fields = isObj(entry.fieldsV1) ? entry.fieldsV1 : {};
    for (const top of ["f:spec", "f:data", "f:stringData", "f:rules", "f:roleRef", "f:subjects"]) {
      const node = fields[top];
      if (!isObj(node)) continue;
      for (const path of leafPaths(node, [top.slice(2)])) {
        out.push({ manager, operation: String(entry.operation ?? ""), path });
      }
    }
  }
  return out;
}

/** Leaf field paths of a fieldsV1 tree (`f:` keys only; list items by key stop the walk). */
function leafPaths(node: Record<string, unknown>, prefix: string[]): string[][] {
  const keys = Object.keys(node).filter((k) => k.startsWith("f:"));
  if (keys.length === 0) return [prefix];
  return keys.flatMap((k) => {
    const child = node[k];
    return isObj(child) ? leafPaths(child, [...prefix, k.slice(2)]) : [[...prefix, k.slice(2)]];
  });
}

function managersOf(live: KubeObject): string[] {
  return [
    ...new Set((live.metadata?.managedFields ?? []).filter(isObj).map((m) => String(m.manager ?? ""))),
  ].filter(Boolean);
}

function describeObject(o: BuiltObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}
