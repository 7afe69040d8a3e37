import { join } from "node:path";
import type { Repository, TalosStageOptions } from "@homeops/repo";
import { Option } from "commander";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";
import { repositoryOptions } from "./repository-options.js";

/** The flags every `homeops talos` subcommand shares. */
export interface TalosFlags {
  secrets?: string;
  output?: OutputFormat;
}

export const outputOption = () =>
  new Option("-o, --output <format>", "text or json")
    .default("text")
    .argParser(parseOutputFormat(["text", "json"]));

export const secretsOption = () =>
  new Option(
    "--secrets <file>",
    "the secrets bundle (default talosconfig/secrets.sops.yaml; a plaintext one must be outside Git)",
  );

/** The repository, plus how to reach the bundle: sops from PATH/.tools/bin, the age key from the env or ./age.key. */
export async function openTalosRepository(
  ctx: CliContext,
  flags: TalosFlags,
  opened?: Repository,
): Promise<{ repo: Repository; stage: TalosStageOptions }> {
  const { openRepository } = await import("@homeops/repo");
  const repo = opened ?? (await openRepository(".", repositoryOptions(ctx)));
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
