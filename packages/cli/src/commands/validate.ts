import { type Command, Option } from "commander";
import type { CommandSpec, Runner } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import { addKubeconformOptions, type KubeconformCommandOptions } from "../internal/kubeconform-options.js";
import { printReport } from "../internal/print-report.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";
import { kubeconform, parseDir } from "./kubeconform.js";

/** The config `homeops validate config` reads when no file is given (relative to the repository root). */
export const DEFAULT_CONFIG_FILE = "bootstrap/config.yaml";

export interface ValidateConfigOptions {
  /** the config file, relative to the working directory; default `bootstrap/config.yaml` */
  file?: string;
  /** `text` (default) or `json` */
  output?: OutputFormat;
}

/**
 * Validates the cluster config and reports every finding at once. Exit 0 when valid (warnings allowed),
 * 1 on errors; a missing, unreadable, non-YAML or empty file throws a `UserError` (exit 2).
 * `--output json` carries the fully defaulted config as `data.config` when valid.
 */
export async function validateConfig(
  ctx: CliContext,
  options: ValidateConfigOptions = {},
): Promise<ExitCode> {
  const repo = await import("@homeops/repo");
  const report = await repo.validateConfig({ cwd: ctx.cwd, file: options.file ?? DEFAULT_CONFIG_FILE });
  return printReport(ctx, options.output ?? "text", report);
}

function registerConfig(validate: Command, run: Runner): void {
  validate
    .command("config")
    .description(
      "check bootstrap/config.yaml: every field and cross-field rule, all findings at once (file:line:col  path  message (rule))",
    )
    .argument("[file]", "the config file", DEFAULT_CONFIG_FILE)
    .addOption(
      new Option("-o, --output <format>", "text or json (json adds the fully defaulted config)")
        .default("text")
        .argParser(parseOutputFormat(["text", "json"])),
    )
    .action((file: string, opts: { output: OutputFormat }) =>
      run((ctx) => validateConfig(ctx, { file, output: opts.output })),
    );
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

/** `homeops validate <what>`: one subcommand per input; a sibling is one more `register…(validate, run)`. */
export const validateCommand: CommandSpec = {
  name: "validate",
  register(program, run) {
    const validate = program
      .command("validate")
      .description("validate repository inputs (exit 0 valid, 1 findings, 2 cannot run)");
    registerConfig(validate, run);
    registerManifestsValidation(validate, run);
  },
};
