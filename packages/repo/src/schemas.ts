import { type Finding, isRemoteReference, type Report } from "@homeops/core";
import type { PulledSchema, SchemaCacheIndex, SchemaOrigin, ValidationUnit } from "@homeops/schema";
import type { Repository } from "./repository.js";
import {
  collectManifestUnits,
  repositoryCatalog,
  type ValidateManifestsOptions,
} from "./validate-manifests.js";

/** Options of `pullRepositorySchemas` and `listRepositorySchemas`. */
export interface RepositorySchemasOptions
  extends Pick<
    ValidateManifestsOptions,
    "dir" | "clusterRoot" | "allowNetwork" | "kubernetesVersion" | "cacheDir" | "onProgress" | "command"
  > {
  /** The schema cache directory (required to pull; read by list). */
  schemaCacheDir?: string;
  /**
   * Schema locations: local ones are used as in a validate run; http(s) templates are where `pull` looks
   * first for the kinds nothing covers. Default none.
   */
  schemaLocation?: readonly string[];
  /** Download function (tests). Default: the global `fetch`. */
  fetch?: (url: string) => Promise<{ status: number; ok: boolean; text(): Promise<string> }>;
}

/** One kind the repository uses and where its schema comes from. */
export interface KindSchemaRow {
  apiVersion: string;
  kind: string;
  objects: number;
  origin: SchemaOrigin | "none" | "error";
  /** file, URL or `file:line` of the repository CRD; the problem for `error` */
  source: string;
}

export interface PullSchemasData {
  cacheDir: string;
  /** templates tried in order: `--schema-location` ones, then the repository's `$schema=` ones */
  templates: string[];
  results: PulledSchema[];
}

export interface ListSchemasData {
  kinds: KindSchemaRow[];
  repositoryCrdKinds: string[];
  cache: SchemaCacheIndex;
  kubernetesVersion: string;
}

function usedKinds(units: readonly ValidationUnit[]): { apiVersion: string; kind: string; count: number }[] {
  const kinds = new Map<string, { apiVersion: string; kind: string; count: number }>();
  for (const { object } of units) {
    if (!object.apiVersion || !object.kind) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    const entry = kinds.get(key) ?? { apiVersion: object.apiVersion, kind: object.kind, count: 0 };
    entry.count++;
    kinds.set(key, entry);
  }
  return [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
}

/**
 * `homeops schemas pull`: builds the repository and, for every kind it uses that no schema covers (no
 * repository CRD, location or catalog entry, nothing cached), fetches one from the http(s)
 * `schemaLocation` templates and then from the templates the repository's own `$schema=` comments give
 * (`<base>/<group>/<kind>_<version>.json`); also fetches every other schema those comments name for built
 * objects (document schemas) and the schemas they refer to. The only network use, and only when asked.
 */
export async function pullRepositorySchemas(
  repo: Repository,
  options: RepositorySchemasOptions & { schemaCacheDir: string },
): Promise<Report<PullSchemasData>> {
  const schema = await import("@homeops/schema/catalog");
  const { target, units, findings } = await collectManifestUnits(repo, options);
  const locations = options.schemaLocation ?? [];
  const catalog = await repositoryCatalog(repo, units, {
    ...options,
    schemaLocation: locations.filter((l) => !isRemoteReference(l)),
  });
  const templates = locations.filter((l) => isRemoteReference(l));
  const documentUrls = new Set<string>();
  const builtFiles = new Set(units.map(({ object }) => object.provenance.file));
  const prefix = target === "." ? "" : `${target}/`;
  for (const [file, text] of await repo.files()) {
    if (!file.startsWith(prefix) || !/\.ya?ml$/.test(file) || !text.includes("$schema=")) continue;
    for (const { url } of schema.findSchemaComments(text)) {
      const template = schema.kindSchemaTemplate(url);
      if (template) {
        if (!templates.includes(template)) templates.push(template);
      } else if (builtFiles.has(file) && isRemoteReference(url)) documentUrls.add(url);
    }
  }
  const wanted: { apiVersion: string; kind: string }[] = [];
  for (const { apiVersion, kind } of usedKinds(units)) {
    if (kind === "Secret") continue;
    if ((await catalog.lookup(apiVersion, kind)).found === false) wanted.push({ apiVersion, kind });
  }
  options.onProgress?.(`pulling ${wanted.length} kind schemas and ${documentUrls.size} document schemas`);
  const results = await schema.pullSchemas({
    dir: options.schemaCacheDir,
    kinds: wanted,
    templates,
    urls: [...documentUrls].sort(),
    kubernetesVersion: catalog.kubernetesVersion,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const counts = { pulled: 0, cached: 0, "not-found": 0, error: 0 };
  const out: Finding[] = [...findings.filter((f) => f.severity === "error")];
  for (const r of results) {
    counts[r.status]++;
    if (r.status === "not-found") {
      out.push({
        ruleId: "schemas/not-found",
        severity: "warning",
        message: `${r.key}: no schema at ${r.tried.length > 0 ? r.tried.join(", ") : "any template (none given)"}`,
        hint: "pass --schema-location <template> naming where its schema is published",
      });
    } else if (r.status === "error") {
      out.push({
        ruleId: "schemas/fetch-failed",
        severity: "error",
        message: `${r.key}: ${r.message ?? "failed"}`,
      });
    } else {
      out.push({ ruleId: "schemas/pulled", severity: "info", message: `${r.key} ← ${r.url}` });
    }
  }
  return {
    command: options.command ?? "schemas pull",
    findings: out,
    summary: `schema cache ${options.schemaCacheDir}: ${counts.pulled} pulled, ${counts.cached} already cached, ${counts["not-found"]} not found, ${counts.error} failed (${templates.length} templates)`,
    data: { cacheDir: options.schemaCacheDir, templates, results },
  };
}

/** `homeops schemas list`: where the schema of every kind the repository uses comes from. */
export async function listRepositorySchemas(
  repo: Repository,
  options: RepositorySchemasOptions = {},
): Promise<Report<ListSchemasData>> {
  const { units, findings } = await collectManifestUnits(repo, options);
  const catalog = await repositoryCatalog(repo, units, options);
  const kinds: KindSchemaRow[] = [];
  for (const { apiVersion, kind, count } of usedKinds(units)) {
    const lookup = await catalog.lookup(apiVersion, kind);
    kinds.push({
      apiVersion,
      kind,
      objects: count,
      origin: lookup.found === true ? lookup.schema.origin : lookup.found === false ? "none" : "error",
      source: lookup.found === true ? lookup.schema.source : lookup.found === false ? "" : lookup.message,
    });
  }
  const byOrigin: Record<string, number> = {};
  for (const r of kinds) byOrigin[r.origin] = (byOrigin[r.origin] ?? 0) + 1;
  const cache = catalog.cachedSchemas();
  return {
    command: options.command ?? "schemas list",
    findings: [
      ...findings.filter((f) => f.severity === "error"),
      ...kinds
        .filter((r) => r.origin === "none")
        .map(
          (r): Finding => ({
            ruleId: "schemas/none",
            severity: "info",
            message: `${r.apiVersion} ${r.kind}: no schema (${r.objects} objects)`,
          }),
        ),
    ],
    summary: `${kinds.length} kinds: ${Object.entries(byOrigin)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([origin, n]) => `${n} ${origin}`)
      .join(", ")}; cache: ${Object.keys(cache.kinds).length} kinds, ${Object.keys(cache.urls).length} URLs`,
    data: {
      kinds,
      repositoryCrdKinds: catalog.repositoryKinds(),
      cache,
      kubernetesVersion: catalog.kubernetesVersion,
    },
  };
}
