import type { Repository } from "@homeops/repo";
import { Option } from "commander";
import type { CommandSpec } from "../command.js";
import { type ExitCode, exitCodeFor } from "../exit-codes.js";
import { addChangedOnlyOptions, changedOnlyOption } from "../internal/changed-only.js";
import { addHelmOptions, type HelmFlags, helmRenderOptions } from "../internal/helm-options.js";
import { printReport } from "../internal/print-report.js";
import { repositoryOptions } from "../internal/repository-options.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

const FORMATS: OutputFormat[] = ["text", "json", "sarif", "github"];

export interface CheckCommandOptions extends HelmFlags {
  output: OutputFormat;
  /** exit 1 on warnings too */
  strict: boolean;
  /** only these rule ids */
  rule: string[];
  /** Flux entry points, repo-relative; default `<kubernetesDir>/flux` */
  clusterRoot?: string;
  /** the cluster config, repo-relative; default `bootstrap/config.yaml` when it exists */
  config?: string;
  /** report only findings not in this baseline file (repo-relative) */
  baseline?: string;
  /** record the current findings as the baseline (in `baseline`, default .homeops/baseline.json) */
  writeBaseline?: boolean;
  /** changed-only: report only what changed since this Git revision */
  changedSince?: string;
  /** changed-only: report only what differs from this base checkout */
  basePath?: string;
}

/** `homeops check [dir]`: every invariant over the repository; text output is grouped by file. */
export async function check(
  ctx: CliContext,
  dir: string,
  options: CheckCommandOptions,
  opened?: Repository,
): Promise<ExitCode> {
  const { checkRepository, openRepository } = await import("@homeops/repo");
  const repo = opened ?? (await openRepository(dir, repositoryOptions(ctx)));
  const report = await checkRepository(repo, {
    rule: options.rule,
    ...(options.clusterRoot ? { clusterRoot: options.clusterRoot } : {}),
    ...(options.config ? { config: options.config } : {}),
    helm: helmRenderOptions(ctx, options),
    onProgress: ctx.progress,
    ...changedOnlyOption(ctx, options),
    ...(options.writeBaseline === true || options.baseline !== undefined
      ? {
          baseline: {
            write: options.writeBaseline === true,
            ...(options.baseline ? { file: options.baseline } : {}),
          },
        }
      : {}),
  });
  const t = report.timings;
  ctx.logger.debug(
    `read ${t.read.toFixed(0)} ms, build ${t.build.toFixed(0)} ms, rules ${t.rules.toFixed(0)} ms (${(
      (100 * t.rules) / t.total
    ).toFixed(1)}% of ${t.total.toFixed(0)} ms)`,
  );
  const baseline = report.data?.baseline;
  if (baseline?.written !== undefined) {
    ctx.stderr.write(`wrote ${baseline.written} findings to ${baseline.file}\n`);
    return exitCodeFor(report); // every finding is now recorded: 0
  }
  // SARIF carries both baseline states (code scanning shows only the new ones); the other outputs the new ones
  const shown =
    baseline && options.output !== "sarif"
      ? { ...report, findings: report.findings.filter((f) => f.baselineState !== "unchanged") }
      : report;
  return printReport(ctx, options.output, shown, { textStyle: "by-file", strict: options.strict });
}

/** The `task configure` stage: `homeops check` of the repository root with default options, text output. */
export function checkStage(ctx: CliContext, repo?: Repository): Promise<ExitCode> {
  return check(ctx, ".", { output: "text", strict: false, rule: [] }, repo);
}

export const checkCommand: CommandSpec = {
  name: "check",
  register(program, run) {
    const command = addChangedOnlyOptions(program.command("check"), "report only the findings")
      .description(
        "check the repository's invariants (Flux wiring, placeholders, storage, secrets, GitOps authority, docs)",
      )
      .argument("[dir]", "repository root", ".")
      .addOption(
        new Option("-o, --output <format>", FORMATS.join(", "))
          .default("text")
          .argParser(parseOutputFormat(FORMATS)),
      )
      .option("--strict", "exit 1 on warnings too", false)
      .option(
        "--rule <id>",
        "run only this rule (repeatable)",
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      )
      .option("--cluster-root <dir>", "directory of the Flux entry points (default <kubernetesDir>/flux)")
      .option(
        "--config <file>",
        "cluster config whose literal values must not appear in manifests (default bootstrap/config.yaml)",
      );
    addHelmOptions(command, "pull HelmRelease charts missing from the chart cache")
      .option(
        "--baseline <file>",
        "report only findings not recorded in this baseline (e.g. .homeops/baseline.json)",
      )
      .option(
        "--write-baseline",
        "record the current findings as the baseline (in --baseline, default .homeops/baseline.json) and exit 0",
      )
      .addHelpText(
        "after",
        "\nSuppress one finding with a YAML comment `# homeops-ignore <rule-id>: <reason>` on or above its line,\nor repo-wide in .homeops/invariants.yaml. `homeops explain <rule-id>` documents each rule.",
      )
      .action((dir: string, options: CheckCommandOptions) => run((ctx) => check(ctx, dir, options)));
  },
};
