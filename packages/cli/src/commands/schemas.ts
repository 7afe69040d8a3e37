import { UserError } from "@homeops/core";
import type { RepositorySchemasOptions } from "@homeops/repo";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandSpec } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import { pulledSchemasDir, schemaCacheDir } from "../internal/cache-dir.js";
import { addConnectionOptions, connectOptions } from "../internal/connection-options.js";
import { printReport } from "../internal/print-report.js";
import { repositoryOptions } from "../internal/repository-options.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

interface SchemasOptions {
  schemaLocation: string[];
  clusterRoot?: string;
  allowNetwork: boolean;
  kubernetesVersion?: string;
  output: OutputFormat;
  fromCluster?: boolean;
  kubeconfig?: string;
  context?: string;
  requestTimeout: string;
}

function parseDir(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("empty directory");
  return value;
}

function addOptions(command: Command): Command {
  return command
    .argument("[dir]", "manifests directory, relative to the repository root", parseDir, "kubernetes")
    .option(
      "--schema-location <location>",
      "schema dir or template ({{.Group}}, {{.ResourceKind}}, {{.ResourceAPIVersion}}, …); repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--cluster-root <dir>", "directory of the Flux entry points (default <dir>/flux)")
    .option("--allow-network", "fetch remote kustomize inputs while building", false)
    .option("--kubernetes-version <version>", "value of {{.NormalizedKubernetesVersion}} in schema templates")
    .addOption(
      new Option("-o, --output <format>", "text, json")
        .default("text")
        .argParser(parseOutputFormat(["text", "json"])),
    );
}

function libraryOptions(ctx: CliContext, dir: string, o: SchemasOptions): RepositorySchemasOptions {
  const cacheDir = schemaCacheDir(ctx);
  const pulled = pulledSchemasDir(ctx);
  return {
    dir,
    schemaLocation: o.schemaLocation,
    allowNetwork: o.allowNetwork,
    ...(o.clusterRoot ? { clusterRoot: o.clusterRoot } : {}),
    ...(o.kubernetesVersion ? { kubernetesVersion: o.kubernetesVersion } : {}),
    ...(cacheDir ? { cacheDir } : {}),
    ...(pulled ? { schemaCacheDir: pulled } : {}),
    onProgress: ctx.progress,
  };
}

async function pull(ctx: CliContext, dir: string, o: SchemasOptions): Promise<ExitCode> {
  const options = libraryOptions(ctx, dir, o);
  const cache = options.schemaCacheDir;
  if (!cache) {
    throw new UserError("USAGE", "no cache directory: set HOMEOPS_CACHE_DIR (or HOME)", {
      hint: "e.g. HOMEOPS_CACHE_DIR=$PWD/.cache homeops schemas pull",
    });
  }
  if (o.fromCluster) {
    const { connectCluster, pullClusterSchemas } = await import("@homeops/flux-bridge");
    const { client } = connectCluster(connectOptions(ctx, o));
    return printReport(ctx, o.output, await pullClusterSchemas(client, cache));
  }
  const { openRepository, pullRepositorySchemas } = await import("@homeops/repo");
  const repo = await openRepository(".", repositoryOptions(ctx));
  return printReport(ctx, o.output, await pullRepositorySchemas(repo, { ...options, schemaCacheDir: cache }));
}

async function list(ctx: CliContext, dir: string, o: SchemasOptions): Promise<ExitCode> {
  const { openRepository, listRepositorySchemas } = await import("@homeops/repo");
  const repo = await openRepository(".", repositoryOptions(ctx));
  const report = await listRepositorySchemas(repo, libraryOptions(ctx, dir, o));
  if (o.output === "text") {
    for (const r of report.data?.kinds ?? []) {
      ctx.stdout.write(
        `${`${r.apiVersion} ${r.kind}`.padEnd(64)} ${String(r.objects).padStart(5)}  ${r.origin.padEnd(10)} ${r.source}\n`,
      );
    }
  }
  return printReport(ctx, o.output, report);
}

export const schemasCommand: CommandSpec = {
  name: "schemas",
  register(program, run) {
    const schemas = program
      .command("schemas")
      .description("the schemas validation uses: the catalog, the repository's CRDs, the schema cache");
    addConnectionOptions(
      addOptions(
        schemas
          .command("pull")
          .description(
            "fetch the schema of every kind the repository uses that no schema covers (from --schema-location and the repository's `$schema=` comments) into the schema cache; --from-cluster: the CRDs the cluster has",
          ),
      ).option(
        "--from-cluster",
        "store the strict schemas of every CRD installed in the cluster instead (read-only)",
      ),
    ).action((dir: string, opts: SchemasOptions) => run((ctx) => pull(ctx, dir, opts)));
    addOptions(
      schemas
        .command("list")
        .description("show where the schema of each kind the repository uses comes from"),
    ).action((dir: string, opts: SchemasOptions) => run((ctx) => list(ctx, dir, opts)));
  },
};
