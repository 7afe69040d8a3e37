import type { ClusterClient } from "./cluster-client.js";
import type { KubeObject } from "./internal/objects.js";

/** One strict schema per served CRD version, as the catalog's CRD conversion makes it. */
export interface ConvertedSchema {
  apiVersion: string;
  kind: string;
  schema: Record<string, unknown>;
}

/** The catalog's CRD → strict schema conversion (`@homeops/schema`), injected so there is one implementation. */
export type CrdConverter = (crd: unknown) => ConvertedSchema[];

export interface ClusterSchema extends ConvertedSchema {
  /** the CRD it came from */
  crd: string;
  /** where it came from, for the cache index: `cluster:<server>/<group>/<kind>_<version>.json` */
  source: string;
}

/**
 * The CustomResourceDefinitions installed in the cluster, exactly as the cluster has them (served versions,
 * the API server's defaulting applied), each converted with the catalog's conversion. Read-only.
 */
export async function readClusterSchemas(
  client: ClusterClient,
  convert: CrdConverter,
): Promise<ClusterSchema[]> {
  const crds = await client.list("apiextensions.k8s.io/v1", "CustomResourceDefinition");
  const out: ClusterSchema[] = [];
  for (const crd of crds.sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))) {
    for (const converted of convert(withoutServerFields(crd))) {
      const [group, version] = converted.apiVersion.split("/");
      out.push({
        ...converted,
        crd: crd.metadata?.name ?? "",
        source: `cluster:${client.server}/${group}/${converted.kind.toLowerCase()}_${version}.json`,
      });
    }
  }
  return out;
}

function withoutServerFields(crd: KubeObject): KubeObject {
  const { status: _status, ...rest } = crd;
  return { ...rest, kind: "CustomResourceDefinition", apiVersion: "apiextensions.k8s.io/v1" };
}
