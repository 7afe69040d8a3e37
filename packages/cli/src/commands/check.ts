import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type Finding, type Report, UserError } from "@homeops/core";
import type { Repository } from "@homeops/repo";
import { Option } from "commander";
import type { CommandSpec } from "../command.js";
import { type ExitCode, exitCodeFor } from "../exit-codes.js";
import { chartCacheDir } from "../internal/cache-dir.js";
import { addChangedOnlyOptions, changedOnlyOption } from "../internal/changed-only.js";
import { printReport } from "../internal/print-report.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

const FORMATS: OutputFormat[] = ["text", "json", "sarif", "github"];

export interface CheckCommandOptions {
  output: OutputFormat;
  /** exit 1 on warnings too */
  strict: boolean;
  /** only these rule ids */
  rule: string[];
  /** Flux entry points, repo-relative; default `<kubernetesDir>/flux` */
  clusterRoot?: string;
  /** the cluster config, repo-relative; default `bootstrap/config.yaml` when it exists */
  config?: string;
  /** render HelmReleases whose chart is cached so the rules see their objects (`--no-render-helm`) */
  renderHelm?: boolean;
  /** pull HelmRelease charts into the chart cache */
  allowNetwork?: boolean;
  /** Docker/Helm registry config with OCI registry credentials */
  registryConfig?: string;
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
  const repo = opened ?? (await openRepository(dir, { cwd: ctx.cwd, logger: ctx.logger }));
  const charts = chartCacheDir(ctx);
  const report = await checkRepository(repo, {
    rule: options.rule,
    ...(options.clusterRoot ? { clusterRoot: options.clusterRoot } : {}),
    ...(options.config ? { config: options.config } : {}),
    helm: {
      render: options.renderHelm !== false,
      allowNetwork: options.allowNetwork === true,
      ...(charts ? { cacheDir: charts } : {}),
      ...(options.registryConfig ? { registryConfig: resolve(ctx.cwd, options.registryConfig) } : {}),
    },
    onProgress: ctx.progress,
    ...changedOnlyOption(ctx, options),
  });
  const t = report.timings;
  ctx.logger.debug(
    `read ${t.read.toFixed(0)} ms, build ${t.build.toFixed(0)} ms, rules ${t.rules.toFixed(0)} ms (${(
      (100 * t.rules) / t.total
    ).toFixed(1)}% of ${t.total.toFixed(0)} ms)`,
  );
  const printOptions = { textStyle: "by-file" as const, strict: options.strict };
  if (options.writeBaseline !== true && options.baseline === undefined)
    return printReport(ctx, options.output, report, printOptions);
  const inv = await import("@homeops/invariants");
  const file = options.baseline ?? inv.BASELINE_FILE;
  const path = resolve(repo.root, file);
  if (options.writeBaseline === true) {
    const baseline = inv.createBaseline(report.findings);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, inv.formatBaseline(baseline));
    ctx.stderr.write(`wrote ${baseline.findings.length} findings to ${file}\n`);
    return exitCodeFor({ findings: [] });
  }
  const text = await readFile(path, "utf8").catch(() => {
    throw new UserError("FILE_NOT_FOUND", `${file}: no such baseline file`, {
      hint: "record one with `homeops check --write-baseline`",
      location: { file },
    });
  });
  const compared = inv.compareWithBaseline(report.findings, inv.parseBaseline(text, file));
  const fresh: Finding[] = compared.findings.filter((f) => f.baselineState === "new");
  const summary = `${report.summary ?? ""}; ${compared.newCount} new, ${compared.findings.length - compared.newCount} in the baseline${
    compared.fixedCount > 0 ? `, ${compared.fixedCount} fixed since` : ""
  }`;
  // SARIF carries both states (code scanning shows only the new ones); the other outputs only the new ones
  const shown: Report = {
    ...report,
    summary,
    findings: options.output === "sarif" ? compared.findings : fresh,
  };
  const code = await printReport(ctx, options.output, shown, printOptions);
  // findings recorded in the baseline never fail the run
  return options.output === "sarif"
    ? exitCodeFor({ findings: fresh }, options.strict ? { strict: true } : {})
    : code;
}

/** The `task configure` stage: `homeops check` of the repository root with default options, text output. */
export function checkStage(ctx: CliContext, repo?: Repository): Promise<ExitCode> {
  return check(ctx, ".", { output: "text", strict: false, rule: [] }, repo);
}

export const checkCommand: CommandSpec = {
  name: "check",
  register(program, run) {
    addChangedOnlyOptions(program.command("check"), "report only the findings")
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
      )
      .option("--allow-network", "pull HelmRelease charts missing from the chart cache", false)
      .option("--render-helm", "render HelmReleases whose chart is in the chart cache (default)", true)
      .option("--no-render-helm", "do not render HelmReleases")
      .option(
        "--registry-config <file>",
        "Docker config.json with OCI registry credentials for --allow-network",
      )
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
