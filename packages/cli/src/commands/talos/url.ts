import type { Command } from "commander";
import type { Runner } from "../../command.js";
import type { ExitCode } from "../../exit-codes.js";
import { printReport } from "../../internal/print-report.js";
import { openTalosRepository, outputOption, type TalosFlags } from "../../internal/talos-options.js";
import type { CliContext } from "../../io.js";
import { printNodeImages } from "../../reporters/talos.js";

/** `homeops talos url` */
export async function talosUrl(
  ctx: CliContext,
  flags: TalosFlags & { node?: string; schematic?: string },
): Promise<ExitCode> {
  const { repo } = await openTalosRepository(ctx, flags);
  const report = await (await import("@homeops/repo")).talosUrls(repo, {
    ...(flags.node ? { node: flags.node } : {}),
    ...(flags.schematic ? { schematicFile: flags.schematic } : {}),
  });
  if ((flags.output ?? "text") === "text") printNodeImages(ctx, report.data?.images);
  return printReport(ctx, flags.output ?? "text", report);
}

export function registerUrl(talos: Command, run: Runner): void {
  talos
    .command("url")
    .description("schematic ids (computed offline) and Image Factory installer / ISO / PXE URLs")
    .option("--node <name|ip>", "only this node")
    .option("--schematic <file>", "compute the id of this schematic file instead")
    .addOption(outputOption())
    .action((o: TalosFlags & { node?: string; schematic?: string }) => run((ctx) => talosUrl(ctx, o)));
}
