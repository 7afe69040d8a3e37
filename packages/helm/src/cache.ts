import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { UserError, writeFileAtomic } from "@homeops/core";

/** Which chart: the repository URL as the HelmRelease's source names it, the chart name and an exact version. */
export interface ChartKey {
  /** `https://charts.example.com` or `oci://ghcr.io/bjw-s/helm` (HelmRepository) or the OCIRepository URL. */
  repository: string;
  chart: string;
  version: string;
}

/** A chart archive in the cache. */
export interface CachedChart extends ChartKey {
  /** `sha256:<hex>` of the `.tgz` (for OCI: the chart layer digest). */
  digest: string;
  /** Absolute path of the blob. */
  file: string;
}

export interface ChartCacheOptions {
  /** Cache directory. Default `~/.cache/homeops/charts`. */
  dir?: string;
}

/** `~/.cache/homeops/charts` */
export function defaultChartCacheDir(): string {
  return join(homedir(), ".cache", "homeops", "charts");
}

/**
 * A content-addressed chart cache: `blobs/sha256/<hex>` holds each archive once; `refs/<sha256(repository)>/<chart>/<version>.json`
 * maps repository URL + chart + version to a digest. Every read re-hashes the blob: a tampered or truncated entry is refused.
 */
export class ChartCache {
  readonly dir: string;

  constructor(options: ChartCacheOptions = {}) {
    this.dir = options.dir ?? defaultChartCacheDir();
  }

  /** The cached entry for an exact version, if any (the blob is not read). */
  async get(key: ChartKey): Promise<CachedChart | undefined> {
    const ref = this.refFile(key);
    if (!existsSync(ref)) return undefined;
    let digest: unknown;
    try {
      digest = (JSON.parse(await readFile(ref, "utf8")) as { digest?: unknown }).digest;
    } catch (cause) {
      throw corrupt(ref, "is not valid JSON", cause);
    }
    if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest))
      throw corrupt(ref, "names no sha256 digest");
    return { ...key, digest, file: this.blobFile(digest) };
  }

  /** Reads a cached archive, verifying its digest. */
  async read(entry: CachedChart): Promise<Uint8Array> {
    let bytes: Buffer;
    try {
      bytes = await readFile(entry.file);
    } catch (cause) {
      throw corrupt(
        entry.file,
        `is missing (referenced by ${entry.repository} ${entry.chart}@${entry.version})`,
        cause,
      );
    }
    const actual = sha256(bytes);
    if (actual !== entry.digest) {
      throw corrupt(
        entry.file,
        `does not match its digest: expected ${entry.digest}, found ${actual} (${entry.repository} ${entry.chart}@${entry.version})`,
      );
    }
    return new Uint8Array(bytes);
  }

  /** Stores an archive; with `expectedDigest` (from the repository index or OCI manifest) a mismatch is refused. */
  async put(key: ChartKey, bytes: Uint8Array, expectedDigest?: string): Promise<CachedChart> {
    const digest = sha256(bytes);
    if (expectedDigest !== undefined && expectedDigest !== digest) {
      throw new UserError(
        "CHART_DIGEST_MISMATCH",
        `${key.repository} ${key.chart}@${key.version}: downloaded archive has digest ${digest}, the repository says ${expectedDigest}`,
        { hint: "the repository served different bytes than it advertises; nothing was cached" },
      );
    }
    const file = this.blobFile(digest);
    await mkdir(join(this.dir, "blobs", "sha256"), { recursive: true });
    if (!existsSync(file)) await writeFileAtomic(file, bytes);
    await mkdir(join(this.dir, "refs", repoKey(key.repository), safeName(key.chart)), { recursive: true });
    await writeFileAtomic(this.refFile(key), `${JSON.stringify({ ...key, digest }, null, 2)}\n`);
    return { ...key, digest, file };
  }

  /** Versions of a chart cached for a repository (for resolving a semver range offline). */
  async versions(repository: string, chart: string): Promise<string[]> {
    const dir = join(this.dir, "refs", repoKey(repository), safeName(chart));
    if (!existsSync(dir)) return [];
    return (await readdir(dir))
      .filter((f) => f.endsWith(".json"))
      .map((f) => decodeURIComponent(f.slice(0, -5)));
  }

  private refFile(key: ChartKey): string {
    return join(
      this.dir,
      "refs",
      repoKey(key.repository),
      safeName(key.chart),
      `${safeName(key.version)}.json`,
    );
  }

  private blobFile(digest: string): string {
    return join(this.dir, "blobs", "sha256", digest.slice("sha256:".length));
  }
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function repoKey(repository: string): string {
  return createHash("sha256").update(repository.replace(/\/+$/, "")).digest("hex").slice(0, 32);
}

function safeName(name: string): string {
  return encodeURIComponent(name);
}

function corrupt(file: string, what: string, cause?: unknown): UserError {
  return new UserError("CHART_CACHE_CORRUPT", `chart cache entry ${file} ${what}`, {
    hint: "delete the entry (or the whole chart cache) and pull again with --allow-network",
    ...(cause === undefined ? {} : { cause }),
  });
}
