import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type Finding, toPosixPath, UserError } from "@homeops/core";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandSpec } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";
import { emitReport, parseOutputFormat } from "../reporters/index.js";
import {
  collectObjects,
  createCatalog,
  type KubeconformCommandOptions,
  pulledSchemasDir,
  type Unit,
} from "./kubeconform.js";

interface SchemasOptions {
  schemaLocation: string[];
  clusterRoot?: string;
  allowNetwork: boolean;
  kubernetesVersion?: string;
  output: string;
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

function kubeconformOptions(options: SchemasOptions, allowNetwork: boolean): KubeconformCommandOptions {
  return {
    strict: true,
    skip: ["Secret"],
    ignoreMissingSchemas: false,
    // a pull run may name http(s) templates: the catalog itself only reads local locations here
    schemaLocation: options.schemaLocation.filter((l) => !/^https?:\/\//.test(l)),
    summary: false,
    output: options.output,
    allowNetwork,
    ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    ...(options.clusterRoot ? { clusterRoot: options.clusterRoot } : {}),
  };
}

function targetDir(ctx: CliContext, dir: string): string {
  const target = toPosixPath(relative(ctx.cwd, resolve(ctx.cwd, dir))) || ".";
  if (!existsSync(join(ctx.cwd, target)) || !statSync(join(ctx.cwd, target)).isDirectory()) {
    throw new UserError("FILE_NOT_FOUND", `${target}: no such directory`, {
      hint: "run from the repository root (or pass -C <repo>) and name the manifests directory, e.g. `kubernetes`",
    });
  }
  return target;
}

/** Every YAML file under a directory (repository-relative), skipping dot-directories and node_modules. */
function yamlFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel === "." ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") walk(path);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/** The kinds the build produced, with their object counts, in a stable order. */
function usedKinds(units: readonly Unit[]): Map<string, { apiVersion: string; kind: string; count: number }> {
  const kinds = new Map<string, { apiVersion: string; kind: string; count: number }>();
  for (const { object } of units) {
    if (!object.apiVersion || !object.kind) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    const entry = kinds.get(key) ?? { apiVersion: object.apiVersion, kind: object.kind, count: 0 };
    entry.count++;
    kinds.set(key, entry);
  }
  return new Map([...kinds].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * `homeops schemas pull`: builds the repository, and for every kind it uses that no schema covers (no
 * repository CRD, location or catalog entry) fetches one from the `--schema-location` templates and the
 * templates of the repository's own `$schema=` comments; also fetches every document schema those comments
 * name. Network only here, and only when asked.
 */
async function pull(ctx: CliContext, dir: string, options: SchemasOptions): Promise<ExitCode> {
  const cacheDir = pulledSchemasDir(ctx);
  if (!cacheDir) {
    throw new UserError("USAGE", "no cache directory: set HOMEOPS_CACHE_DIR (or HOME)", {
      hint: "e.g. HOMEOPS_CACHE_DIR=$PWD/.cache homeops schemas pull",
    });
  }
  const schema = await import("@homeops/schema");
  const target = targetDir(ctx, dir);
  const run = kubeconformOptions(options, options.allowNetwork);
  const { units, findings } = await collectObjects(ctx, target, run);
  const catalog = createCatalog(ctx, run, units, schema);

  const templates: string[] = options.schemaLocation.filter((l) => /^https?:\/\//.test(l));
  const documentUrls = new Set<string>();
  const builtFiles = new Set(units.map(({ object }) => object.provenance.file));
  for (const file of yamlFiles(ctx.cwd, target)) {
    let text: string;
    try {
      text = readFileSync(join(ctx.cwd, file), "utf8");
    } catch {
      continue;
    }
    for (const { url } of schema.findSchemaComments(text)) {
      const template = schema.kindSchemaTemplate(url);
      if (template) {
        if (!templates.includes(template)) templates.push(template);
      } else if (builtFiles.has(file) && /^https?:\/\//.test(url)) documentUrls.add(url);
    }
  }
  const wanted: { apiVersion: string; kind: string }[] = [];
  for (const { apiVersion, kind } of usedKinds(units).values()) {
    if (kind === "Secret") continue;
    const lookup = await catalog.lookup(apiVersion, kind);
    if (lookup.found === false) wanted.push({ apiVersion, kind });
  }
  ctx.progress(`pulling ${wanted.length} kind schemas and ${documentUrls.size} document schemas`);
  const results = await schema.pullSchemas({
    dir: cacheDir,
    kinds: wanted,
    templates,
    urls: [...documentUrls].sort(),
    kubernetesVersion: catalog.kubernetesVersion,
  });
  const counts = { pulled: 0, cached: 0, "not-found": 0, error: 0 };
  for (const r of results) {
    counts[r.status]++;
    if (r.status === "not-found") {
      findings.push({
        ruleId: "schemas/not-found",
        severity: "warning",
        message: `${r.key}: no schema at ${r.tried.length > 0 ? r.tried.join(", ") : "any template (none given)"}`,
        hint: "pass --schema-location <template> naming where its schema is published",
      });
    } else if (r.status === "error") {
      findings.push({
        ruleId: "schemas/fetch-failed",
        severity: "error",
        message: `${r.key}: ${r.message ?? "failed"}`,
      });
    } else {
      findings.push({ ruleId: "schemas/pulled", severity: "info", message: `${r.key} ← ${r.url}` });
    }
  }
  return emitReport(ctx, options.output, {
    command: "schemas pull",
    findings,
    summary: `schema cache ${cacheDir}: ${counts.pulled} pulled, ${counts.cached} already cached, ${counts["not-found"]} not found, ${counts.error} failed (${templates.length} templates)`,
    data: { cacheDir, templates, results },
  });
}

/** `homeops schemas list`: where the schema of every kind the repository uses comes from. */
async function list(ctx: CliContext, dir: string, options: SchemasOptions): Promise<ExitCode> {
  const schema = await import("@homeops/schema");
  const target = targetDir(ctx, dir);
  const run = kubeconformOptions(options, options.allowNetwork);
  const { units, findings } = await collectObjects(ctx, target, run);
  const catalog = createCatalog(ctx, run, units, schema);
  const rows: { apiVersion: string; kind: string; objects: number; origin: string; source: string }[] = [];
  for (const { apiVersion, kind, count } of usedKinds(units).values()) {
    const lookup = await catalog.lookup(apiVersion, kind);
    rows.push({
      apiVersion,
      kind,
      objects: count,
      origin: lookup.found === true ? lookup.schema.origin : lookup.found === false ? "none" : "error",
      source: lookup.found === true ? lookup.schema.source : lookup.found === false ? "" : lookup.message,
    });
  }
  const cached = catalog.cachedSchemas();
  if (options.output === "text") {
    for (const r of rows) {
      ctx.stdout.write(
        `${`${r.apiVersion} ${r.kind}`.padEnd(64)} ${String(r.objects).padStart(5)}  ${r.origin.padEnd(10)} ${r.source}\n`,
      );
    }
  }
  const byOrigin: Record<string, number> = {};
  for (const r of rows) byOrigin[r.origin] = (byOrigin[r.origin] ?? 0) + 1;
  const none: Finding[] = rows
    .filter((r) => r.origin === "none")
    .map((r) => ({
      ruleId: "schemas/none",
      severity: "info",
      message: `${r.apiVersion} ${r.kind}: no schema (${r.objects} objects)`,
    }));
  return emitReport(ctx, options.output, {
    command: "schemas list",
    findings: [...findings.filter((f) => f.severity === "error"), ...none],
    summary: `${rows.length} kinds: ${Object.entries(byOrigin)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([origin, n]) => `${n} ${origin}`)
      .join(
        ", ",
      )}; cache: ${Object.keys(cached.kinds).length} kinds, ${Object.keys(cached.urls).length} URLs`,
    data: {
      kinds: rows,
      repositoryCrdKinds: catalog.repositoryKinds(),
      cache: cached,
      kubernetesVersion: catalog.kubernetesVersion,
    },
  });
}

export const schemasCommand: CommandSpec = {
  name: "schemas",
  register(program, run) {
    const schemas = program
      .command("schemas")
      .description("the schemas validation uses: the catalog, the repository's CRDs, the schema cache");
    addOptions(
      schemas
        .command("pull")
        .description(
          "fetch the schema of every kind the repository uses that no schema covers (from --schema-location and the repository's `$schema=` comments) into the schema cache",
        ),
    ).action((dir: string, opts: SchemasOptions) => run((ctx) => pull(ctx, dir, opts)));
    addOptions(
      schemas
        .command("list")
        .description("show where the schema of each kind the repository uses comes from"),
    ).action((dir: string, opts: SchemasOptions) => run((ctx) => list(ctx, dir, opts)));
  },
};
