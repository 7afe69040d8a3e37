import { stringifyYaml, UserError } from "@homeops/core";
import type { FluxKustomizationNode, RepoGraph } from "@homeops/manifests";
import { createTwoFilesPatch } from "diff";
import type { ClusterClient } from "./cluster-client.js";
import { FLUX, KUSTOMIZATION } from "./flux-kinds.js";
import {
  appliedObjects,
  asFluxApplies,
  comparable,
  inventoryOf,
  jsonEqual,
  maskSecret,
} from "./internal/apply-set.js";
import type { KubeObject } from "./internal/objects.js";

export type DiffAction = "created" | "configured" | "unchanged" | "pruned" | "skipped" | "invalid";

export interface DiffEntry {
  action: DiffAction;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** repository file:line of the object (absent for pruned objects) */
  file?: string;
  line?: number;
  /** unified YAML diff, live → desired (Secret values redacted) */
  diff?: string;
  /** why it was skipped or is invalid */
  reason?: string;
}

export interface KustomizationDiff {
  /** `namespace/name` */
  kustomization: string;
  file: string;
  line: number;
  entries: DiffEntry[];
  /** anything created, configured, pruned or invalid */
  changed: boolean;
}

export interface DiffOptions {
  /** One Kustomization (`namespace/name` or `name` in flux-system); default: every Kustomization of the repository. */
  kustomization?: string;
}

/**
 * What Flux would change: builds each Kustomization locally exactly as Flux would (the RepoGraph), then
 * server-side-apply dry-runs every object as kustomize-controller (field manager `kustomize-controller`),
 * honouring the `kustomize.toolkit.fluxcd.io/ssa` and `/reconcile` annotations; pruned objects come from
 * the live Kustomization's inventory. Stores nothing.
 */
export async function diffFlux(
  client: ClusterClient,
  graph: RepoGraph,
  options: DiffOptions = {},
): Promise<KustomizationDiff[]> {
  const nodes = selectKustomizations(graph, options.kustomization);
  const out: KustomizationDiff[] = [];
  for (const node of nodes) out.push(await diffKustomization(client, node));
  return out;
}

function selectKustomizations(graph: RepoGraph, wanted: string | undefined): FluxKustomizationNode[] {
  if (!wanted) return graph.kustomizations.filter((k) => k.status === "built");
  const [namespace, name] = wanted.includes("/") ? wanted.split("/", 2) : ["flux-system", wanted];
  const node = graph.kustomizations.find((k) => k.name === name && k.namespace === namespace);
  if (!node) {
    const near = graph.kustomizations.filter((k) => k.name === name).map((k) => `${k.namespace}/${k.name}`);
    throw new UserError("USAGE", `the repository has no Flux Kustomization ${namespace}/${name}`, {
      hint: near.length ? `did you mean ${near.join(", ")}?` : "list them with `homeops flux status ks`",
    });
  }
  if (node.status !== "built") {
    throw new UserError("BUILD_ERROR", `Kustomization ${namespace}/${name} does not build (${node.status})`, {
      location: { file: node.file, line: node.line },
      hint: "run `homeops check` for the build findings",
    });
  }
  return [node];
}

async function diffKustomization(
  client: ClusterClient,
  node: FluxKustomizationNode,
): Promise<KustomizationDiff> {
  const ks = { name: node.name, namespace: node.namespace };
  const entries: DiffEntry[] = [];
  const desiredIds = new Set<string>();
  for (const { object, id } of appliedObjects(node)) {
    desiredIds.add(id);
    const annotations =
      (object.object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
    const base: DiffEntry = {
      action: "unchanged",
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.name,
      ...(object.namespace ? { namespace: object.namespace } : {}),
      file: object.provenance.file,
      line: object.provenance.line,
    };
    if (annotations[FLUX.reconcile] === "disabled") {
      entries.push({ ...base, action: "skipped", reason: `${FLUX.reconcile}: disabled` });
      continue;
    }
    if (containsSopsValues(object.object)) {
      entries.push({
        ...base,
        action: "skipped",
        reason: "SOPS-encrypted: kustomize-controller decrypts it with a key homeops does not hold",
      });
      continue;
    }
    const ssa = annotations[FLUX.ssa];
    if (ssa === "Ignore") {
      entries.push({ ...base, action: "skipped", reason: `${FLUX.ssa}: Ignore` });
      continue;
    }
    let live: KubeObject | undefined;
    let desired: KubeObject;
    try {
      live = await client.get(object.apiVersion, object.kind, object.name, object.namespace);
      if (live && ssa === "IfNotPresent") {
        entries.push({
          ...base,
          action: "skipped",
          reason: `${FLUX.ssa}: IfNotPresent and the object exists`,
        });
        continue;
      }
      desired = await client.apply(asFluxApplies(object, ks), {
        fieldManager: FLUX.fieldManager,
        dryRun: true,
        force: true,
      });
    } catch (error) {
      if (
        error instanceof UserError &&
        (error.code === "CLUSTER_ERROR" || error.code === "CLUSTER_NOT_FOUND" || error.code === "USAGE")
      ) {
        entries.push({ ...base, action: "invalid", reason: error.message });
        continue;
      }
      throw error;
    }
    if (!live) {
      entries.push({ ...base, action: "created", diff: yamlDiff(undefined, desired, object.name) });
      continue;
    }
    const before = comparable(live);
    const after = comparable(desired);
    if (jsonEqual(before, after)) entries.push(base);
    else entries.push({ ...base, action: "configured", diff: yamlDiff(before, after, object.name) });
  }

  const liveKs = await client.get(KUSTOMIZATION.apiVersion, KUSTOMIZATION.kind, node.name, node.namespace);
  if (liveKs?.spec?.prune === true) {
    for (const entry of inventoryOf(liveKs)) {
      if (desiredIds.has(entry.id)) continue;
      const live = await client
        .get(entry.apiVersion, entry.kind, entry.name, entry.namespace)
        .catch(() => undefined);
      if (!live) continue; // already gone
      if (live.metadata?.annotations?.[FLUX.prune] === "disabled") continue;
      entries.push({
        action: "pruned",
        apiVersion: entry.apiVersion,
        kind: entry.kind,
        name: entry.name,
        ...(entry.namespace ? { namespace: entry.namespace } : {}),
        diff: yamlDiff(comparable(live), undefined, entry.name),
      });
    }
  }
  return {
    kustomization: `${node.namespace}/${node.name}`,
    file: node.file,
    line: node.line,
    entries,
    changed: entries.some((e) => e.action !== "unchanged" && e.action !== "skipped"),
  };
}

function yamlDiff(before: KubeObject | undefined, after: KubeObject | undefined, name: string): string {
  const a = before ? stringifyYaml(maskSecret(before)) : "";
  const b = after ? stringifyYaml(maskSecret(after)) : "";
  // drop the `=====` banner line; keep the `---`/`+++` headers
  return createTwoFilesPatch(`live/${name}`, `desired/${name}`, a, b, undefined, undefined, { context: 3 })
    .split("\n")
    .slice(1)
    .join("\n");
}

function containsSopsValues(object: Record<string, unknown>): boolean {
  return typeof object.sops === "object" && object.sops !== null;
}
