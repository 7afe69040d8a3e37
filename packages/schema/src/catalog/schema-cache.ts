import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expandSchemaLocation, isRemoteLocation, schemaTemplateData } from "./schema-location.js";

/**
 * The schema cache: JSON Schemas fetched by `homeops schemas pull` (only when asked), kept with the URL
 * each came from, and read offline by later runs. Layout: `<dir>/index.json` plus one
 * `<sha256(url)[0..16]>.json` per fetched URL.
 */
export interface SchemaCacheIndex {
  /** `apiVersion/Kind` → the URL its schema was fetched from */
  kinds: Record<string, string>;
  /** URL → file below the cache directory */
  urls: Record<string, string>;
}

const INDEX = "index.json";

/** Reads a cache directory's index; an absent or unreadable one is empty. */
export function readSchemaCache(dir: string): SchemaCacheIndex {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, INDEX), "utf8")) as Partial<SchemaCacheIndex>;
    return { kinds: { ...(parsed.kinds ?? {}) }, urls: { ...(parsed.urls ?? {}) } };
  } catch {
    return { kinds: {}, urls: {} };
  }
}

function writeIndex(dir: string, index: SchemaCacheIndex): void {
  const sorted = {
    kinds: Object.fromEntries(Object.entries(index.kinds).sort(([a], [b]) => a.localeCompare(b))),
    urls: Object.fromEntries(Object.entries(index.urls).sort(([a], [b]) => a.localeCompare(b))),
  };
  const temp = join(dir, `${INDEX}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(temp, join(dir, INDEX));
}

/** A schema to keep in the cache under a source name (e.g. `cluster:<server>/<group>/<kind>_<version>.json`). */
export interface StoredSchema {
  apiVersion: string;
  kind: string;
  /** where it came from; the cache's key for it */
  source: string;
  schema: unknown;
}

/**
 * Puts schemas into the cache as if pulled from `source`, so later offline runs validate those kinds with
 * them (a cached kind is replaced). Returns `apiVersion/Kind` of each schema stored.
 */
export function storeSchemasInCache(dir: string, schemas: readonly StoredSchema[]): string[] {
  mkdirSync(dir, { recursive: true });
  const index = readSchemaCache(dir);
  const stored: string[] = [];
  for (const s of schemas) {
    const file = `${createHash("sha256").update(s.source).digest("hex").slice(0, 16)}.json`;
    writeFileSync(join(dir, file), `${JSON.stringify(s.schema)}\n`);
    index.urls[s.source] = file;
    index.kinds[`${s.apiVersion}/${s.kind}`] = s.source;
    stored.push(`${s.apiVersion}/${s.kind}`);
  }
  writeIndex(dir, index);
  return stored;
}

/** The cached text of a URL, if it was pulled. */
export function readCachedUrl(dir: string, index: SchemaCacheIndex, url: string): string | undefined {
  const file = index.urls[url];
  if (!file) return undefined;
  try {
    return readFileSync(join(dir, file), "utf8");
  } catch {
    return undefined;
  }
}

/** One `# yaml-language-server: $schema=<url>` comment of a file. */
export interface SchemaComment {
  /** 1-based line of the comment */
  line: number;
  url: string;
}

const SCHEMA_COMMENT = /^\s*#\s*yaml-language-server:\s*\$schema=(\S+)/;

/** Every `yaml-language-server` `$schema=` comment of a YAML text, in order. */
export function findSchemaComments(text: string): SchemaComment[] {
  const out: SchemaComment[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.includes("$schema=")) continue;
    const match = SCHEMA_COMMENT.exec(line);
    if (match) out.push({ line: i + 1, url: match[1]! });
  }
  return out;
}

/**
 * The comment that names the schema of the document at `line`: the last one inside that document (between
 * the `---` separators around it), else one above the first document (a file-wide modeline).
 */
export function schemaCommentFor(
  comments: readonly SchemaComment[],
  line: number,
  separators: readonly number[] = [],
): SchemaComment | undefined {
  const before = separators.filter((s) => s <= line);
  const start = before.length > 0 ? before[before.length - 1]! : 0;
  const end = separators.find((s) => s > line) ?? Number.POSITIVE_INFINITY;
  let found: SchemaComment | undefined;
  for (const comment of comments) if (comment.line >= start && comment.line < end) found = comment;
  if (found) return found;
  const first = separators[0] ?? Number.POSITIVE_INFINITY;
  return comments.find((c) => c.line < first && c.line < line);
}

/** 1-based lines of a YAML text's `---` document separators. */
export function documentSeparators(text: string): number[] {
  const out: number[] = [];
  for (const [i, line] of text.split("\n").entries()) if (/^---(\s|$)/.test(line)) out.push(i + 1);
  return out;
}

const KIND_URL = /^(https?:\/\/.+)\/([a-z0-9.-]+)\/([a-z0-9]+)_([a-z0-9]+)\.json$/;

/**
 * A `$schema=` URL in the catalog layout (`<base>/<group>/<kind>_<version>.json`) names the schema of
 * one kind; its base is a template for every other kind: `<base>/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`.
 * Any other URL (a chart's HelmRelease schema, …) is a document schema.
 */
export function kindSchemaTemplate(url: string): string | undefined {
  const match = KIND_URL.exec(url);
  return match ? `${match[1]}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json` : undefined;
}

/** What to pull: the kinds without a schema, the templates to try for them, and document schema URLs. */
export interface PullSchemasOptions {
  /** The cache directory (created when missing). */
  dir: string;
  /** Kinds to find a schema for: `{ apiVersion, kind }`. */
  kinds: readonly { apiVersion: string; kind: string }[];
  /** http(s) templates (kubeconform syntax), tried in order for each kind. */
  templates: readonly string[];
  /** Document schema URLs to fetch as they are. */
  urls?: readonly string[];
  /** `{{.NormalizedKubernetesVersion}}` of templates. */
  kubernetesVersion: string;
  /** Default: the global `fetch`. */
  fetch?: (url: string) => Promise<{ status: number; ok: boolean; text(): Promise<string> }>;
}

/** The outcome for one kind or URL. */
export interface PulledSchema {
  /** `apiVersion/Kind`, or the URL itself for a document schema */
  key: string;
  status: "pulled" | "cached" | "not-found" | "error";
  /** the URL the schema came from */
  url?: string;
  /** URLs tried, in order */
  tried: string[];
  /** what went wrong (`error`) */
  message?: string;
}

/**
 * Fetches the schema of each kind from the first template that has one (a 404 moves on to the next), and
 * each document schema URL, into the cache; the index records the source URL of each. Kinds and URLs
 * already cached are not fetched again. Never throws for a failed download: see each result's status.
 */
export async function pullSchemas(options: PullSchemasOptions): Promise<PulledSchema[]> {
  const get = options.fetch ?? ((url: string) => fetch(url));
  mkdirSync(options.dir, { recursive: true });
  const index = readSchemaCache(options.dir);
  const results: PulledSchema[] = [];
  const store = (url: string, text: string) => {
    const file = `${createHash("sha256").update(url).digest("hex").slice(0, 16)}.json`;
    writeFileSync(join(options.dir, file), text);
    index.urls[url] = file;
  };
  const download = async (url: string): Promise<{ text?: string; error?: string }> => {
    if (index.urls[url] && readCachedUrl(options.dir, index, url) !== undefined) return { text: "" };
    try {
      const response = await get(url);
      if (response.status === 404) return {};
      if (!response.ok) return { error: `HTTP ${response.status}` };
      const text = await response.text();
      const parsed: unknown = JSON.parse(text); // only JSON is worth keeping
      store(url, text);
      // a schema that refers to others by URL needs them offline too
      for (const ref of externalRefs(parsed, url))
        if (!index.urls[ref] && refs.length < MAX_REFS) refs.push(ref);
      return { text };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const refs: string[] = [];
  const templates = options.templates.filter(isRemoteLocation);
  for (const { apiVersion, kind } of options.kinds) {
    const key = `${apiVersion}/${kind}`;
    if (index.kinds[key] && readCachedUrl(options.dir, index, index.kinds[key]!) !== undefined) {
      results.push({ key, status: "cached", url: index.kinds[key]!, tried: [] });
      continue;
    }
    const data = schemaTemplateData(kind, apiVersion, options.kubernetesVersion, true);
    const tried: string[] = [];
    let result: PulledSchema | undefined;
    for (const template of templates) {
      const url = expandSchemaLocation(template, data);
      if (tried.includes(url)) continue;
      tried.push(url);
      const { text, error } = await download(url);
      if (text !== undefined) {
        index.kinds[key] = url;
        result = { key, status: "pulled", url, tried };
        break;
      }
      if (error) {
        result = { key, status: "error", tried, message: `${url}: ${error}` };
        break;
      }
    }
    results.push(result ?? { key, status: "not-found", tried });
  }
  for (const url of [...new Set(options.urls ?? [])]) {
    if (!isRemoteLocation(url)) continue;
    const { text, error } = await download(url);
    if (text !== undefined) results.push({ key: url, status: "pulled", url, tried: [url] });
    else if (error) results.push({ key: url, status: "error", tried: [url], message: error });
    else results.push({ key: url, status: "not-found", tried: [url] });
  }
  for (let i = 0; i < refs.length; i++) {
    const { text, error } = await download(refs[i]!);
    if (text === undefined)
      results.push({
        key: refs[i]!,
        status: error ? "error" : "not-found",
        tried: [refs[i]!],
        ...(error ? { message: error } : {}),
      });
  }
  writeIndex(options.dir, index);
  return results;
}

/** Referenced schemas fetched along with a schema, at most. */
const MAX_REFS = 100;

/** The absolute http(s) URLs (without fragment) a schema's `$ref`s point at, resolved against its URL. */
export function externalRefs(schema: unknown, base: string): string[] {
  const out = new Set<string>();
  const stack = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) {
          try {
            const url = new URL(value, base);
            url.hash = "";
            if (url.protocol === "http:" || url.protocol === "https:") out.add(url.href);
          } catch {
            // not a URL: ajv reports it when compiling
          }
        } else if (value && typeof value === "object") stack.push(value);
      }
    }
  }
  return [...out].sort();
}
