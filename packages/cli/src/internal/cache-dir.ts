import { join } from "node:path";
import type { CliContext } from "../io.js";

/** `$HOMEOPS_CACHE_DIR`, else `$XDG_CACHE_HOME/homeops`, else `~/.cache/homeops` (only when HOME is set). */
export function homeopsCacheBase(ctx: CliContext): string | undefined {
  return (
    ctx.env.HOMEOPS_CACHE_DIR ||
    (ctx.env.XDG_CACHE_HOME ? join(ctx.env.XDG_CACHE_HOME, "homeops") : undefined) ||
    (ctx.env.HOME ? join(ctx.env.HOME, ".cache", "homeops") : undefined)
  );
}

/** Where compiled schemas are kept between runs: `<cache>/schemas`. */
export function schemaCacheDir(ctx: CliContext): string | undefined {
  const base = homeopsCacheBase(ctx);
  return base ? join(base, "schemas") : undefined;
}

/** The schema cache `homeops schemas pull` fills and validation reads offline: `<cache>/schema-cache`. */
export function pulledSchemasDir(ctx: CliContext): string | undefined {
  const base = homeopsCacheBase(ctx);
  return base ? join(base, "schema-cache") : undefined;
}

/** The HelmRelease chart cache: `<cache>/charts` (default `~/.cache/homeops/charts`). */
export function chartCacheDir(ctx: CliContext): string | undefined {
  const base = homeopsCacheBase(ctx);
  return base ? join(base, "charts") : undefined;
}
