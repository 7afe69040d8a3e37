import { UserError } from "@homeops/core";
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
import { printGeneratedFiles } from "../../reporters/talos.js";

/** `homeops talos generate` */
export async function talosGenerate(
  ctx: CliContext,
  flags: TalosFlags & { dryRun?: boolean },
): Promise<ExitCode> {
  const { repo, stage } = await openTalosRepository(ctx, flags);
  const report = await (await import("@homeops/repo")).talosGenerate(repo, {
    ...stage,
    ...(flags.dryRun ? { dryRun: true } : {}),
  });
  if ((flags.output ?? "text") === "text") printGeneratedFiles(ctx, report.data);
  return printReport(ctx, flags.output ?? "text", report);
}

/** `homeops talos gensecret --new` */
export async function talosGensecret(
  ctx: CliContext,
  flags: TalosFlags & { new?: boolean },
): Promise<ExitCode> {
  if (!flags.new)
    throw new UserError(
      "USAGE",
      "homeops talos gensecret creates a new cluster identity: pass --new to confirm",
      { hint: "an existing bundle is never replaced; restore a lost one from your backup instead" },
    );
  const { repo, stage } = await openTalosRepository(ctx, flags);
  const report = await (await import("@homeops/repo")).talosGensecret(repo, stage);
  return printReport(ctx, flags.output ?? "text", report);
}

export function registerGenerate(talos: Command, run: Runner): void {
  talos
    .command("generate")
    .description(
      "write talosconfig/clusterconfig/<cluster>-<node>.yaml and talosconfig/talosconfig (mode 0600, gitignored)",
    )
    .option("--dry-run", "write nothing; list what would be written")
    .addOption(secretsOption())
    .addOption(outputOption())
    .action((o: TalosFlags & { dryRun?: boolean }) => run((ctx) => talosGenerate(ctx, o)));
  talos
    .command("gensecret")
    .description("create a new secrets bundle (SOPS-encrypted); refuses to overwrite an existing one")
    .option("--new", "confirm: a new bundle is a new cluster identity")
    .addOption(secretsOption())
    .addOption(outputOption())
    .action((o: TalosFlags & { new?: boolean }) => run((ctx) => talosGensecret(ctx, o)));
}
