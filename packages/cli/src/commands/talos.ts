import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@homeops/core";
import type { Repository, TalosStageOptions } from "@homeops/repo";
import type { TalosAction } from "@homeops/talos";
import { type Command, Option } from "commander";
import type { CommandSpec, Runner } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { printReport } from "../internal/print-report.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

const ACTIONS = ["apply", "bootstrap", "kubeconfig", "upgrade", "upgrade-k8s", "reset"];

interface Common {
  secrets?: string;
  output?: OutputFormat;
}

/** The repository, plus how to reach the bundle: sops from PATH/.tools/bin, the age key from the env or ./age.key. */
async function open(
  ctx: CliContext,
  flags: Common,
  opened?: Repository,
): Promise<{ repo: Repository; stage: TalosStageOptions }> {
  const { openRepository } = await import("@homeops/repo");
  const repo = opened ?? (await openRepository(".", { cwd: ctx.cwd, logger: ctx.logger }));
  const { findSops } = await import("@homeops/render");
  const sops = await findSops({
    env: ctx.env,
    extraDirs: [join(repo.root, ".tools/bin"), join(ctx.env.HOME ?? "", "go/bin")],
  });
  const env = { ...ctx.env, SOPS_AGE_KEY_FILE: ctx.env.SOPS_AGE_KEY_FILE ?? join(repo.root, "age.key") };
  return {
    repo,
    stage: {
      ...(sops ? { sops: { sops, env } } : {}),
      ...(flags.secrets ? { secretsFile: flags.secrets } : {}),
    },
  };
}

/** `homeops talos generate` */
export async function talosGenerate(
  ctx: CliContext,
  flags: Common & { dryRun?: boolean },
): Promise<ExitCode> {
  const { repo, stage } = await open(ctx, flags);
  const report = await (await import("@homeops/repo")).talosGenerate(repo, {
    ...stage,
    ...(flags.dryRun ? { dryRun: true } : {}),
  });
  if ((flags.output ?? "text") === "text")
    for (const f of report.data?.files ?? []) ctx.stdout.write(`${f.status} ${f.path}\n`);
  return printReport(ctx, flags.output ?? "text", report);
}

/** `homeops talos gensecret --new` */
export async function talosGensecret(ctx: CliContext, flags: Common & { new?: boolean }): Promise<ExitCode> {
  if (!flags.new)
    throw new UserError(
      "USAGE",
      "homeops talos gensecret creates a new cluster identity: pass --new to confirm",
      {
        hint: "an existing bundle is never replaced; restore a lost one from your backup instead",
      },
    );
  const { repo, stage } = await open(ctx, flags);
  return printReport(
    ctx,
    flags.output ?? "text",
    await (await import("@homeops/repo")).talosGensecret(repo, stage),
  );
}

/** `homeops talos validate` */
export async function talosValidate(
  ctx: CliContext,
  flags: Common & { schema?: string },
  opened?: Repository,
): Promise<ExitCode> {
  const { repo, stage } = await open(ctx, flags, opened);
  const schema = flags.schema
    ? (JSON.parse(await readFile(join(repo.root, flags.schema), "utf8")) as object)
    : undefined;
  const report = await (await import("@homeops/repo")).talosValidate(repo, {
    ...stage,
    ...(schema ? { schema } : {}),
  });
  return printReport(ctx, flags.output ?? "text", report);
}

/** The `talos` stage of `homeops configure`: not run in a repository that never had a bundle; errors are exit 2. */
export async function talosStage(
  ctx: CliContext,
  opened?: Repository,
): Promise<ExitCode | { notRun: string }> {
  try {
    const { repo, stage } = await open(ctx, {}, opened);
    const notRun = await (await import("@homeops/repo")).talosStageReadiness(repo, stage);
    if (notRun) return { notRun };
    return await talosValidate(ctx, {}, repo);
  } catch (error) {
    const { reportError } = await import("../internal/errors.js");
    return reportError(ctx, error);
  }
}

/** `homeops talos url` */
export async function talosUrl(
  ctx: CliContext,
  flags: Common & { node?: string; schematic?: string },
): Promise<ExitCode> {
  const { repo } = await open(ctx, flags);
  const schematic = flags.schematic
    ? { text: await readFile(join(repo.root, flags.schematic), "utf8"), file: flags.schematic }
    : undefined;
  const report = await (await import("@homeops/repo")).talosUrls(repo, {
    ...(flags.node ? { node: flags.node } : {}),
    ...(schematic ? { schematic } : {}),
  });
  if ((flags.output ?? "text") === "text")
    for (const i of report.data?.images ?? [])
      ctx.stdout.write(
        `${i.node}\n  schematic ${i.schematicId}\n  installer ${i.urls.installer}\n  iso       ${i.urls.iso}\n  pxe       ${i.urls.pxe}\n`,
      );
  return printReport(ctx, flags.output ?? "text", report);
}

/** `homeops talos command <action>`: prints the talosctl lines (text: just the lines); `--exec` runs them unless `--dry-run`. */
export async function talosCommand(
  ctx: CliContext,
  action: string,
  flags: Common & { node?: string; insecure?: boolean; exec?: boolean; dryRun?: boolean },
): Promise<ExitCode> {
  if (!ACTIONS.includes(action))
    throw new UserError("USAGE", `unknown talos action ${action}`, { hint: `one of: ${ACTIONS.join(", ")}` });
  const { repo } = await open(ctx, flags);
  const report = await (await import("@homeops/repo")).talosCommandLines(repo, action as TalosAction, {
    ...(flags.node ? { node: flags.node } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
  });
  const commands = report.data?.commands;
  if (!commands) return printReport(ctx, "text", report);
  if (flags.exec && !flags.dryRun) {
    const { runTalosCommands } = await import("@homeops/talos");
    await runTalosCommands(commands, {
      talosctl: ctx.env.TALOSCTL ?? "talosctl",
      cwd: repo.root,
      env: ctx.env,
    });
    return ExitCode.Clean;
  }
  if ((flags.output ?? "text") !== "text") return printReport(ctx, flags.output ?? "text", report);
  for (const c of commands) ctx.stdout.write(`${c.line}\n`);
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
    .addOption(outputOption())
    .action((o: Common & { dryRun?: boolean }) => run((ctx) => talosGenerate(ctx, o)));
  talos
    .command("gensecret")
    .description("create a new secrets bundle (SOPS-encrypted); refuses to overwrite an existing one")
    .option("--new", "confirm: a new bundle is a new cluster identity")
    .addOption(secretsOption())
    .addOption(outputOption())
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
    .action((o: Common & { schema?: string }) => run((ctx) => talosValidate(ctx, o)));
  talos
    .command("url")
    .description("schematic ids (computed offline) and Image Factory installer / ISO / PXE URLs")
    .option("--node <name|ip>", "only this node")
    .option("--schematic <file>", "compute the id of this schematic file instead")
    .addOption(outputOption())
    .action((o: Common & { node?: string; schematic?: string }) => run((ctx) => talosUrl(ctx, o)));
  talos
    .command("command")
    .description(`the exact talosctl command lines for <action> (${ACTIONS.join(", ")})`)
    .argument("<action>", ACTIONS.join(" | "))
    .option("--node <ip|name>", "one node (default: every node, or the first controller)")
    .option("--insecure", "apply to a node in maintenance mode")
    .option("--exec", "run them (Task does); without it they are printed")
    .option("--dry-run", "print even with --exec")
    .addOption(outputOption())
    .action(
      (action: string, o: Common & { node?: string; insecure?: boolean; exec?: boolean; dryRun?: boolean }) =>
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
