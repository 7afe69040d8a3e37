import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type Finding, toPosixPath, UserError } from "@homeops/core";
import type { BuiltObject, FluxRoot } from "@homeops/manifests";
import type { ObjectStatus, SchemaCatalog } from "@homeops/schema";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandSpec, Runner } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";
import type { ReportCase } from "../reporters/cases.js";
import { emitReport, parseOutputFormat, registerReporter, reporterFor } from "../reporters/index.js";
import { junitReporter } from "../reporters/junit.js";
import { tapReporter } from "../reporters/tap.js";

export interface KubeconformCommandOptions {
  /** reject fields the schema does not declare (`--no-strict` turns it off) */
  strict: boolean;
  /** kinds not validated: `Kind` or `apiVersion/Kind` */
  skip: string[];
  /** objects without a schema are skipped instead of errors */
  ignoreMissingSchemas: boolean;
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

/**
 * Where compiled schemas are kept between runs: `$HOMEOPS_CACHE_DIR`, else `$XDG_CACHE_HOME/homeops`,
 * else `~/.cache/homeops` (only when HOME is set), each + `/schemas`.
 */
function schemaCacheDir(ctx: CliContext): { cacheDir?: string } {
  const base =
    ctx.env.HOMEOPS_CACHE_DIR ||
    (ctx.env.XDG_CACHE_HOME ? join(ctx.env.XDG_CACHE_HOME, "homeops") : undefined) ||
    (ctx.env.HOME ? join(ctx.env.HOME, ".cache", "homeops") : undefined);
  return base ? { cacheDir: join(base, "schemas") } : {};
}

/** One object to validate and where it came from. */
interface Unit {
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
  violations: { path: string; message: string; file: string; line: number; column: number }[];
}

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const FORMATS = ["text", "json", "junit", "tap", "sarif"];

/** Adds kubeconform's flags (shared by `homeops kubeconform` and `homeops validate manifests`). */
export function addKubeconformOptions(command: Command): Command {
  return command
    .option("--strict", "reject fields a schema does not declare", true)
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
    .option("--ignore-missing-schemas", "skip objects whose kind has no schema instead of failing", false)
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
      "\nEach object is valid, invalid, error (no schema, bad kind/apiVersion) or skipped (--skip, --ignore-missing-schemas).\nExit codes: 0 every object valid or skipped; 1 invalid objects, errors, build errors, or nothing validated;\n2 the run could not happen (bad usage, missing directory).",
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

  const { SchemaCatalog, formatPath, validateObject } = await import("@homeops/schema");
  const catalog: SchemaCatalog = new SchemaCatalog({
    strict: options.strict,
    locations: options.schemaLocation,
    allowNetwork: options.allowNetwork,
    cwd: root,
    ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    ...(options.schemaCache === false ? {} : schemaCacheDir(ctx)),
  });

  const { units, findings, kustomizations, roots, unreached } = await collectObjects(ctx, target, options);

  const objects: ObjectReport[] = [];
  const cases: ReportCase[] = [];
  const counts: Record<ObjectStatus, number> = { valid: 0, invalid: 0, error: 0, skipped: 0 };
  for (const { origin, object } of units) {
    const verdict = await validateObject(catalog, object.object, {
      skipKinds: options.skip,
      ignoreMissingSchemas: options.ignoreMissingSchemas,
    });
    counts[verdict.status]++;
    const label = `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
    const source = `${object.provenance.file}:${object.provenance.line}`;
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
          ? "add a schema with --schema-location, or pass --ignore-missing-schemas"
          : `built by ${origin}`,
      });
    }
    if (verdict.status === "skipped" && !options.skip.includes(object.kind)) {
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
      hint: "a run that checks nothing is a failure: check the directory, --skip and --ignore-missing-schemas",
    });
  }

  const rootsLine = roots
    .map((r) => `${r.cluster ? `[${r.cluster}] ` : ""}${r.path} (${r.reason})`)
    .join(", ");
  const summary = `Flux root${roots.length === 1 ? "" : "s"}: ${rootsLine || "none"}\n${units.length} resources found in ${kustomizations} builds - Valid: ${counts.valid}, Invalid: ${counts.invalid}, Errors: ${counts.error}, Skipped: ${counts.skipped}${
    unreached.length > 0
      ? `\n${unreached.length} kustomization director${unreached.length === 1 ? "y" : "ies"} not reached by Flux (not validated; --verbose lists them)`
      : ""
  }`;
  if (options.output === "text" && options.summary) printBreakdown(ctx, objects);
  return emitReport(ctx, options.output, {
    command,
    findings,
    summary,
    data: { counts, objects, cases, kubernetesVersion: catalog.kubernetesVersion, roots, unreached },
  });
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

async function collectObjects(
  ctx: CliContext,
  target: string,
  options: KubeconformCommandOptions,
): Promise<{
  units: Unit[];
  findings: Finding[];
  kustomizations: number;
  roots: FluxRoot[];
  unreached: string[];
}> {
  const root = ctx.cwd;
  const manifests = await import("@homeops/manifests");
  const units: Unit[] = [];
  const findings: Finding[] = [];
  let kustomizations = 0;
  const covered = new Set<string>();

  const roots = findRoots(root, target, options.clusterRoot, manifests.discoverFluxRoots);
  for (const r of roots) {
    ctx.progress(`Flux root${r.cluster ? ` [${r.cluster}]` : ""}: ${r.path} (${r.reason})`);
    const graph = await manifests.buildRepoGraph(root, {
      clusterRoot: r.path,
      allowNetwork: options.allowNetwork,
      ...(r.strict !== undefined ? { strict: r.strict } : {}),
      ...(r.url ? { repositoryUrl: r.url } : {}),
      ...(r.repositorySources ? { repositorySources: r.repositorySources } : {}),
      logger: ctx.logger,
    });
    findings.push(...graph.findings);
    for (const ks of graph.kustomizations) {
      kustomizations++;
      covered.add(ks.path);
      for (const object of ks.objects) {
        units.push({
          origin: `${r.cluster ? `[${r.cluster}] ` : ""}Kustomization ${ks.namespace}/${ks.name}`,
          object,
        });
        for (const link of object.provenance.chain) {
          const file = KUSTOMIZATION_FILES.find((name) => link === name || link.endsWith(`/${name}`));
          if (file) covered.add(toPosixPath(dirname(link)));
        }
      }
    }
  }

  const unreached: string[] = [];
  for (const dir of findKustomizationDirs(root, target)) {
    if (covered.has(dir)) continue;
    if (roots.length > 0) {
      // Flux never applies it: its objects are not validated as deployed (their ${VARS} are unsubstituted)
      unreached.push(dir);
      findings.push({
        ruleId: "kubeconform/not-reached",
        severity: "info",
        message: `${dir}: not reached by Flux (no Flux Kustomization builds it); not validated`,
        file: dir,
      });
      continue;
    }
    ctx.progress(`kustomize build ${dir}`);
    const build = await manifests.buildKustomizationDir(root, dir, {
      allowNetwork: options.allowNetwork,
      logger: ctx.logger,
    });
    kustomizations++;
    findings.push(...build.findings);
    for (const object of build.objects) units.push({ origin: `kustomize ${dir}`, object });
  }
  return { units, findings, kustomizations, roots, unreached };
}

/** The Flux roots to build: `--cluster-root`, else what bootstraps Flux in the repository. */
export function findRoots(
  root: string,
  target: string,
  clusterRoot: string | undefined,
  discoverFluxRoots: typeof import("@homeops/manifests").discoverFluxRoots,
): FluxRoot[] {
  if (clusterRoot) {
    if (!existsSync(join(root, clusterRoot))) {
      throw new UserError("FILE_NOT_FOUND", `${clusterRoot}: no such directory`, {
        hint: "--cluster-root names the directory holding the Flux entry points",
      });
    }
    return [{ path: clusterRoot, source: "kubernetes/flux", reason: "--cluster-root" }];
  }
  const found = discoverFluxRoots(root);
  // the roots inside the directory asked for (a sub-directory without one is a plain kustomize run)
  const inside = found.roots.filter(
    (r) => target === "." || r.path === target || r.path.startsWith(`${target}/`),
  );
  if (found.roots.length > 0) return inside;
  const legacy = `${target === "." ? "" : `${target}/`}flux`;
  if (existsSync(join(root, legacy)))
    return [{ path: legacy, source: "kubernetes/flux", reason: `${legacy} (default)` }];
  throw new UserError("FILE_NOT_FOUND", "no Flux root found in this repository", {
    hint: `looked for ${found.lookedFor.join("; ")}${found.ignored.length > 0 ? `; left out: ${found.ignored.join("; ")}` : ""}. Name the root with --cluster-root <dir>`,
  });
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
