import { join } from "node:path";
import type { CliContext } from "../io.js";

/**
 * Where compiled schemas are kept between runs: `$HOMEOPS_CACHE_DIR`, else `$XDG_CACHE_HOME/homeops`,
 * else `~/.cache/homeops` (only when HOME is set), each + `/schemas`.
 */
export function schemaCacheDir(ctx: CliContext): string | undefined {
  const base =
    ctx.env.HOMEOPS_CACHE_DIR ||
    (ctx.env.XDG_CACHE_HOME ? join(ctx.env.XDG_CACHE_HOME, "homeops") : undefined) ||
    (ctx.env.HOME ? join(ctx.env.HOME, ".cache", "homeops") : undefined);
  return base ? join(base, "schemas") : undefined;
}
