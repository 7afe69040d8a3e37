import type { ConnectOptions } from "@homeops/flux-bridge";
import type { GraphFormat } from "@homeops/report";
import { InvalidArgumentError } from "commander";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { chartCacheDir } from "../internal/cache-dir.js";
import { addConnectionOptions, connectOptions } from "../internal/connection-options.js";
import { repositoryOptions } from "../internal/repository-options.js";
import type { CliContext } from "../io.js";

export interface ReportCommandOptions {
  clusterRoot?: string;
  site: string;
  badges: string;
  /** live status only when a kubeconfig is named (a report never guesses a cluster) */
  kubeconfig?: string;
  context?: string;
  requestTimeout: string;
}

/** `homeops report [dir]`: the static page and badges of the repository (exit 0; findings are on the page). */
export async function report(ctx: CliContext, dir: string, options: ReportCommandOptions): Promise<ExitCode> {
  const { openRepository } = await import("@homeops/repo");
  const { createReport, writeReport } = await import("@homeops/report");
  const repo = await openRepository(dir, repositoryOptions(ctx));
  let cluster: Awaited<ReturnType<typeof connect>> | undefined;
  if (options.kubeconfig) cluster = await connect(connectOptions(ctx, options));
  const charts = chartCacheDir(ctx);
  const model = await createReport(repo, {
    ...(options.clusterRoot ? { clusterRoot: options.clusterRoot } : {}),
    ...(cluster ? { cluster } : {}),
    helm: { render: true, allowNetwork: false, ...(charts ? { cacheDir: charts } : {}) },
    onProgress: ctx.progress,
  });
  const written = await writeReport(model, repo.root, { siteDir: options.site, badgesDir: options.badges });
  for (const file of written) ctx.stderr.write(`wrote ${repo.relative(file)}\n`);
  const count = model.findings.reduce((n, g) => n + g.findings.length, 0);
  ctx.stdout.write(
    `${model.apps.length} apps, ${model.nodes.length} graph nodes, ${model.edges.length} dependsOn edges, ${count} findings${
      model.live ? `, Flux Ready ${model.live.ready}/${model.live.total}` : ", no live status"
    }\n`,
  );
  return ExitCode.Clean;
}

async function connect(options: ConnectOptions) {
  const { connectCluster } = await import("@homeops/flux-bridge");
  return connectCluster(options).client;
}

/** `homeops graph [dir] --output mermaid|dot|svg`: the dependsOn graph on stdout. */
export async function graph(
  ctx: CliContext,
  dir: string,
  options: { output: GraphFormat; clusterRoot?: string },
): Promise<ExitCode> {
  const { openRepository } = await import("@homeops/repo");
  const { createReport, renderGraph } = await import("@homeops/report");
  const repo = await openRepository(dir, repositoryOptions(ctx));
  const model = await createReport(repo, {
    stages: false,
    ...(options.clusterRoot ? { clusterRoot: options.clusterRoot } : {}),
  });
  ctx.stdout.write(renderGraph(model, options.output));
  return ExitCode.Clean;
}

const FORMATS = ["mermaid", "dot", "svg"];

export const reportCommand: CommandSpec = {
  name: "report",
  register(program, run) {
    addConnectionOptions(
      program
        .command("report")
        .description("write the static report page (apps, dependsOn graph, findings, live status) and badges")
        .argument("[dir]", "repository root", ".")
        .option("--site <dir>", "directory of the page, relative to the repository", "dashboards/site")
        .option("--badges <dir>", "directory of the shields.io endpoint badges", "dashboards/badges")
        .option("--cluster-root <dir>", "directory of the Flux entry points (default: as check finds them)"),
    ).action((dir: string, options: ReportCommandOptions) => run((ctx) => report(ctx, dir, options)));
    program
      .command("graph")
      .description("print the dependsOn graph of Flux Kustomizations and HelmReleases")
      .argument("[dir]", "repository root", ".")
      .option(
        "-o, --output <format>",
        FORMATS.join(", "),
        (value: string) => {
          if (!FORMATS.includes(value))
            throw new InvalidArgumentError(`expected one of ${FORMATS.join(", ")}`);
          return value;
        },
        "mermaid",
      )
      .option("--cluster-root <dir>", "directory of the Flux entry points (default: as check finds them)")
      .action((dir: string, options: { output: GraphFormat; clusterRoot?: string }) =>
        run((ctx) => graph(ctx, dir, options)),
      );
  },
};
