import type { Repository } from "@homeops/repo";
import { InvalidArgumentError } from "commander";
import type { CommandSpec } from "../command.js";
import type { ExitCode } from "../exit-codes.js";
import {
  addKubeconformOptions,
  type KubeconformCommandOptions,
  libraryOptions,
} from "../internal/kubeconform-options.js";
import { printReport } from "../internal/print-report.js";
import { repositoryOptions } from "../internal/repository-options.js";
import type { CliContext } from "../io.js";

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
  const repo = opened ?? (await openRepository(".", repositoryOptions(ctx)));
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

export function parseDir(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("empty directory");
  return value;
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
