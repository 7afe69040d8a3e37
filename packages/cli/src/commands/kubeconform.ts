import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type Finding, toPosixPath, UserError } from "@homeops/core";
import type { BuiltObject } from "@homeops/manifests";
import type { ObjectStatus, SchemaCatalog, SchemaOrigin } from "@homeops/schema";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandSpec, Runner } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";
import type { ReportCase } from "../reporters/cases.js";
import { emitReport, parseOutputFormat, registerReporter, reporterFor } from "../reporters/index.js";
import { junitReporter } from "../reporters/junit.js";
import { tapReporter } from "../reporters/tap.js";

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
  /** fields a custom resource's schema does not declare: `error` (server-side apply), `warn` (pruned), `auto` */
  crdUnknownFields?: "error" | "warn" | "auto";
  /** extra schema dirs/templates, tried before the built-in catalog (`default` places it) */
  schemaLocation: string[];
  /** add a per-Kustomization breakdown to the text output */
  summary: boolean;
  output: string;
  /** allow remote kustomize inputs and http(s) schema locations */
  allowNetwork: boolean;
  /** `{{.NormalizedKubernetesVersion}}` of schema-location templates */
  kubernetesVersion?: string;
  /** Flux entry points, relative to the repository root; default `<dir>/flux` */
  clusterRoot?: string;
  /** keep compiled schemas between runs (`--no-schema-cache` turns it off) */
  schemaCache?: boolean;
}

/** `$HOMEOPS_CACHE_DIR`, else `$XDG_CACHE_HOME/homeops`, else `~/.cache/homeops` (only when HOME is set). */
export function homeopsCacheBase(ctx: CliContext): string | undefined {
  return (
    ctx.env.HOMEOPS_CACHE_DIR ||
    (ctx.env.XDG_CACHE_HOME ? join(ctx.env.XDG_CACHE_HOME, "homeops") : undefined) ||
    (ctx.env.HOME ? join(ctx.env.HOME, ".cache", "homeops") : undefined)
  );
}

/** The schema cache `homeops schemas pull` fills: `<cache>/schema-cache`. */
export function pulledSchemasDir(ctx: CliContext): string | undefined {
  const base = homeopsCacheBase(ctx);
  return base ? join(base, "schema-cache") : undefined;
}

/** Where compiled schemas are kept between runs: `<cache>/schemas`. */
function schemaCacheDir(ctx: CliContext): { cacheDir?: string } {
  const base = homeopsCacheBase(ctx);
  return base ? { cacheDir: join(base, "schemas") } : {};
}

/** One object to validate and where it came from. */
export interface Unit {
  /** `Kustomization flux-system/cluster-apps` or `kustomize <dir>` */
  origin: string;
  object: BuiltObject;
}

/** Per-object result, as printed in json output. */
export interface ObjectReport {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  origin: string;
  /** `file:line` of the object's source document */
  source: string;
  status: ObjectStatus;
  reason?: string;
  /** the schema used (file, URL or `file:line` of a repository CRD) */
  schema?: string;
  schemaOrigin?: SchemaOrigin;
  documentSchemas?: string[];
  violations: { path: string; message: string; file: string; line: number; column: number }[];
}

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const FORMATS = ["text", "json", "junit", "tap", "sarif"];

/** Adds kubeconform's flags (shared by `homeops kubeconform` and `homeops validate manifests`). */
export function addKubeconformOptions(command: Command): Command {
  return command
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
    .option("--allow-network", "fetch remote kustomize inputs and http(s) schema locations", false)
    .option("--kubernetes-version <version>", "value of {{.NormalizedKubernetesVersion}} in schema templates")
    .option("--cluster-root <dir>", "directory of the Flux entry points (default <dir>/flux)")
    .option("--no-schema-cache", "compile every schema afresh instead of reusing ~/.cache/homeops/schemas")
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

/**
 * Builds every Flux Kustomization under `dir` (and every kustomization.yaml directory no Flux build
 * reaches) and validates each object against the strict schema catalog. Exit 0 when every object is valid
 * or skipped and at least one was validated; 1 on invalid objects, errors, build errors, or when nothing
 * was validated; 2 when the run itself could not happen.
 */
export async function validateManifests(
  ctx: CliContext,
  dir: string,
  options: KubeconformCommandOptions,
  command = "kubeconform",
): Promise<ExitCode> {
  const root = ctx.cwd;
  const target = toPosixPath(relative(root, resolve(root, dir))) || ".";
  if (!existsSync(join(root, target)) || !statSync(join(root, target)).isDirectory()) {
    throw new UserError("FILE_NOT_FOUND", `${target}: no such directory`, {
      hint: "run from the repository root (or pass -C <repo>) and name the manifests directory, e.g. `kubernetes`",
    });
  }
  registerReporter(junitReporter);
  registerReporter(tapReporter);
  if (options.output === "sarif") await registerSarif();
  reporterFor(options.output); // fail on an unavailable format before doing the work

  const { units, findings, kustomizations } = await collectObjects(ctx, target, options);
  const schema = await import("@homeops/schema");
  const { formatPath, validateObject } = schema;
  const catalog = createCatalog(ctx, options, units, schema);
  for (const problem of catalog.crdProblems) {
    findings.push({
      ruleId: "kubeconform/crd-unusable",
      severity: "warning",
      message: `CustomResourceDefinition at ${problem.source} gives no schema: ${problem.message}`,
      hint: "its kinds are validated against the catalog or cache instead",
    });
  }
  const documentSchemas = documentSchemaReader(ctx, schema);
  const missing = new Map<string, { count: number; first: string }>();

  const objects: ObjectReport[] = [];
  const cases: ReportCase[] = [];
  const counts: Record<ObjectStatus, number> = { valid: 0, invalid: 0, error: 0, skipped: 0 };
  for (const { origin, object } of units) {
    const verdict = await validateObject(catalog, object.object, {
      skipKinds: options.skip,
      requireSchemas: options.requireSchemas ?? false,
      crdUnknownFields: options.crdUnknownFields ?? (options.strict === true ? "error" : "auto"),
      unresolvedVariables: options.strict === true ? "error" : "defer",
      documentSchemas: documentSchemas(object.provenance.file, object.provenance.line),
    });
    counts[verdict.status]++;
    const label = `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
    const source = `${object.provenance.file}:${object.provenance.line}`;
    if (verdict.missingSchema) {
      const key = `${object.apiVersion} ${object.kind}`;
      const entry = missing.get(key) ?? { count: 0, first: source };
      entry.count++;
      missing.set(key, entry);
    }
    for (const w of verdict.warnings ?? []) {
      const at = object.locate(w.path);
      findings.push({
        ruleId: "kubeconform/pruned-field",
        severity: "warning",
        message: `${label}: ${formatPath(w.path)}: not in the CRD schema (${verdict.schema ?? "catalog"})`,
        file: at.file,
        line: at.line,
        column: at.column,
        path: formatPath(w.path),
        hint: "Flux's server-side apply rejects it if the cluster's CRD is this one (a create/update would drop it); the cluster may run a newer version or a fork: vendor its CRD in the repository to check exactly (--strict makes this an error)",
      });
    }
    for (const problem of verdict.documentSchemaProblems ?? []) {
      findings.push({
        ruleId: "kubeconform/document-schema-unusable",
        severity: "warning",
        message: `${label}: ${problem}`,
        file: object.provenance.file,
        line: object.provenance.line,
        hint: "the schema its `$schema=` comment names is cached but cannot be used; `homeops schemas pull` fetches its references too",
      });
    }
    for (const d of verdict.deferred ?? []) {
      const at = object.locate(d.path);
      findings.push({
        ruleId: "kubeconform/unresolved-variable",
        severity: "info",
        message: `${label}: ${formatPath(d.path)}: ${d.message} (the value holds a variable the offline build could not resolve)`,
        file: at.file,
        line: at.line,
        column: at.column,
        path: formatPath(d.path),
        hint: "its value comes from a Secret or ConfigMap the build cannot read; --strict checks it as written",
      });
    }
    const violations = verdict.violations.map((v) => {
      const at = object.locate(v.path);
      return {
        path: formatPath(v.path),
        message: v.message,
        file: at.file,
        line: at.line,
        column: at.column,
      };
    });
    objects.push({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.name,
      ...(object.namespace ? { namespace: object.namespace } : {}),
      origin,
      source,
      status: verdict.status,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
      ...(verdict.schema ? { schema: verdict.schema } : {}),
      ...(verdict.origin ? { schemaOrigin: verdict.origin } : {}),
      ...(verdict.documentSchemas ? { documentSchemas: verdict.documentSchemas } : {}),
      violations,
    });
    for (const v of violations) {
      findings.push({
        ruleId: "kubeconform/invalid",
        severity: "error",
        message: `${label}: ${v.message}`,
        file: v.file,
        line: v.line,
        column: v.column,
        ...(v.path ? { path: v.path } : {}),
        hint: `built by ${object.provenance.chain.length > 0 ? object.provenance.chain.join(" → ") : origin}`,
      });
    }
    if (verdict.status === "error") {
      findings.push({
        ruleId: "kubeconform/error",
        severity: "error",
        message: `${label}: ${verdict.reason ?? "error"}`,
        file: object.provenance.file,
        line: object.provenance.line,
        hint: verdict.reason?.startsWith("could not find schema")
          ? "add the kind's CRD to the repository, run `homeops schemas pull`, or point --schema-location at a schema; without --require-schemas it is skipped"
          : `built by ${origin}`,
      });
    }
    if (verdict.status === "skipped" && !verdict.missingSchema && !options.skip.includes(object.kind)) {
      findings.push({
        ruleId: "kubeconform/skipped",
        severity: "info",
        message: `${label}: skipped (${verdict.reason ?? "skipped"})`,
        file: object.provenance.file,
        line: object.provenance.line,
      });
    }
    cases.push({
      suite: origin,
      name: label,
      classname: `${object.apiVersion} ${object.kind}`,
      status:
        verdict.status === "valid"
          ? "passed"
          : verdict.status === "invalid"
            ? "failed"
            : verdict.status === "error"
              ? "error"
              : "skipped",
      messages:
        verdict.status === "invalid"
          ? violations.map((v) => `${v.file}:${v.line}:${v.column}: ${v.path}: ${v.message}`)
          : verdict.reason
            ? [verdict.reason]
            : [],
    });
  }
  const validated = counts.valid + counts.invalid;
  if (validated === 0) {
    findings.push({
      ruleId: "kubeconform/nothing-validated",
      severity: "error",
      message: `no object under ${target} was validated (${units.length} found, ${counts.skipped} skipped, ${counts.error} errors)`,
      hint: "a run that checks nothing is a failure: check the directory and --skip, and add schemas for the skipped kinds",
    });
  }
  const noSchema = [...missing].sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b));
  for (const [key, { count, first }] of noSchema) {
    const [file, line] = splitSource(first);
    findings.push({
      ruleId: "kubeconform/no-schema",
      severity: "warning",
      message: `${key}: no schema, ${count} object${count === 1 ? "" : "s"} skipped`,
      file,
      line,
      hint: "add the kind's CRD to the repository, run `homeops schemas pull` (uses the repository's `$schema=` comments and --schema-location), or point --schema-location at a schema",
    });
  }

  const skippedNoSchema = noSchema.reduce((sum, [, { count }]) => sum + count, 0);
  const summary = `${units.length} resources found in ${kustomizations} builds - Valid: ${counts.valid}, Invalid: ${counts.invalid}, Errors: ${counts.error}, Skipped: ${counts.skipped}${skippedNoSchema > 0 ? ` (no schema: ${skippedNoSchema} in ${noSchema.length} kinds: ${noSchema.map(([key, { count }]) => `${key} ×${count}`).join(", ")})` : ""}`;
  if (options.output === "text" && options.summary) printBreakdown(ctx, objects);
  return emitReport(ctx, options.output, {
    command,
    findings,
    summary,
    data: {
      counts,
      objects,
      cases,
      kubernetesVersion: catalog.kubernetesVersion,
      noSchema: Object.fromEntries(noSchema.map(([key, { count }]) => [key, count])),
    },
  });
}

function splitSource(source: string): [string, number] {
  const at = source.lastIndexOf(":");
  return [source.slice(0, at), Number(source.slice(at + 1))];
}

type SchemaModule = typeof import("@homeops/schema");

/** The run's catalog: the repository's CRDs (as built) first, user locations, the catalog, the schema cache. */
export function createCatalog(
  ctx: CliContext,
  options: KubeconformCommandOptions,
  units: readonly Unit[],
  schema: SchemaModule,
): SchemaCatalog {
  const crds = units
    .filter(({ object }) => object.kind === "CustomResourceDefinition")
    .map(({ object }) => ({
      object: object.object,
      source: `${object.provenance.file}:${object.provenance.line}`,
    }));
  const pulled = pulledSchemasDir(ctx);
  return new schema.SchemaCatalog({
    strict: options.strict ?? true,
    locations: options.schemaLocation,
    allowNetwork: options.allowNetwork,
    cwd: ctx.cwd,
    crds,
    ...(pulled ? { schemaCacheDir: pulled } : {}),
    ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    ...(options.schemaCache === false ? {} : schemaCacheDir(ctx)),
  });
}

/**
 * The document schema a file names for the object starting at a line (`# yaml-language-server: $schema=`),
 * unless it is the kind schema layout (those are templates for `homeops schemas pull`).
 */
function documentSchemaReader(
  ctx: CliContext,
  schema: SchemaModule,
): (file: string, line: number) => string[] {
  const byFile = new Map<
    string,
    { comments: ReturnType<SchemaModule["findSchemaComments"]>; separators: number[] }
  >();
  return (file, line) => {
    let entry = byFile.get(file);
    if (!entry) {
      let text = "";
      try {
        text = readFileSync(join(ctx.cwd, file), "utf8");
      } catch {
        // a generated object (configMapGenerator) has no file of its own
      }
      const comments = text.includes("$schema=") ? schema.findSchemaComments(text) : [];
      entry = { comments, separators: comments.length > 0 ? schema.documentSeparators(text) : [] };
      byFile.set(file, entry);
    }
    if (entry.comments.length === 0) return [];
    const comment = schema.schemaCommentFor(entry.comments, line, entry.separators);
    return comment && !schema.kindSchemaTemplate(comment.url) ? [comment.url] : [];
  };
}

function printBreakdown(ctx: CliContext, objects: readonly ObjectReport[]): void {
  const byOrigin = new Map<string, Record<ObjectStatus, number>>();
  for (const o of objects) {
    const counts = byOrigin.get(o.origin) ?? { valid: 0, invalid: 0, error: 0, skipped: 0 };
    counts[o.status]++;
    byOrigin.set(o.origin, counts);
  }
  for (const [origin, c] of [...byOrigin].sort(([a], [b]) => a.localeCompare(b))) {
    ctx.stdout.write(
      `${origin}: ${c.valid} valid, ${c.invalid} invalid, ${c.error} errors, ${c.skipped} skipped\n`,
    );
  }
}

async function registerSarif(): Promise<void> {
  const { sarifReporter } = await import("../reporters/sarif.js");
  registerReporter(sarifReporter);
}

export async function collectObjects(
  ctx: CliContext,
  target: string,
  options: KubeconformCommandOptions,
): Promise<{ units: Unit[]; findings: Finding[]; kustomizations: number }> {
  const root = ctx.cwd;
  const manifests = await import("@homeops/manifests");
  const units: Unit[] = [];
  const findings: Finding[] = [];
  let kustomizations = 0;
  const covered = new Set<string>();

  const clusterRoot = options.clusterRoot ?? `${target === "." ? "" : `${target}/`}flux`;
  if (existsSync(join(root, clusterRoot))) {
    ctx.progress(`building Flux Kustomizations from ${clusterRoot}`);
    const graph = await manifests.buildRepoGraph(root, {
      clusterRoot,
      allowNetwork: options.allowNetwork,
      logger: ctx.logger,
    });
    findings.push(...graph.findings);
    for (const ks of graph.kustomizations) {
      kustomizations++;
      covered.add(ks.path);
      for (const object of ks.objects) {
        units.push({ origin: `Kustomization ${ks.namespace}/${ks.name}`, object });
        for (const link of object.provenance.chain) {
          const file = KUSTOMIZATION_FILES.find((name) => link === name || link.endsWith(`/${name}`));
          if (file) covered.add(toPosixPath(dirname(link)));
        }
      }
    }
  } else if (options.clusterRoot) {
    throw new UserError("FILE_NOT_FOUND", `${clusterRoot}: no such directory`, {
      hint: "--cluster-root names the directory holding the Flux entry points",
    });
  }

  for (const dir of findKustomizationDirs(root, target)) {
    if (covered.has(dir)) continue;
    ctx.progress(`kustomize build ${dir}`);
    const build = await manifests.buildKustomizationDir(root, dir, {
      allowNetwork: options.allowNetwork,
      logger: ctx.logger,
    });
    kustomizations++;
    findings.push(...build.findings);
    for (const object of build.objects) units.push({ origin: `kustomize ${dir}`, object });
  }
  return { units, findings, kustomizations };
}

/** Directories under `target` holding a kustomization file that is not a Component (repo-relative). */
function findKustomizationDirs(root: string, target: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    const file = entries.find((e) => e.isFile() && KUSTOMIZATION_FILES.includes(e.name));
    if (file && !isComponent(join(root, dir, file.name))) out.push(dir);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") {
        walk(dir === "." ? e.name : `${dir}/${e.name}`);
      }
    }
  };
  walk(target);
  return out.sort();
}

function isComponent(file: string): boolean {
  try {
    return /^kind:\s*Component\s*$/m.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

function parseDir(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("empty directory");
  return value;
}

/** `homeops validate manifests [dir]`: the same run under `validate`. */
/** The `task configure` stage: `homeops kubeconform kubernetes` with kubeconform's defaults, text output. */
export function kubeconformStage(ctx: CliContext): Promise<ExitCode> {
  return validateManifests(ctx, "kubernetes", {
    strict: true,
    skip: ["Secret"],
    ignoreMissingSchemas: false,
    requireSchemas: true,
    schemaLocation: [],
    summary: false,
    output: "text",
    allowNetwork: false,
  });
}

export function registerManifestsValidation(validate: Command, run: Runner): void {
  addKubeconformOptions(
    validate
      .command("manifests")
      .description(
        "build every Flux Kustomization offline and validate each object strictly (same as `homeops kubeconform`)",
      )
      .argument("[dir]", "manifests directory, relative to the repository root", parseDir, "kubernetes"),
  ).action((dir: string, opts: KubeconformCommandOptions) =>
    run((ctx) => validateManifests(ctx, dir, opts, "validate manifests")),
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
    ).action((dir: string, opts: KubeconformCommandOptions) =>
      run((ctx) => validateManifests(ctx, dir, opts)),
    );
  },
};
