import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Finding, UserError } from "@homeops/core";
import type { ClusterConfig } from "@homeops/schema";
import type { SopsRunner, TalosAction } from "@homeops/talos";
import { type Command, Option } from "commander";
import type { CommandSpec, Runner } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";
import { emitReport, parseOutputFormat } from "../reporters/index.js";

const CONFIG = "bootstrap/config.yaml";
const ACTIONS = ["apply", "bootstrap", "kubeconfig", "upgrade", "upgrade-k8s", "reset"];

interface Common {
  secrets?: string;
}

/** The validated config (exit 1 with its findings when invalid), sops and the env it needs. */
async function repository(ctx: CliContext, flags: Common) {
  const { loadClusterConfig } = await import("@homeops/schema");
  const result = await loadClusterConfig(join(ctx.cwd, CONFIG), { file: CONFIG });
  if (!result.ok) return { findings: result.findings };
  const { findSops } = await import("@homeops/render");
  const sopsBin = await findSops({
    env: ctx.env,
    extraDirs: [join(ctx.cwd, ".tools/bin"), join(ctx.env.HOME ?? "", "go/bin")],
  });
  const env = { ...ctx.env, SOPS_AGE_KEY_FILE: ctx.env.SOPS_AGE_KEY_FILE ?? join(ctx.cwd, "age.key") };
  const sops: SopsRunner | undefined = sopsBin ? { sops: sopsBin, env } : undefined;
  const options: { root: string; config: ClusterConfig; sops?: SopsRunner; secretsFile?: string } = {
    root: ctx.cwd,
    config: result.value,
    ...(sops ? { sops } : {}),
    ...(flags.secrets ? { secretsFile: flags.secrets } : {}),
  };
  return { options, findings: result.findings };
}

function invalidConfig(ctx: CliContext, command: string, findings: readonly Finding[]): ExitCode {
  return emitReport(ctx, "text", { command, findings, summary: `${CONFIG}: invalid` });
}

/** `homeops talos generate`: machine configs + talosconfig. */
export async function talosGenerate(
  ctx: CliContext,
  flags: Common & { dryRun?: boolean },
): Promise<ExitCode> {
  const repo = await repository(ctx, flags);
  if (!repo.options) return invalidConfig(ctx, "talos generate", repo.findings);
  const { generateTalosConfigs } = await import("@homeops/talos");
  const result = await generateTalosConfigs({ ...repo.options, ...(flags.dryRun ? { dryRun: true } : {}) });
  for (const f of result.files) {
    const verb = flags.dryRun ? "would write" : result.written.includes(f.path) ? "wrote" : "unchanged";
    ctx.stdout.write(`${verb} ${f.path}\n`);
  }
  return ExitCode.Clean;
}

/** `homeops talos gensecret --new`: a new secrets bundle, never over an existing one. */
export async function talosGensecret(ctx: CliContext, flags: Common & { new?: boolean }): Promise<ExitCode> {
  if (!flags.new)
    throw new UserError(
      "USAGE",
      "homeops talos gensecret creates a new cluster identity: pass --new to confirm",
      {
        hint: "an existing bundle is never replaced; restore a lost one from your backup instead",
      },
    );
  const repo = await repository(ctx, flags);
  if (!repo.options) return invalidConfig(ctx, "talos gensecret", repo.findings);
  const { createSecretsBundleFile } = await import("@homeops/talos");
  const { path } = await createSecretsBundleFile(repo.options);
  ctx.stdout.write(`created ${path} (back it up: losing it locks you out of the cluster)\n`);
  return ExitCode.Clean;
}

/** `homeops talos validate` (and the `talos` stage of configure). */
export async function talosValidate(
  ctx: CliContext,
  flags: Common & { schema?: string; output?: string },
): Promise<ExitCode> {
  const repo = await repository(ctx, flags);
  if (!repo.options) return invalidConfig(ctx, "talos validate", repo.findings);
  const { validateTalosRepository } = await import("@homeops/talos");
  const schema = flags.schema
    ? (JSON.parse(await readFile(join(ctx.cwd, flags.schema), "utf8")) as object)
    : undefined;
  const v = await validateTalosRepository({ ...repo.options, ...(schema ? { schema } : {}) });
  const invalid = v.verdicts.filter((x) => x.status !== "valid").length;
  return emitReport(ctx, flags.output ?? "text", {
    command: "talos validate",
    findings: v.findings,
    summary: `${v.verdicts.length} machine configs checked, ${invalid} invalid; Talos JSON Schema: ${v.schemaSkipped ? `skipped (${v.schemaSkipped})` : "checked"}`,
    data: { verdicts: v.verdicts.map((x) => ({ file: x.file, status: x.status, schema: x.schema })) },
  });
}

/**
 * The `talos` stage of `homeops configure`: an operational error is exit 2, never a pass. A repository that
 * never had a bundle (no bundle, no generated configs) is "not run"; once configs were generated from a
 * bundle, a missing bundle is the exit-2 error (it is never regenerated).
 */
export async function talosStage(ctx: CliContext): Promise<ExitCode | { notRun: string }> {
  const { TALOS_LAYOUT } = await import("@homeops/talos");
  const { existsSync } = await import("node:fs");
  if (
    !existsSync(join(ctx.cwd, TALOS_LAYOUT.secrets)) &&
    !existsSync(join(ctx.cwd, TALOS_LAYOUT.clusterconfig))
  )
    return {
      notRun: `no Talos secrets bundle yet: create one with \`homeops talos gensecret --new\` (${TALOS_LAYOUT.secrets})`,
    };
  try {
    return await talosValidate(ctx, {});
  } catch (error) {
    const { reportError } = await import("../internal/errors.js");
    return reportError(ctx, error);
  }
}

/** `homeops talos url`: schematic ids and Image Factory URLs, offline. */
export async function talosUrl(
  ctx: CliContext,
  flags: { node?: string; schematic?: string; output?: string },
): Promise<ExitCode> {
  const repo = await repository(ctx, {});
  if (!repo.options) return invalidConfig(ctx, "talos url", repo.findings);
  const { imageReport } = await import("@homeops/talos");
  const schematic = flags.schematic
    ? { text: await readFile(join(ctx.cwd, flags.schematic), "utf8"), file: flags.schematic }
    : undefined;
  const report = imageReport(repo.options.config, {
    ...(flags.node ? { node: flags.node } : {}),
    ...(schematic ? { schematic } : {}),
  });
  if ((flags.output ?? "text") === "text")
    for (const i of report.images)
      ctx.stdout.write(
        `${i.node}\n  schematic ${i.schematicId}\n  installer ${i.urls.installer}\n  iso       ${i.urls.iso}\n  pxe       ${i.urls.pxe}\n`,
      );
  return emitReport(ctx, flags.output ?? "text", {
    command: "talos url",
    findings: report.findings,
    summary: `${report.images.length} nodes`,
    data: report,
  });
}

/** `homeops talos command <action>`: the talosctl command lines; `--exec` runs them unless `--dry-run`. */
export async function talosCommand(
  ctx: CliContext,
  action: string,
  flags: { node?: string; insecure?: boolean; exec?: boolean; dryRun?: boolean },
): Promise<ExitCode> {
  if (!ACTIONS.includes(action))
    throw new UserError("USAGE", `unknown talos action ${action}`, { hint: `one of: ${ACTIONS.join(", ")}` });
  const repo = await repository(ctx, {});
  if (!repo.options) return invalidConfig(ctx, "talos command", repo.findings);
  const { commandLine, runTalosCommands, talosCommands, talosModelFromConfig } = await import(
    "@homeops/talos"
  );
  const commands = talosCommands(talosModelFromConfig(repo.options.config), action as TalosAction, {
    ...(flags.node ? { node: flags.node } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
  });
  if (!flags.exec || flags.dryRun) {
    for (const c of commands) ctx.stdout.write(`${commandLine(c)}\n`);
    return ExitCode.Clean;
  }
  await runTalosCommands(commands, { talosctl: ctx.env.TALOSCTL ?? "talosctl", cwd: ctx.cwd, env: ctx.env });
  return ExitCode.Clean;
}

const outputOption = () =>
  new Option("-o, --output <format>", "text or json")
    .default("text")
    .argParser(parseOutputFormat(["text", "json"]));
const secretsOption = () =>
  new Option(
    "--secrets <file>",
    "the secrets bundle (default talosconfig/secrets.sops.yaml; a plaintext one must be outside Git)",
  );

function register(talos: Command, run: Runner): void {
  talos
    .command("generate")
    .description(
      "write talosconfig/clusterconfig/<cluster>-<node>.yaml and talosconfig/talosconfig (mode 0600, gitignored)",
    )
    .option("--dry-run", "write nothing; list what would be written")
    .addOption(secretsOption())
    .action((o: Common & { dryRun?: boolean }) => run((ctx) => talosGenerate(ctx, o)));
  talos
    .command("gensecret")
    .description("create a new secrets bundle (SOPS-encrypted); refuses to overwrite an existing one")
    .option("--new", "confirm: a new bundle is a new cluster identity")
    .addOption(secretsOption())
    .action((o: Common & { new?: boolean }) => run((ctx) => talosGensecret(ctx, o)));
  talos
    .command("validate")
    .description(
      "generate in memory and validate every machine config (Talos' JSON Schema, Talos' rules, completeness)",
    )
    .option(
      "--schema <file>",
      "Talos' config.schema.json (default .homeops/talos/config.schema.json when present)",
    )
    .addOption(secretsOption())
    .addOption(outputOption())
    .action((o: Common & { schema?: string; output: string }) => run((ctx) => talosValidate(ctx, o)));
  talos
    .command("url")
    .description("schematic ids (computed offline) and Image Factory installer / ISO / PXE URLs")
    .option("--node <name|ip>", "only this node")
    .option("--schematic <file>", "compute the id of this schematic file instead")
    .addOption(outputOption())
    .action((o: { node?: string; schematic?: string; output: string }) => run((ctx) => talosUrl(ctx, o)));
  talos
    .command("command")
    .description(`the exact talosctl command lines for <action> (${ACTIONS.join(", ")})`)
    .argument("<action>", ACTIONS.join(" | "))
    .option("--node <ip|name>", "one node (default: every node, or the first controller)")
    .option("--insecure", "apply to a node in maintenance mode")
    .option("--exec", "run them (Task does); without it they are printed")
    .option("--dry-run", "print even with --exec")
    .action((action: string, o: { node?: string; insecure?: boolean; exec?: boolean; dryRun?: boolean }) =>
      run((ctx) => talosCommand(ctx, action, o)),
    );
}

export const talosCommandSpec: CommandSpec = {
  name: "talos",
  register(program, run) {
    register(
      program.command("talos").description("Talos machine configs, secrets, images and talosctl commands"),
      run,
    );
  },
};
