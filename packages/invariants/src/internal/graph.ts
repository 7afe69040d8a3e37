import { apiGroup as groupOf } from "@homeops/core";
import type {
  BuiltObject,
  FluxKustomizationNode,
  ObjectPath,
  RepoGraph,
  SourcePosition,
} from "@homeops/manifests";
import type { RepoFiles } from "../repo-files.js";
import { isRecord } from "./text.js";

/** API group of an apiVersion (`""` for the core group): core's. */
export { groupOf };

/** `group/Kind/namespace/name`: identity of an object across API versions. */
export function objectKey(o: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}): string {
  return `${groupOf(o.apiVersion)}/${o.kind}/${o.namespace ?? ""}/${o.name}`;
}

/** `Kind namespace/name` for messages. */
export function describeObject(o: { kind: string; name: string; namespace?: string | undefined }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

export function isFluxKustomization(o: { apiVersion: string; kind: string }): boolean {
  return o.kind === "Kustomization" && groupOf(o.apiVersion) === "kustomize.toolkit.fluxcd.io";
}

export function isHelmRelease(o: { apiVersion: string; kind: string }): boolean {
  return o.kind === "HelmRelease" && groupOf(o.apiVersion) === "helm.toolkit.fluxcd.io";
}

/**
 * Locates a field of a Flux Kustomization node: through the built object that declares it when a parent
 * built it, else in its own file (a root Kustomization applied at bootstrap).
 */
export function locateKustomization(
  graph: RepoGraph,
  files: RepoFiles,
  node: FluxKustomizationNode,
  path: ObjectPath,
): SourcePosition {
  const built = graph.objects.find(
    (o) =>
      isFluxKustomization(o) && o.name === node.name && (o.namespace ?? node.namespace) === node.namespace,
  );
  if (built) return built.locate(path);
  const parsed = files.yaml(node.file) ?? graph.files.get(node.file);
  const doc = parsed?.documents.find((d) => {
    const v = d.value;
    return isRecord(v) && v.kind === "Kustomization" && isRecord(v.metadata) && v.metadata.name === node.name;
  });
  if (doc) {
    const at = doc.locate(path);
    return { file: node.file, line: at.line, column: at.column };
  }
  return { file: node.file, line: node.line, column: 1 };
}

/** `namespace/name` id of a Flux Kustomization node. */
export function nodeId(node: { name: string; namespace: string }): string {
  return `${node.namespace}/${node.name}`;
}

/**
 * Objects whose Flux Kustomization failed to build. "X does not exist" rules skip them: the build findings
 * already explain the failure and the missing object may be a consequence of it.
 */
export function partialObjects(graph: RepoGraph): Set<BuiltObject> {
  const out = new Set<BuiltObject>();
  for (const node of graph.kustomizations)
    if (node.status === "error") for (const o of node.objects) out.add(o);
  return out;
}
