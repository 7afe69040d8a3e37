import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

export interface WriteCacheResult {
  /** `apiVersion/Kind` of each schema written */
  written: string[];
  dir: string;
}

/**
 * Writes the schemas into the schema cache of `@homeops/schema` (`<dir>/index.json`: `kinds` →
 * source, `urls` → file), so validation then uses the cluster's exact CRD versions offline.
 */
export function writeSchemasToCache(dir: string, schemas: readonly ClusterSchema[]): WriteCacheResult {
  mkdirSync(dir, { recursive: true });
  const indexFile = join(dir, "index.json");
  let index: { kinds: Record<string, string>; urls: Record<string, string> } = { kinds: {}, urls: {} };
  try {
    const parsed = JSON.parse(readFileSync(indexFile, "utf8")) as Partial<typeof index>;
    index = { kinds: { ...(parsed.kinds ?? {}) }, urls: { ...(parsed.urls ?? {}) } };
  } catch {
    // no cache yet
  }
  const written: string[] = [];
  for (const s of schemas) {
    const file = `${createHash("sha256").update(s.source).digest("hex").slice(0, 16)}.json`;
    writeFileSync(join(dir, file), `${JSON.stringify(s.schema)}\n`);
    index.urls[s.source] = file;
    index.kinds[`${s.apiVersion}/${s.kind}`] = s.source;
    written.push(`${s.apiVersion}/${s.kind}`);
  }
  const sorted = {
    kinds: Object.fromEntries(Object.entries(index.kinds).sort(([a], [b]) => a.localeCompare(b))),
    urls: Object.fromEntries(Object.entries(index.urls).sort(([a], [b]) => a.localeCompare(b))),
  };
  const temp = `${indexFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(temp, indexFile);
  return { written, dir };
}
