import { UserError } from "@homeops/core";
import type { TalosAction } from "@homeops/talos";
import type { Command } from "commander";
import type { Runner } from "../../command.js";
import { ExitCode } from "../../exit-codes.js";
import { printReport } from "../../internal/print-report.js";
import { openTalosRepository, outputOption, type TalosFlags } from "../../internal/talos-options.js";
import type { CliContext } from "../../io.js";
import { printCommandLines } from "../../reporters/talos.js";

const ACTIONS = ["apply", "bootstrap", "kubeconfig", "upgrade", "upgrade-k8s", "reset"];

type CommandFlags = TalosFlags & { node?: string; insecure?: boolean; exec?: boolean; dryRun?: boolean };

/** `homeops talos command <action>`: prints the talosctl lines (text: just the lines); `--exec` runs them unless `--dry-run`. */
export async function talosCommand(ctx: CliContext, action: string, flags: CommandFlags): Promise<ExitCode> {
  if (!ACTIONS.includes(action))
    throw new UserError("USAGE", `unknown talos action ${action}`, { hint: `one of: ${ACTIONS.join(", ")}` });
  const { repo } = await openTalosRepository(ctx, flags);
  const report = await (await import("@homeops/repo")).talosCommandLines(repo, action as TalosAction, {
    ...(flags.node ? { node: flags.node } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
  });
  const commands = report.data?.commands;
  if (!commands) return printReport(ctx, "text", report);
  if (flags.exec && !flags.dryRun) {
    const { runTalosCommands } = await import("@homeops/talos");
    await runTalosCommands(commands, {
      talosctl: ctx.env.TALOSCTL ?? "talosctl",
      cwd: repo.root,
      env: ctx.env,
    });
    return ExitCode.Clean;
  }
  if ((flags.output ?? "text") !== "text") return printReport(ctx, flags.output ?? "text", report);
  printCommandLines(ctx, commands);
  return ExitCode.Clean;
}

export function registerCommand(talos: Command, run: Runner): void {
  talos
    .command("command")
    .description(`the exact talosctl command lines for <action> (${ACTIONS.join(", ")})`)
    .argument("<action>", ACTIONS.join(" | "))
    .option("--node <ip|name>", "one node (default: every node, or the first controller)")
    .option("--insecure", "apply to a node in maintenance mode")
    .option("--exec", "run them (Task does); without it they are printed")
    .option("--dry-run", "print even with --exec")
    .addOption(outputOption())
    .action((action: string, o: CommandFlags) => run((ctx) => talosCommand(ctx, action, o)));
}
