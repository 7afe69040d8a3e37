import type { TalosCommandsData, TalosGenerateData } from "@homeops/repo";
import type { NodeImage } from "@homeops/talos";
import type { CliContext } from "../io.js";

/** `homeops talos generate`'s text lines before the summary: `<status> <path>` per file. */
export function printGeneratedFiles(ctx: CliContext, data: TalosGenerateData | undefined): void {
  for (const f of data?.files ?? []) ctx.stdout.write(`${f.status} ${f.path}\n`);
}

/** `homeops talos url`'s text: per node its schematic id and the installer, ISO and PXE URLs. */
export function printNodeImages(ctx: CliContext, images: readonly NodeImage[] | undefined): void {
  for (const i of images ?? [])
    ctx.stdout.write(
      `${i.node}\n  schematic ${i.schematicId}\n  installer ${i.urls.installer}\n  iso       ${i.urls.iso}\n  pxe       ${i.urls.pxe}\n`,
    );
}

/** `homeops talos command`'s text: just the talosctl lines, ready for a shell. */
export function printCommandLines(ctx: CliContext, commands: TalosCommandsData["commands"]): void {
  for (const c of commands) ctx.stdout.write(`${c.line}\n`);
}
