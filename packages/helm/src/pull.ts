import { readFile } from "node:fs/promises";
import { UserError } from "@homeops/core";
import { parse as parseYamlText } from "yaml";
import type { CachedChart, ChartCache } from "./cache.js";
import { pickVersion } from "./version.js";

/** Credentials for OCI registries, by host (`ghcr.io`, `127.0.0.1:5000`). */
export type RegistryCredentials = ReadonlyMap<string, { username: string; password: string }>;

export interface PullOptions {
  /** Credentials per registry host (see `readRegistryConfig`). */
  credentials?: RegistryCredentials;
  /** Plain HTTP for OCI registries (a HelmRepository/OCIRepository with `spec.insecure: true`). */
  insecure?: boolean;
  /** Injected for tests; default the global `fetch`. */
  fetch?: typeof fetch;
}

/** Where a chart comes from: a Helm HTTP repository or an OCI artifact. */
export type ChartSource =
  | { type: "http"; url: string; chart: string }
  /** `url` is the full artifact reference without tag: `oci://host/path/chart`. */
  | { type: "oci"; url: string; chart: string };

/** Reads a Docker/Helm registry config (`{"auths": {"host": {"auth": base64(user:pass)}}}`) as credentials. */
export async function readRegistryConfig(path: string): Promise<RegistryCredentials> {
  let parsed: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    parsed = JSON.parse(await readFile(path, "utf8")) as typeof parsed;
  } catch (cause) {
    throw new UserError("FILE_UNREADABLE", `cannot read the registry config ${path}`, {
      hint: 'pass a Docker config.json (`{"auths": {...}}`) to --registry-config',
      cause,
    });
  }
  const out = new Map<string, { username: string; password: string }>();
  for (const [host, entry] of Object.entries(parsed.auths ?? {})) {
    let { username, password } = entry;
    if (entry.auth !== undefined) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    if (username !== undefined && password !== undefined) {
      out.set(host.replace(/^https?:\/\//, "").replace(/\/.*$/, ""), { username, password });
    }
  }
  return out;
}

/** Resolves `version` (exact or semver range) against the source, downloads the archive once and caches it. */
export async function pullChart(
  source: ChartSource,
  version: string,
  cache: ChartCache,
  options: PullOptions = {},
): Promise<CachedChart> {
  return source.type === "http"
    ? pullHttp(source, version, cache, options)
    : pullOci(source, version, cache, options);
}

interface IndexEntry {
  version?: string;
  digest?: string;
  urls?: string[];
}

async function pullHttp(
  source: Extract<ChartSource, { type: "http" }>,
  range: string,
  cache: ChartCache,
  options: PullOptions,
): Promise<CachedChart> {
  const doFetch = options.fetch ?? fetch;
  const base = source.url.replace(/\/+$/, "");
  const index = parseYamlText(await text(doFetch, `${base}/index.yaml`, {}, source)) as {
    entries?: Record<string, IndexEntry[]>;
  };
  const entries = index?.entries?.[source.chart] ?? [];
  const version = pickVersion(
    entries.map((e) => String(e.version ?? "")),
    range,
  );
  const entry = entries.find((e) => String(e.version) === version);
  if (version === undefined || entry === undefined) {
    throw pullFailed(source, `no version of ${source.chart} matches '${range}' in ${base}/index.yaml`);
  }
  const existing = await cache.get({ repository: source.url, chart: source.chart, version });
  if (existing !== undefined && (entry.digest === undefined || `sha256:${entry.digest}` === existing.digest))
    return existing;
  const url = entry.urls?.[0];
  if (url === undefined)
    throw pullFailed(source, `${source.chart}@${version} has no download URL in the index`);
  const bytes = await binary(doFetch, new URL(url, `${base}/`).toString(), {}, source);
  return cache.put(
    { repository: source.url, chart: source.chart, version },
    bytes,
    entry.digest === undefined ? undefined : `sha256:${entry.digest.replace(/^sha256:/, "")}`,
  );
}

const HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

async function pullOci(
  source: Extract<ChartSource, { type: "oci" }>,
  range: string,
  cache: ChartCache,
  options: PullOptions,
): Promise<CachedChart> {
  const ref = source.url.replace(/^oci:\/\//, "").replace(/\/+$/, "");
  const slash = ref.indexOf("/");
  if (slash < 0) throw pullFailed(source, `'${source.url}' names no repository`);
  const host = ref.slice(0, slash);
  const name = ref.slice(slash + 1);
  const client = new RegistryClient(host, options);
  let tag: string;
  if (range.startsWith("sha256:")) {
    tag = range;
  } else {
    const exact = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/.test(range) || !/[\s*^~<>=|xX]/.test(range);
    if (exact) {
      tag = range;
    } else {
      const tags =
        (JSON.parse(await client.text(`/v2/${name}/tags/list`, {}, source)) as { tags?: string[] }).tags ??
        [];
      // Helm stores `+` of a version as `_` in tags
      const picked = pickVersion(
        tags.map((t) => t.replace(/_/g, "+")),
        range,
      );
      if (picked === undefined) throw pullFailed(source, `no tag of ${source.url} matches '${range}'`);
      tag = picked.replace(/\+/g, "_");
    }
  }
  const version = tag.replace(/_/g, "+");
  const manifest = JSON.parse(
    await client.text(`/v2/${name}/manifests/${tag}`, { accept: MANIFEST_TYPES }, source),
  ) as { layers?: { mediaType?: string; digest?: string }[] };
  const layers = manifest.layers ?? [];
  const layer = layers.find((l) => l.mediaType === HELM_LAYER) ?? layers[0];
  if (layer?.digest === undefined) throw pullFailed(source, `${source.url}:${tag} has no chart layer`);
  const key = { repository: source.url, chart: source.chart, version };
  const existing = await cache.get(key);
  if (existing !== undefined && existing.digest === layer.digest) return existing;
  const bytes = await client.binary(`/v2/${name}/blobs/${layer.digest}`, source);
  return cache.put(key, bytes, layer.digest);
}

/** Registry API v2 client: anonymous, Basic or Bearer-token auth (the token flow of docker/distribution). */
class RegistryClient {
  private token: string | undefined;
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(
    private readonly host: string,
    private readonly options: PullOptions,
  ) {
    this.base = `${options.insecure === true ? "http" : "https"}://${host}`;
    this.doFetch = options.fetch ?? fetch;
  }

  async text(path: string, headers: Record<string, string>, source: ChartSource): Promise<string> {
    return new TextDecoder().decode(await this.request(path, headers, source));
  }

  async binary(path: string, source: ChartSource): Promise<Uint8Array> {
    return this.request(path, {}, source);
  }

  private async request(
    path: string,
    headers: Record<string, string>,
    source: ChartSource,
  ): Promise<Uint8Array> {
    const url = `${this.base}${path}`;
    const cred = this.options.credentials?.get(this.host);
    const withAuth = (): Record<string, string> =>
      this.token !== undefined
        ? { ...headers, authorization: `Bearer ${this.token}` }
        : cred !== undefined
          ? { ...headers, authorization: `Basic ${basic(cred)}` }
          : headers;
    let res = await call(this.doFetch, url, withAuth(), source);
    if (res.status === 401) {
      const challenge = res.headers.get("www-authenticate") ?? "";
      if (/^bearer/i.test(challenge)) {
        this.token = await this.fetchToken(challenge, source);
        res = await call(this.doFetch, url, withAuth(), source);
      }
    }
    if (!res.ok) throw pullFailed(source, `GET ${url}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  private async fetchToken(challenge: string, source: ChartSource): Promise<string> {
    const params = new Map<string, string>();
    for (const m of challenge.matchAll(/(\w+)="([^"]*)"/g)) params.set(m[1]!.toLowerCase(), m[2]!);
    const realm = params.get("realm");
    if (realm === undefined)
      throw pullFailed(source, `registry ${this.host} sent a Bearer challenge without realm`);
    const url = new URL(realm);
    for (const p of ["service", "scope"]) {
      const v = params.get(p);
      if (v !== undefined) url.searchParams.set(p, v);
    }
    const cred = this.options.credentials?.get(this.host);
    const res = await call(
      this.doFetch,
      url.toString(),
      cred ? { authorization: `Basic ${basic(cred)}` } : {},
      source,
    );
    if (!res.ok)
      throw pullFailed(source, `token request to ${url.origin}${url.pathname}: HTTP ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token === undefined) throw pullFailed(source, `registry ${this.host} returned no token`);
    return token;
  }
}

function basic(cred: { username: string; password: string }): string {
  return Buffer.from(`${cred.username}:${cred.password}`).toString("base64");
}

async function call(
  doFetch: typeof fetch,
  url: string,
  headers: Record<string, string>,
  source: ChartSource,
) {
  try {
    return await doFetch(url, { headers, redirect: "follow" });
  } catch (cause) {
    throw pullFailed(source, `GET ${url}: ${(cause as Error).message}`, cause);
  }
}

async function text(
  doFetch: typeof fetch,
  url: string,
  headers: Record<string, string>,
  source: ChartSource,
) {
  return new TextDecoder().decode(await binary(doFetch, url, headers, source));
}

async function binary(
  doFetch: typeof fetch,
  url: string,
  headers: Record<string, string>,
  source: ChartSource,
) {
  const res = await call(doFetch, url, headers, source);
  if (!res.ok) throw pullFailed(source, `GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function pullFailed(source: ChartSource, message: string, cause?: unknown): UserError {
  return new UserError(
    "CHART_PULL_FAILED",
    `cannot pull chart ${source.chart} from ${source.url}: ${message}`,
    {
      hint: "check the repository URL, the version and the network; for a private registry pass --registry-config",
      ...(cause === undefined ? {} : { cause }),
    },
  );
}
