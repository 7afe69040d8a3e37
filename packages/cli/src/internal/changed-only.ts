import { resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "../io.js";

/** `--changed-since <rev>` and `--base-path <dir>`; `what` says what a changed-only run narrows. */
export function addChangedOnlyOptions(command: Command, what: string): Command {
  return command
    .option(
      "--changed-since <rev>",
      `${what} of the Flux Kustomizations a change since this Git revision may change`,
    )
    .option("--base-path <dir>", `${what} of what differs from this base checkout`);
}

/** `--changed-since` / `--base-path` as the library's option (kubeconform and check). */
export function changedOnlyOption(
  ctx: CliContext,
  o: { changedSince?: string; basePath?: string },
): { changedOnly?: { since?: string; basePath?: string } } {
  if (o.changedSince === undefined && o.basePath === undefined) return {};
  return {
    changedOnly: {
      ...(o.changedSince !== undefined ? { since: o.changedSince } : {}),
      ...(o.basePath !== undefined ? { basePath: resolve(ctx.cwd, o.basePath) } : {}),
    },
  };
}
