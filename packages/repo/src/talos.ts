import { existsSync } from "node:fs";
import { join } from "node:path";
import { decodeUtf8, type Report, type ReportCase, readRepoFile, UserError } from "@homeops/core";
import type { ClusterConfig } from "@homeops/schema";
import type { NodeImage, SopsRunner, TalosAction } from "@homeops/talos";
import type { Repository } from "./repository.js";
import { validateConfig } from "./validate-config.js";

/** How the Talos stages reach the secrets bundle. */
export interface TalosStageOptions {
  /** sops and the environment it runs with (SOPS_AGE_KEY_FILE) */
  sops?: SopsRunner;
  /** the bundle, repo-relative or absolute; default talosconfig/secrets.sops.yaml */
  secretsFile?: string;
}

type WithConfig = { config: ClusterConfig } | { report: Report };

/** The validated config, or the validate-config report (exit 1 with its findings) when it is invalid. */
async function configOf(repo: Repository, command: string): Promise<WithConfig> {
  const report = await validateConfig({ cwd: repo.root });
  if (report.config) return { config: report.config };
  return {
    report: { ...report, command, summary: `${report.summary ?? "config invalid"}: nothing generated` },
  };
}

async function readJsonFile(repo: Repository, file: string): Promise<object> {
  const text = decodeUtf8(await readRepoFile(repo.root, file), file);
  try {
    return JSON.parse(text) as object;
  } catch (error) {
    throw new UserError("USAGE", `${file}: not JSON (${(error as Error).message})`, {
      location: { file },
      hint: "name Talos' config.schema.json (the JSON Schema of the machine config)",
    });
  }
}

function base(repo: Repository, config: ClusterConfig, options: TalosStageOptions) {
  return {
    root: repo.root,
    config,
    ...(options.sops ? { sops: options.sops } : {}),
    ...(options.secretsFile ? { secretsFile: options.secretsFile } : {}),
  };
}

export interface TalosGenerateData {
  files: { path: string; node?: string; status: "written" | "unchanged" | "would write" }[];
}

/** `homeops talos generate`: every node's machine config and the talosconfig (mode 0600, gitignored). */
export async function talosGenerate(
  repo: Repository,
  options: TalosStageOptions & { dryRun?: boolean } = {},
): Promise<Report<TalosGenerateData>> {
  const c = await configOf(repo, "talos generate");
  if ("report" in c) return c.report as Report<TalosGenerateData>;
  const { generateTalosConfigs } = await import("@homeops/talos");
  const result = await generateTalosConfigs({
    ...base(repo, c.config, options),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  const files = result.files.map((f) => ({
    path: f.path,
    ...(f.node ? { node: f.node } : {}),
    status: options.dryRun
      ? ("would write" as const)
      : result.written.includes(f.path)
        ? ("written" as const)
        : ("unchanged" as const),
  }));
  return {
    command: "talos generate",
    findings: [],
    summary: `${files.length} files: ${files.filter((f) => f.status === "written").length} written, ${files.filter((f) => f.status === "unchanged").length} unchanged${options.dryRun ? " (dry run: nothing written)" : ""}`,
    data: { files },
  };
}

/** `homeops talos gensecret --new`: a new bundle; refuses to overwrite (the caller confirms with --new). */
export async function talosGensecret(
  repo: Repository,
  options: TalosStageOptions = {},
): Promise<Report<{ path: string }>> {
  const c = await configOf(repo, "talos gensecret");
  if ("report" in c) return c.report as Report<{ path: string }>;
  const { createSecretsBundleFile } = await import("@homeops/talos");
  const { path } = await createSecretsBundleFile(base(repo, c.config, options));
  return {
    command: "talos gensecret",
    findings: [],
    summary: `created ${path} (back it up: losing it locks you out of the cluster)`,
    data: { path },
  };
}

export interface TalosValidateData {
  verdicts: { file: string; status: string; schema: string }[];
  schemaSkipped?: string;
}

/** `homeops talos validate` and the `talos` stage of configure: every machine config, one case each. */
export async function talosValidate(
  repo: Repository,
  options: TalosStageOptions & {
    schema?: object;
    /** Talos' `config.schema.json`, repo-relative (read here; not JSON is a `UserError`) */
    schemaFile?: string;
  } = {},
): Promise<Report<TalosValidateData>> {
  const c = await configOf(repo, "talos validate");
  if ("report" in c) return c.report as Report<TalosValidateData>;
  const schema =
    options.schema ?? (options.schemaFile ? await readJsonFile(repo, options.schemaFile) : undefined);
  const { validateTalosRepository } = await import("@homeops/talos");
  const v = await validateTalosRepository({
    ...base(repo, c.config, options),
    ...(schema ? { schema } : {}),
  });
  const cases: ReportCase[] = v.verdicts.map((x) => ({
    suite: "talos",
    name: x.file,
    classname: "Talos machine config",
    status: x.status === "valid" ? "passed" : x.status === "invalid" ? "failed" : "error",
    messages: x.findings.map((f) => `${f.ruleId}: ${f.message}`),
  }));
  const invalid = v.verdicts.filter((x) => x.status !== "valid").length;
  return {
    command: "talos validate",
    findings: v.findings,
    cases,
    summary: `${v.verdicts.length} machine configs checked, ${invalid} invalid; Talos JSON Schema: ${v.schemaSkipped ? `skipped (${v.schemaSkipped})` : "checked"}`,
    data: {
      verdicts: v.verdicts.map((x) => ({ file: x.file, status: x.status, schema: x.schema })),
      ...(v.schemaSkipped ? { schemaSkipped: v.schemaSkipped } : {}),
    },
  };
}

/**
 * Whether the `talos` stage can run: a repository that never had a bundle (no bundle, no generated
 * configs) cannot yet, and says why; once configs were generated, a missing bundle is an error.
 */
export async function talosStageReadiness(
  repo: Repository,
  options: TalosStageOptions = {},
): Promise<string | undefined> {
  const { TALOS_LAYOUT } = await import("@homeops/talos");
  const bundle = options.secretsFile ?? TALOS_LAYOUT.secrets;
  if (existsSync(join(repo.root, bundle)) || existsSync(join(repo.root, TALOS_LAYOUT.clusterconfig)))
    return undefined;
  return `no Talos secrets bundle yet: create one with \`homeops talos gensecret --new\` (${bundle})`;
}

/** `homeops talos url`: schematic ids (offline) and Image Factory URLs. */
export async function talosUrls(
  repo: Repository,
  options: {
    node?: string;
    schematic?: { text: string; file: string };
    /** a schematic file, repo-relative, whose id to compute instead */
    schematicFile?: string;
  } = {},
): Promise<Report<{ images: NodeImage[]; extensionsSchematicId?: string }>> {
  const c = await configOf(repo, "talos url");
  if ("report" in c) return c.report as Report<{ images: NodeImage[] }>;
  const { schematicFile, ...rest } = options;
  const schematic =
    rest.schematic ??
    (schematicFile
      ? { text: decodeUtf8(await readRepoFile(repo.root, schematicFile), schematicFile), file: schematicFile }
      : undefined);
  const { imageReport } = await import("@homeops/talos");
  const r = imageReport(c.config, {
    ...(rest.node ? { node: rest.node } : {}),
    ...(schematic ? { schematic } : {}),
  });
  return {
    command: "talos url",
    findings: r.findings,
    summary: `${r.images.length} nodes`,
    data: {
      images: r.images,
      ...(r.extensionsSchematicId ? { extensionsSchematicId: r.extensionsSchematicId } : {}),
    },
  };
}

export interface TalosCommandsData {
  commands: { node: string; argv: string[]; line: string }[];
}

/** `homeops talos command <action>`: the exact talosctl command lines. */
export async function talosCommandLines(
  repo: Repository,
  action: TalosAction,
  options: { node?: string; insecure?: boolean } = {},
): Promise<Report<TalosCommandsData>> {
  const c = await configOf(repo, "talos command");
  if ("report" in c) return c.report as Report<TalosCommandsData>;
  const { commandLine, talosCommands, talosModelFromConfig } = await import("@homeops/talos");
  const commands = talosCommands(talosModelFromConfig(c.config), action, options).map((x) => ({
    node: x.node,
    argv: x.argv,
    line: commandLine(x),
  }));
  return {
    command: `talos command ${action}`,
    findings: [],
    summary: `${commands.length} commands`,
    data: { commands },
  };
}
