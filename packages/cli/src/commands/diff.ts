import { InvalidArgumentError, Option } from "commander";
import type { CommandSpec } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import { addHelmOptions, type HelmFlags, helmRenderOptions } from "../internal/helm-options.js";
import { printReport } from "../internal/print-report.js";
import { repositoryOptions } from "../internal/repository-options.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

const FORMATS: OutputFormat[] = ["text", "markdown", "github", "json"];

export interface DiffCommandOptions extends HelmFlags {
  /** git revision to compare with; default the merge base of HEAD and its upstream branch */
  base?: string;
  output: OutputFormat;
  /** Flux entry points, repo-relative; default the discovered Flux roots */
  clusterRoot?: string;
  /** text: print each object's unified diff too */
  full?: boolean;
  /** markdown: the most characters written */
  budget?: number;
}

/** `homeops diff [dir]`: what Flux would apply differently than at the base revision. Exit 1 when anything differs. */
export async function diff(ctx: CliContext, dir: string, options: DiffCommandOptions): Promise<ExitCode> {
  const { diffRepository, openRepository } = await import("@homeops/repo");
  const repo = await openRepository(dir, repositoryOptions(ctx));
  const report = await diffRepository(repo, {
    ...(options.base !== undefined ? { base: options.base } : {}),
    ...(options.clusterRoot ? { clusterRoot: options.clusterRoot } : {}),
    helm: helmRenderOptions(ctx, options),
    onProgress: ctx.progress,
  });
  return printReport(ctx, options.output, report, {
    diff: true,
    differs: report.data?.differs === true,
    ...(options.full ? { fullDiff: true } : {}),
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
  });
}

function parseBudget(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1000)
    throw new InvalidArgumentError("a whole number of characters, at least 1000");
  return n;
}

export const diffCommand: CommandSpec = {
  name: "diff",
  register(program, run) {
    const command = program
      .command("diff")
      .description(
        "what Flux would apply differently than at a git base: objects added, removed and changed per Kustomization",
      )
      .argument("[dir]", "repository root", ".")
      .option(
        "--base <rev>",
        "git revision to compare with (default: the merge base with the upstream branch)",
      )
      .addOption(
        new Option("-o, --output <format>", FORMATS.join(", "))
          .default("text")
          .argParser(parseOutputFormat(FORMATS)),
      )
      .option(
        "--cluster-root <dir>",
        "directory of the Flux entry points (default: the discovered Flux roots)",
      )
      .option("--full", "text: print each object's unified diff too", false)
      .option("--budget <chars>", "markdown: the most characters written (default 60000)", parseBudget);
    addHelmOptions(command, "pull HelmRelease charts missing from the chart cache")
      .addHelpText(
        "after",
        "\nThe base is built from git objects into a temporary directory; the work tree, index and HEAD are never touched.\nHelmReleases whose chart is in the cache are rendered on both sides, so a chart or values bump shows as changes of the objects Helm produces.\nSecret values are never printed. Exit codes: 0 no difference, 1 differences, 2 operational error.",
      )
      .action((dir: string, options: DiffCommandOptions) => run((ctx) => diff(ctx, dir, options)));
  },
};
