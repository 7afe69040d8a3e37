import type { Report } from "@homeops/core";
import { crdSchemaConverter, type StoredSchema, storeSchemasInCache } from "@homeops/schema";
import type { ClusterClient } from "./cluster-client.js";
import type { KubeObject } from "./internal/objects.js";

/** One strict schema of a CRD installed in the cluster. */
export interface ClusterSchema extends StoredSchema {
  /** the CRD it came from */
  crd: string;
}

/**
 * The CustomResourceDefinitions installed in the cluster, exactly as the cluster has them (served versions,
 * the API server's defaulting applied), each converted with the catalog's own CRD conversion. Read-only.
 * `source` is `cluster:<server>/<group>/<kind>_<version>.json`.
 */
export async function readClusterSchemas(client: ClusterClient): Promise<ClusterSchema[]> {
  const convert = crdSchemaConverter();
  const crds = await client.list("apiextensions.k8s.io/v1", "CustomResourceDefinition");
  const out: ClusterSchema[] = [];
  for (const crd of crds.sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))) {
    for (const converted of convert(withoutServerFields(crd))) {
      out.push({
        apiVersion: converted.apiVersion,
        kind: converted.kind,
        schema: converted.schema,
        crd: crd.metadata?.name ?? "",
        source: `cluster:${client.server}/${converted.group}/${converted.kind.toLowerCase()}_${converted.version}.json`,
      });
    }
  }
  return out;
}

function withoutServerFields(crd: KubeObject): KubeObject {
  const { status: _status, ...rest } = crd;
  return { ...rest, kind: "CustomResourceDefinition", apiVersion: "apiextensions.k8s.io/v1" };
}

export interface ClusterSchemasData {
  cacheDir: string;
  server: string;
  /** `apiVersion/Kind` of each schema stored */
  stored: string[];
}

/**
 * `homeops schemas pull --from-cluster`: reads the cluster's CRDs and stores their strict schemas in the
 * schema cache (`cacheDir`), so `homeops kubeconform` then validates custom resources against the exact CRD
 * versions the cluster serves, offline. Only reads from the cluster.
 */
export async function pullClusterSchemas(
  client: ClusterClient,
  cacheDir: string,
): Promise<Report<ClusterSchemasData>> {
  const schemas = await readClusterSchemas(client);
  const stored = storeSchemasInCache(cacheDir, schemas);
  const crds = new Set(schemas.map((s) => s.crd)).size;
  return {
    command: "schemas pull --from-cluster",
    findings: [],
    summary: `schema cache ${cacheDir}: ${stored.length} schemas from ${crds} CRDs of ${client.server}`,
    data: { cacheDir, server: client.server, stored },
  };
}
