import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { type Finding, UserError } from "@homeops/core";
import type { InvariantsReport, InvariantsSettings } from "@homeops/invariants";
import type { RepoGraph } from "@homeops/manifests";
import type { ClusterConfig } from "@homeops/schema";
import { Option } from "commander";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";
import { emitReport, parseOutputFormat, registerReporter } from "../reporters/index.js";

const FORMATS = ["text", "json", "sarif", "github"];

export interface CheckCommandOptions {
  output: string;
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
}

/** Timings of one `homeops check` run, in milliseconds. */
export interface CheckTimings {
  read: number;
  build: number;
  rules: number;
  total: number;
}

export interface CheckRun {
  report: InvariantsReport;
  /** findings of the settings file itself */
  settingsFindings: Finding[];
  graph: RepoGraph;
  timings: CheckTimings;
}

const execFileAsync = promisify(execFile);

/** Tracked and untracked-but-not-ignored files, or undefined outside a Git work tree. */
async function gitFiles(root: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await execFileAsync(
      "git",
      ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout.split("\0").filter((p) => p !== "");
  } catch {
    return undefined;
  }
}

/** The validated cluster config, when there is one (its literal values must not appear in manifests). */
async function loadConfig(
  ctx: CliContext,
  root: string,
  configPath: string | undefined,
): Promise<ClusterConfig | undefined> {
  const rel = configPath ?? "bootstrap/config.yaml";
  if (!existsSync(join(root, rel))) {
    if (configPath)
      throw new UserError("FILE_NOT_FOUND", `${rel}: no such file`, { location: { file: rel } });
    return undefined;
  }
  const { loadClusterConfig } = await import("@homeops/schema");
  const result = await loadClusterConfig(join(root, rel), { file: rel });
  if (!result.ok) {
    ctx.logger.warn(
      `${rel} is not valid (see \`homeops validate config\`); placeholder literals are not checked`,
    );
    return undefined;
  }
  return result.value;
}

/**
 * Reads the repository once, builds it once (lenient substitution: undefined variables are the rules'
 * findings) and runs every invariant over the files and the graph, sharing the build's parse.
 */
export async function runCheck(
  ctx: CliContext,
  root: string,
  options: Partial<CheckCommandOptions> = {},
): Promise<CheckRun> {
  const start = performance.now();
  const inv = await import("@homeops/invariants");
  const { buildRepoGraph } = await import("@homeops/manifests");
  ctx.progress("reading the repository");
  const files = await inv.readRepoFiles(root, {
    ...(await gitFiles(root).then((paths) => (paths ? { paths } : {}))),
  });
  let settings: InvariantsSettings | undefined;
  let settingsFindings: Finding[] = [];
  const settingsText = files.get(inv.SETTINGS_FILE);
  if (settingsText !== undefined) {
    const parsed = inv.parseInvariantsSettings(settingsText, inv.SETTINGS_FILE);
    settings = parsed.settings;
    settingsFindings = parsed.findings;
  }
  const kubernetesDir = settings?.kubernetesDir ?? "kubernetes";
  const clusterRoot = options.clusterRoot ?? `${kubernetesDir}/flux`;
  if (!existsSync(join(root, clusterRoot)) || !statSync(join(root, clusterRoot)).isDirectory()) {
    throw new UserError("FILE_NOT_FOUND", `${clusterRoot}: no such directory (the Flux cluster root)`, {
      hint: "run from the repository root (or pass -C <repo>), or name the Flux entry points with --cluster-root",
    });
  }
  const config = await loadConfig(ctx, root, options.config);
  const read = performance.now();
  ctx.progress("building every Flux Kustomization");
  const graph = await buildRepoGraph(root, { clusterRoot, strict: false, logger: ctx.logger });
  const built = performance.now();
  ctx.progress("checking invariants");
  const report = inv.checkInvariants(
    { files, graph, ...(config ? { config } : {}), ...(settings ? { settings } : {}) },
    options.rule && options.rule.length > 0 ? { only: options.rule } : {},
  );
  const end = performance.now();
  return {
    report,
    settingsFindings,
    graph,
    timings: { read: read - start, build: built - read, rules: end - built, total: end - start },
  };
}

export const checkCommand: CommandSpec = {
  name: "check",
  register(program, run) {
    program
      .command("check")
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
      .action((dir: string, options: CheckCommandOptions) => run((ctx) => checkAction(ctx, dir, options)));
  },
};

/** The `task configure` stage: `homeops check` of the repository root with default options, text output. */
export function checkStage(ctx: CliContext): Promise<ExitCode> {
  return checkAction(ctx, ".", { output: "text", strict: false, rule: [] });
}

async function checkAction(ctx: CliContext, dir: string, options: CheckCommandOptions): Promise<ExitCode> {
  const root = resolve(ctx.cwd, dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError("FILE_NOT_FOUND", `${dir}: no such directory`);
  }
  if (options.rule.length > 0) {
    const { findRule } = await import("@homeops/invariants");
    const unknown = options.rule.filter((id) => !findRule(id));
    if (unknown.length > 0) {
      throw new UserError("USAGE", `unknown rule id: ${unknown.join(", ")}`, {
        hint: "list the rules with `homeops explain --list`",
      });
    }
  }
  const [{ sarifReporter }, { githubReporter }, { groupedTextReporter }] = await Promise.all([
    import("../reporters/sarif.js"),
    import("../reporters/github.js"),
    import("../reporters/grouped-text.js"),
  ]);
  registerReporter(sarifReporter);
  registerReporter(githubReporter);
  const { report, settingsFindings, graph, timings } = await runCheck(ctx, root, options);
  ctx.logger.debug(
    `read ${timings.read.toFixed(0)} ms, build ${timings.build.toFixed(0)} ms, rules ${timings.rules.toFixed(0)} ms (${(
      (100 * timings.rules) / timings.total
    ).toFixed(1)}% of ${timings.total.toFixed(0)} ms)`,
  );
  let findings: Finding[] = [...settingsFindings, ...report.findings];
  const inv = await import("@homeops/invariants");
  if (options.writeBaseline === true) {
    const file = options.baseline ?? inv.BASELINE_FILE;
    const baseline = inv.createBaseline(findings);
    await mkdir(dirname(resolve(root, file)), { recursive: true });
    await writeFile(resolve(root, file), inv.formatBaseline(baseline));
    ctx.stderr.write(`wrote ${baseline.findings.length} findings to ${file}\n`);
    return ExitCode.Clean;
  }
  let baselineNote = "";
  if (options.baseline !== undefined) {
    const file = options.baseline;
    let text: string;
    try {
      text = await readFile(resolve(root, file), "utf8");
    } catch {
      throw new UserError("FILE_NOT_FOUND", `${file}: no such baseline file`, {
        hint: "record one with `homeops check --write-baseline`",
        location: { file },
      });
    }
    const compared = inv.compareWithBaseline(findings, inv.parseBaseline(text, file));
    // SARIF carries both states (code scanning shows only new ones); every other output only the new ones
    findings =
      options.output === "sarif"
        ? compared.findings
        : compared.findings.filter((f) => f.baselineState === "new");
    baselineNote = `; ${compared.newCount} new, ${compared.findings.length - compared.newCount} in the baseline${
      compared.fixedCount > 0 ? `, ${compared.fixedCount} fixed since` : ""
    }`;
  }
  const failingFindings = findings.filter(
    (f) => (f as { baselineState?: string }).baselineState !== "unchanged",
  );
  const summary = `${report.rulesRun.length} rules over ${report.filesChecked} files and ${graph.kustomizations.length} Flux Kustomizations${
    report.suppressed.length > 0 ? `; ${report.suppressed.length} suppressed` : ""
  }${baselineNote}`;
  const data = {
    rulesRun: report.rulesRun,
    rulesSkipped: report.rulesSkipped,
    suppressed: report.suppressed.map((s) => ({ ...s.finding, suppressedBy: s.by, reason: s.reason })),
    filesChecked: report.filesChecked,
    filesParsedOutsideBuild: report.filesParsedOutsideBuild,
    kustomizations: graph.kustomizations.length,
    timingsMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])),
  };
  if (options.output === "text") {
    groupedTextReporter.write(ctx, { command: "check", findings, summary });
    const failing = options.strict
      ? findings.some((f) => f.severity !== "info")
      : findings.some((f) => f.severity === "error");
    return failing ? ExitCode.Findings : ExitCode.Clean;
  }
  const code = await emitReport(
    ctx,
    options.output,
    { command: "check", findings, data, summary },
    { strict: options.strict },
  );
  // findings already in the baseline never fail the run
  if (failingFindings.length === findings.length) return code;
  const failing = options.strict
    ? failingFindings.some((f) => f.severity !== "info")
    : failingFindings.some((f) => f.severity === "error");
  return failing ? ExitCode.Findings : ExitCode.Clean;
}
