import { resolve } from "node:path";
import type { Repository, ValidateManifestsOptions } from "@homeops/repo";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandSpec, Runner } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import { chartCacheDir, pulledSchemasDir, schemaCacheDir } from "../internal/cache-dir.js";
import { addChangedOnlyOptions, changedOnlyOption } from "../internal/changed-only.js";
import { printReport } from "../internal/print-report.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

export interface KubeconformCommandOptions {
  /**
   * reject fields the schema does not declare (`--no-strict` turns it off); given explicitly (`--strict`),
   * also custom resources' undeclared fields against catalog schemas and unresolved `${VAR}` values are errors
   */
  strict?: boolean;
  /** kinds not validated: `Kind` or `apiVersion/Kind` */
  skip: string[];
  /** kubeconform's flag, accepted for compatibility: objects without a schema are skipped by default */
  ignoreMissingSchemas: boolean;
  /** an object whose kind has no schema is an error (what CI of a homeops-rendered repository uses) */
  requireSchemas?: boolean;
  /** fields a custom resource's schema does not declare: `error`, `warn`, `auto` (default; `error` with --strict) */
  crdUnknownFields?: "error" | "warn" | "auto";
  /** extra schema dirs/templates, tried before the built-in catalog (`default` places it) */
  schemaLocation: string[];
  /** add a per-Kustomization breakdown to the text output */
  summary: boolean;
  output: OutputFormat;
  /** allow remote kustomize inputs and http(s) schema locations */
  allowNetwork: boolean;
  /** `{{.NormalizedKubernetesVersion}}` of schema-location templates */
  kubernetesVersion?: string;
  /** Flux entry points, relative to the repository root; default `<dir>/flux` */
  clusterRoot?: string;
  /** keep compiled schemas between runs (`--no-schema-cache` turns it off) */
  schemaCache?: boolean;
  /** render HelmReleases whose chart is cached and validate their objects (`--no-render-helm` turns it off) */
  renderHelm?: boolean;
  /** Docker/Helm registry config with OCI registry credentials (for --allow-network pulls) */
  registryConfig?: string;
  /** changed-only: validate only what changed since this Git revision */
  changedSince?: string;
  /** changed-only: validate only what differs from this base checkout */
  basePath?: string;
}

const FORMATS: OutputFormat[] = ["text", "json", "junit", "tap", "sarif"];

/** Adds kubeconform's flags (shared by `homeops kubeconform` and `homeops validate manifests`). */
export function addKubeconformOptions(command: Command): Command {
  return addChangedOnlyOptions(command, "validate only the objects")
    .option(
      "--strict",
      "reject every field a schema does not declare, and every violation on a value holding an unresolved ${VAR}",
    )
    .option("--no-strict", "accept fields a schema does not declare")
    .option(
      "--skip <kinds>",
      "comma-separated kinds not validated (Kind or apiVersion/Kind)",
      (value: string) =>
        value
          .split(",")
          .map((k) => k.trim())
          .filter((k) => k !== ""),
      ["Secret"],
    )
    .option(
      "--ignore-missing-schemas",
      "accepted for kubeconform compatibility (missing schemas are skipped by default)",
      false,
    )
    .option("--require-schemas", "an object whose kind has no schema is an error instead of skipped", false)
    .addOption(
      new Option(
        "--crd-unknown-fields <mode>",
        "fields a custom resource's schema does not declare: error (as Flux's server-side apply does), warn (as a create/update prunes them), auto (error against the repository's own CRDs, warn against catalog/cache schemas; the default, error with --strict)",
      ).choices(["error", "warn", "auto"]),
    )
    .option(
      "--schema-location <location>",
      "extra schema dir or template ({{.Group}}, {{.ResourceKind}}, {{.ResourceAPIVersion}}, {{.KindSuffix}}, {{.StrictSuffix}}); repeatable; `default` = built-in catalog",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--summary", "also print counts per Flux Kustomization", false)
    .option(
      "--allow-network",
      "fetch remote kustomize inputs and http(s) schema locations, and pull HelmRelease charts into the chart cache",
      false,
    )
    .option("--kubernetes-version <version>", "value of {{.NormalizedKubernetesVersion}} in schema templates")
    .option("--cluster-root <dir>", "directory of the Flux entry points (default <dir>/flux)")
    .option("--no-schema-cache", "compile every schema afresh instead of reusing ~/.cache/homeops/schemas")
    .option("--render-helm", "render HelmReleases whose chart is in the chart cache (default)", true)
    .option("--no-render-helm", "do not render HelmReleases")
    .option(
      "--registry-config <file>",
      "Docker config.json with OCI registry credentials for --allow-network chart pulls",
    )
    .addOption(
      new Option("-o, --output <format>", FORMATS.join(", "))
        .default("text")
        .argParser(parseOutputFormat(FORMATS)),
    )
    .addHelpText(
      "after",
      "\nEach object is valid, invalid, error (bad kind/apiVersion; no schema with --require-schemas) or skipped (--skip, no schema).\nSchemas: the repository's own CRDs first, then --schema-location, the bundled catalog, the schema cache (`homeops schemas pull`).\nExit codes: 0 every object valid or skipped; 1 invalid objects, errors, build errors, or nothing validated;\n2 the run could not happen (bad usage, missing directory).",
    );
}

/** The flags as the library's options. */
function libraryOptions(
  ctx: CliContext,
  dir: string,
  o: KubeconformCommandOptions,
): ValidateManifestsOptions {
  const cacheDir = o.schemaCache === false ? undefined : schemaCacheDir(ctx);
  const charts = chartCacheDir(ctx);
  const pulled = pulledSchemasDir(ctx);
  return {
    dir,
    strict: o.strict ?? true,
    skip: o.skip,
    requireSchemas: o.requireSchemas ?? false,
    crdUnknownFields: o.crdUnknownFields ?? (o.strict === true ? "error" : "auto"),
    unresolvedVariables: o.strict === true ? "error" : "defer",
    ...(pulled ? { schemaCacheDir: pulled } : {}),
    schemaLocation: o.schemaLocation,
    allowNetwork: o.allowNetwork,
    ...(o.kubernetesVersion ? { kubernetesVersion: o.kubernetesVersion } : {}),
    ...(o.clusterRoot ? { clusterRoot: o.clusterRoot } : {}),
    ...(cacheDir ? { cacheDir } : {}),
    helm: {
      render: o.renderHelm !== false,
      allowNetwork: o.allowNetwork,
      ...(charts ? { cacheDir: charts } : {}),
      ...(o.registryConfig ? { registryConfig: resolve(ctx.cwd, o.registryConfig) } : {}),
    },
    onProgress: ctx.progress,
    ...changedOnlyOption(ctx, o),
  };
}

/**
 * `homeops kubeconform [dir]`: builds every Flux Kustomization under `dir` (and every kustomization
 * directory no Flux build reaches) and validates each object strictly; exit 0 when every object is valid
 * or skipped and at least one was validated, 1 otherwise, 2 when the run could not happen.
 */
export async function kubeconform(
  ctx: CliContext,
  dir: string,
  options: KubeconformCommandOptions,
  command = "kubeconform",
  opened?: Repository,
): Promise<ExitCode> {
  const { openRepository, validateManifests } = await import("@homeops/repo");
  const repo = opened ?? (await openRepository(".", { cwd: ctx.cwd, logger: ctx.logger }));
  const report = await validateManifests(repo, { ...libraryOptions(ctx, dir, options), command });
  return printReport(ctx, options.output, report, {
    breakdown: options.output === "text" && options.summary,
  });
}

/** The `task configure` stage: `homeops kubeconform kubernetes` with kubeconform's defaults, text output. */
export function kubeconformStage(ctx: CliContext, repo?: Repository): Promise<ExitCode> {
  const defaults = {
    strict: true,
    skip: ["Secret"],
    ignoreMissingSchemas: false,
    requireSchemas: true,
    schemaLocation: [],
  };
  return kubeconform(
    ctx,
    "kubernetes",
    { ...defaults, summary: false, output: "text", allowNetwork: false },
    "kubeconform",
    repo,
  );
}

function parseDir(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("empty directory");
  return value;
}

/** `homeops validate manifests [dir]`: the same run under `validate`. */
export function registerManifestsValidation(validate: Command, run: Runner): void {
  addKubeconformOptions(
    validate
      .command("manifests")
      .description(
        "build every Flux Kustomization offline and validate each object strictly (same as `homeops kubeconform`)",
      )
      .argument("[dir]", "manifests directory, relative to the repository root", parseDir, "kubernetes"),
  ).action((dir: string, opts: KubeconformCommandOptions) =>
    run((ctx) => kubeconform(ctx, dir, opts, "validate manifests")),
  );
}

export const kubeconformCommand: CommandSpec = {
  name: "kubeconform",
  register(program, run) {
    addKubeconformOptions(
      program
        .command("kubeconform")
        .description(
          "build every Flux Kustomization (and standalone kustomization dir) offline and validate each object against the strict schema catalog",
        )
        .argument("[dir]", "manifests directory, relative to the repository root", parseDir, "kubernetes"),
    ).action((dir: string, opts: KubeconformCommandOptions) => run((ctx) => kubeconform(ctx, dir, opts)));
  },
};
