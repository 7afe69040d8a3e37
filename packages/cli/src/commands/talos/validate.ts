import type { Repository } from "@homeops/repo";
import type { Command } from "commander";
import type { Runner } from "../../command.js";
import type { ExitCode } from "../../exit-codes.js";
import { printReport } from "../../internal/print-report.js";
import {
  openTalosRepository,
  outputOption,
  secretsOption,
  type TalosFlags,
} from "../../internal/talos-options.js";
import type { CliContext } from "../../io.js";

/** `homeops talos validate` */
export async function talosValidate(
  ctx: CliContext,
  flags: TalosFlags & { schema?: string },
  opened?: Repository,
): Promise<ExitCode> {
  const { repo, stage } = await openTalosRepository(ctx, flags, opened);
  const report = await (await import("@homeops/repo")).talosValidate(repo, {
    ...stage,
    ...(flags.schema ? { schemaFile: flags.schema } : {}),
  });
  return printReport(ctx, flags.output ?? "text", report);
}

/** The `talos` stage of `homeops configure`: not run in a repository that never had a bundle; errors are exit 2. */
export async function talosStage(
  ctx: CliContext,
  opened?: Repository,
): Promise<ExitCode | { notRun: string }> {
  try {
    const { repo, stage } = await openTalosRepository(ctx, {}, opened);
    const notRun = await (await import("@homeops/repo")).talosStageReadiness(repo, stage);
    if (notRun) return { notRun };
    return await talosValidate(ctx, {}, repo);
  } catch (error) {
    const { reportError } = await import("../../internal/errors.js");
    return reportError(ctx, error);
  }
}

export function registerValidate(talos: Command, run: Runner): void {
  talos
    .command("validate")
    .description(
      "generate in memory and validate every machine config (Talos' JSON Schema, Talos' rules, completeness)",
    )
    .option(
      "--schema <file>",
      "Talos' config.schema.json (default .homeops/talos/config.schema.json when present)",
    )
    .addOption(secretsOption())
    .addOption(outputOption())
    .action((o: TalosFlags & { schema?: string }) => run((ctx) => talosValidate(ctx, o)));
}
