import { Option } from "commander";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { applyInterruptibly, withRepositoryLock } from "../internal/guarded-apply.js";
import {
  DEFAULT_CONFIG,
  encryptorFor,
  loadConfigOrReport,
  planJson,
  printPlan,
  reportConflicts,
  summaryLine,
} from "../internal/render-run.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

export interface RenderCommandOptions {
  /** config file relative to the repository root */
  config: string;
  /** print the plan, write nothing */
  dryRun: boolean;
  /** print unified diffs, write nothing */
  diff: boolean;
  /** replace conflicting files after saving the user's version beside them */
  force: boolean;
  output: OutputFormat;
}

/**
 * `homeops render`: validate the config, plan, apply. Exit 0 when the tree matches the templates,
 * 1 on findings, conflicts or (with --dry-run/--diff) pending changes, 2 on operational errors.
 */
export async function renderRepository(ctx: CliContext, options: RenderCommandOptions): Promise<ExitCode> {
  if (options.dryRun || options.diff) return renderLocked(ctx, options);
  return withRepositoryLock(ctx.cwd, () => renderLocked(ctx, options));
}

async function renderLocked(ctx: CliContext, options: RenderCommandOptions): Promise<ExitCode> {
  const loaded = await loadConfigOrReport(ctx, options.config, options.output);
  if (!loaded.config) return loaded.exit;
  const { formatPlanDiff, isPlanClean, planRender } = await import("@homeops/render");
  ctx.progress("rendering bootstrap/templates");
  const plan = await planRender({ rootDir: ctx.cwd, data: loaded.config });
  const json = options.output === "json";

  if (options.dryRun || options.diff) {
    if (json)
      ctx.stdout.write(
        `${JSON.stringify({ command: "render", dryRun: true, ...planJson(plan) }, null, 2)}\n`,
      );
    else {
      if (options.diff) for (const entry of plan.entries) ctx.stdout.write(formatPlanDiff(entry));
      else printPlan(ctx, plan, { all: ctx.verbose, verb: "would" });
      ctx.stdout.write(
        `plan: ${summaryLine(plan)}${isPlanClean(plan) ? "" : " (nothing written: dry run)"}\n`,
      );
    }
    return isPlanClean(plan) ? ExitCode.Clean : ExitCode.Findings;
  }

  const encrypt = await encryptorFor(ctx, plan, options.force);
  const result = await applyInterruptibly(plan, { force: options.force, ...(encrypt ? { encrypt } : {}) });
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ command: "render", ...planJson(plan, result) }, null, 2)}\n`);
  } else {
    // changed and conflicting files, and the counts; unchanged ones only with --verbose
    printPlan(ctx, plan, { all: ctx.verbose, verb: "did" });
    for (const backup of result.backups) ctx.stdout.write(`${ctx.color.dim("backup".padEnd(9))} ${backup}\n`);
    ctx.stdout.write(`render: ${summaryLine(plan)}\n`);
  }
  reportConflicts(ctx, result);
  return result.conflicts.length > 0 ? ExitCode.Findings : ExitCode.Clean;
}

export const renderCommand: CommandSpec = {
  name: "render",
  register(program, run) {
    program
      .command("render")
      .description(
        "render bootstrap/templates (+ overrides) into the repository; hand-edited files are never overwritten",
      )
      .option("-c, --config <file>", "the cluster config", DEFAULT_CONFIG)
      .option(
        "--dry-run",
        "print what would change (create/update/unchanged/conflict/delete); write nothing",
        false,
      )
      .option("--diff", "print unified diffs of what would change; write nothing", false)
      .option(
        "--force",
        "replace conflicting files, saving your version as <file>.homeops-backup first",
        false,
      )
      .addOption(
        new Option("-o, --output <format>", "text or json")
          .default("text")
          .argParser(parseOutputFormat(["text", "json"])),
      )
      .action((opts: RenderCommandOptions) => run((ctx) => renderRepository(ctx, opts)));
  },
};
