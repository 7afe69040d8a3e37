import type { ValidateManifestsOptions } from "@homeops/repo";
import { type Command, Option } from "commander";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";
import { pulledSchemasDir, schemaCacheDir } from "./cache-dir.js";
import { addChangedOnlyOptions, changedOnlyOption } from "./changed-only.js";
import { addHelmOptions, type HelmFlags, helmRenderOptions } from "./helm-options.js";

/** kubeconform's flags, shared by `homeops kubeconform` and `homeops validate manifests`: add one here. */
export interface KubeconformCommandOptions extends HelmFlags {
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
  /** allow remote kustomize inputs and http(s) schema locations (and chart pulls) */
  allowNetwork: boolean;
  /** `{{.NormalizedKubernetesVersion}}` of schema-location templates */
  kubernetesVersion?: string;
  /** Flux entry points, relative to the repository root; default `<dir>/flux` */
  clusterRoot?: string;
  /** keep compiled schemas between runs (`--no-schema-cache` turns it off) */
  schemaCache?: boolean;
  /** changed-only: validate only what changed since this Git revision */
  changedSince?: string;
  /** changed-only: validate only what differs from this base checkout */
  basePath?: string;
}

const FORMATS: OutputFormat[] = ["text", "json", "junit", "tap", "sarif"];

/** Adds kubeconform's flags (shared by `homeops kubeconform` and `homeops validate manifests`). */
export function addKubeconformOptions(command: Command): Command {
  addChangedOnlyOptions(command, "validate only the objects")
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
    .option("--kubernetes-version <version>", "value of {{.NormalizedKubernetesVersion}} in schema templates")
    .option("--cluster-root <dir>", "directory of the Flux entry points (default <dir>/flux)")
    .option("--no-schema-cache", "compile every schema afresh instead of reusing ~/.cache/homeops/schemas");
  return addHelmOptions(
    command,
    "fetch remote kustomize inputs and http(s) schema locations, and pull HelmRelease charts into the chart cache",
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
export function libraryOptions(
  ctx: CliContext,
  dir: string,
  o: KubeconformCommandOptions,
): ValidateManifestsOptions {
  const cacheDir = o.schemaCache === false ? undefined : schemaCacheDir(ctx);
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
    helm: helmRenderOptions(ctx, o),
    onProgress: ctx.progress,
    ...changedOnlyOption(ctx, o),
  };
}
