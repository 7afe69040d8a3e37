import { join } from "node:path";
import type { CliContext } from "../io.js";
import { homeopsCacheBase } from "./cache-dir.js";

/**
 * How every command opens the repository: from the working directory, with the context's logger, and
 * keeping YAML parses between runs in `<cache>/parse` (see `homeopsCacheBase`).
 */
export function repositoryOptions(ctx: CliContext): {
  cwd: string;
  logger: CliContext["logger"];
  parseCacheDir?: string;
} {
  const base = homeopsCacheBase(ctx);
  return { cwd: ctx.cwd, logger: ctx.logger, ...(base ? { parseCacheDir: join(base, "parse") } : {}) };
}
