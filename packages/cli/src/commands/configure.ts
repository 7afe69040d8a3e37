import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { type ConfigureStage, configureStages } from "../internal/configure-stages.js";
import { applyInterruptibly, withRepositoryLock } from "../internal/guarded-apply.js";
import {
  DEFAULT_CONFIG,
  encryptorFor,
  loadConfigOrReport,
  printPlan,
  reportConflicts,
  summaryLine,
} from "../internal/render-run.js";
import { repositoryOptions } from "../internal/repository-options.js";
import type { CliContext } from "../io.js";
import { initConfig } from "./init.js";

export interface ConfigureOptions {
  config: string;
  /** apply without asking (Task asks first) */
  yes: boolean;
  force: boolean;
  /** the stages to run after rendering; default `configureStages` */
  stages?: readonly ConfigureStage[];
}

/**
 * init → validate config → plan + apply render → encrypt → validation stages. Exit 0 when every stage
 * that ran passed; a stage not delivered yet is reported as not run, never as passed.
 */
export async function configureRepository(ctx: CliContext, options: ConfigureOptions): Promise<ExitCode> {
  return withRepositoryLock(ctx.cwd, () => configureLocked(ctx, options));
}

async function configureLocked(ctx: CliContext, options: ConfigureOptions): Promise<ExitCode> {
  const c = ctx.color;
  const status = (stage: string, state: string) => ctx.stdout.write(`${c.bold(stage.padEnd(24))} ${state}\n`);

  if (await initConfig(ctx, { config: options.config }))
    status("init", `created ${options.config} from the sample`);
  else status("init", c.green("ok") + c.dim(` (${options.config} exists)`));

  const loaded = await loadConfigOrReport(ctx, options.config, "text");
  if (!loaded.config) {
    status("validate config", c.red("failed"));
    return loaded.exit;
  }
  status("validate config", c.green("passed"));

  const { encryptPlaintextSopsFiles, isPlanClean, planRender } = await import("@homeops/render");
  const plan = await planRender({ rootDir: ctx.cwd, data: loaded.config });
  if (!options.yes && !isPlanClean(plan)) {
    printPlan(ctx, plan, { all: false, verb: "would" });
    status("render", `${c.yellow("not applied")} (${summaryLine(plan)}); rerun with --yes to apply`);
    return ExitCode.Findings;
  }
  const encrypt = await encryptorFor(ctx, plan, options.force);
  const result = await applyInterruptibly(plan, { force: options.force, ...(encrypt ? { encrypt } : {}) });
  // changed and conflicting files, and the counts; unchanged ones only with --verbose
  printPlan(ctx, plan, { all: ctx.verbose, verb: "did" });
  reportConflicts(ctx, result);
  status(
    "render",
    `${result.conflicts.length > 0 ? c.red("conflicts") : c.green("done")} (${summaryLine(plan)})`,
  );
  let exit: ExitCode = result.conflicts.length > 0 ? ExitCode.Findings : ExitCode.Clean;

  // encrypt: any managed *.sops.* file still in plaintext (e.g. left by an older homeops) is encrypted in place
  const { join } = await import("node:path");
  const encrypted = await encryptPlaintextSopsFiles(Object.keys(result.manifest.files), {
    rootDir: ctx.cwd,
    env: ctx.env,
    extraDirs: [join(ctx.env.HOME ?? "", "go/bin")],
  });
  if (encrypted.length === 0)
    status("encrypt", `${c.green("ok")} (every *.sops.* file homeops manages is encrypted)`);
  else status("encrypt", `${c.green("done")} (${encrypted.length} encrypted in place)`);

  // every stage reads the same repository: files read and parsed once, each Flux Kustomization built once
  const { openRepository } = await import("@homeops/repo");
  const repo = await openRepository(".", {
    ...repositoryOptions(ctx),
    config: { file: options.config, value: loaded.config },
  });
  for (const stage of options.stages ?? configureStages) {
    if (!stage.run) {
      status(stage.title, c.yellow(`not run (${stage.pending ?? "not delivered yet"})`));
      continue;
    }
    const code = await stage.run(ctx, repo);
    if (typeof code === "object") {
      status(stage.title, c.yellow(`not run (${code.notRun})`));
      continue;
    }
    status(stage.title, code === ExitCode.Clean ? c.green("passed") : c.red("failed"));
    if (code > exit) exit = code;
  }
  return exit;
}

export const configureCommand: CommandSpec = {
  name: "configure",
  register(program, run) {
    program
      .command("configure")
      .description(
        "init, validate the config, render the repository, encrypt secrets, then run the validation stages",
      )
      .option("-c, --config <file>", "the cluster config", DEFAULT_CONFIG)
      .option("-y, --yes", "apply the render without asking", false)
      .option(
        "--force",
        "replace conflicting files, saving your version as <file>.homeops-backup first",
        false,
      )
      .action((opts: ConfigureOptions) => run((ctx) => configureRepository(ctx, opts)));
  },
};
