import { createHash } from "node:crypto";
import type { BuiltObject, FluxKustomizationNode } from "@homeops/manifests";
import { FLUX } from "../flux-kinds.js";
import { isObj, type KubeObject } from "./objects.js";

/** The object as kustomize-controller applies it: Flux's ownership labels added, `status` dropped. */
export function asFluxApplies(object: BuiltObject, ks: { name: string; namespace: string }): KubeObject {
  const copy = structuredClone(object.object) as KubeObject;
  delete copy.status;
  copy.metadata ??= {};
  const metadata = copy.metadata;
  metadata.labels = { ...(metadata.labels ?? {}), [FLUX.ksName]: ks.name, [FLUX.ksNamespace]: ks.namespace };
  return copy;
}

/** Inventory id as kustomize-controller writes it: `<namespace>_<name>_<group>_<kind>`. */
export function inventoryId(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
): string {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  return `${namespace ?? ""}_${name}_${group}_${kind}`;
}

export interface InventoryEntry {
  id: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The entries of a live Kustomization's `status.inventory`. */
export function inventoryOf(ks: KubeObject | undefined): InventoryEntry[] {
  const inventory = ks?.status?.inventory;
  const entries = isObj(inventory) && Array.isArray(inventory.entries) ? inventory.entries : [];
  const out: InventoryEntry[] = [];
  for (const e of entries) {
    if (!isObj(e) || typeof e.id !== "string") continue;
    const parts = e.id.split("_");
    if (parts.length < 4) continue;
    // names may not contain `_`, namespaces neither; groups may be empty
    const [namespace, name, group, kind] = [
      parts[0] ?? "",
      parts[1] ?? "",
      parts.slice(2, -1).join("_"),
      parts.at(-1) ?? "",
    ];
    const version = typeof e.v === "string" ? e.v : "v1";
    out.push({
      id: e.id,
      apiVersion: group ? `${group}/${version}` : version,
      kind,
      name,
      ...(namespace ? { namespace } : {}),
    });
  }
  return out;
}

/** Objects of a Kustomization that Flux would apply (reconcile-disabled ones excluded), with their ids. */
export function appliedObjects(node: FluxKustomizationNode): { object: BuiltObject; id: string }[] {
  return node.objects.map((object) => ({
    object,
    id: inventoryId(object.apiVersion, object.kind, object.name, object.namespace),
  }));
}

const VOLATILE_METADATA = [
  "managedFields",
  "resourceVersion",
  "generation",
  "uid",
  "creationTimestamp",
  "selfLink",
];

/** An object without server-owned bookkeeping, for comparing live with desired. */
export function comparable(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete copy.status;
  if (copy.metadata) for (const field of VOLATILE_METADATA) delete copy.metadata[field];
  return copy;
}

/** Secret values replaced by a short digest: differences stay visible, values never printed. */
export function maskSecret(object: KubeObject): KubeObject {
  if (object.kind !== "Secret") return object;
  const copy = structuredClone(object);
  for (const field of ["data", "stringData"]) {
    const data = copy[field];
    if (!isObj(data)) continue;
    for (const [k, v] of Object.entries(data)) {
      data[k] = `<redacted sha256:${createHash("sha256").update(String(v)).digest("hex").slice(0, 12)}>`;
    }
  }
  return copy;
}

/** Deep equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
