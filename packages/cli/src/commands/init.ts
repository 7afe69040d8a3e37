import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { DEFAULT_CONFIG, SAMPLE_CONFIG } from "../internal/render-run.js";
import type { CliContext } from "../io.js";

/** Creates bootstrap/config.yaml from the sample; never overwrites. Returns true when it created it. */
export async function initConfig(
  ctx: CliContext,
  options: { config?: string; sample?: string } = {},
): Promise<boolean> {
  const { copyFile, constants } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  const { UserError } = await import("@homeops/core");
  const config = options.config ?? DEFAULT_CONFIG;
  const sample = options.sample ?? SAMPLE_CONFIG;
  try {
    // COPYFILE_EXCL: the copy fails instead of replacing a config that exists (even one created meanwhile)
    await copyFile(resolve(ctx.cwd, sample), resolve(ctx.cwd, config), constants.COPYFILE_EXCL);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code === "ENOENT") {
      throw new UserError("FILE_NOT_FOUND", `${sample} not found: cannot create ${config}`, {
        hint: "run homeops from the repository root (or pass -C <repo>)",
        cause: error,
      });
    }
    throw error;
  }
  return true;
}

export const initCommand: CommandSpec = {
  name: "init",
  register(program, run) {
    program
      .command("init")
      .description(`create ${DEFAULT_CONFIG} from ${SAMPLE_CONFIG} (never overwrites an existing one)`)
      .option("-c, --config <file>", "the config to create", DEFAULT_CONFIG)
      .action((opts: { config: string }) =>
        run(async (ctx) => {
          const created = await initConfig(ctx, { config: opts.config });
          ctx.stdout.write(
            created
              ? `created ${opts.config} from ${SAMPLE_CONFIG}: edit it, then run \`task configure\`\n`
              : `${opts.config} exists; left as it is\n`,
          );
          return ExitCode.Clean;
        }),
      );
  },
};
