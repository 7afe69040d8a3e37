import { fileURLToPath } from "node:url";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";

/** Absolute path of the reusable Taskfile include shipped in this package. */
export function taskfilePath(): string {
  return fileURLToPath(new URL("../taskfiles/homeops.yaml", import.meta.url)).replace(
    /\/src\/taskfiles\/|\/dist\/taskfiles\//,
    "/taskfiles/",
  );
}

export const taskfileCommand: CommandSpec = {
  name: "taskfile",
  register(program, run) {
    program
      .command("taskfile")
      .description("print the path of the reusable Taskfile include (for `includes:` in another repo)")
      .action(() =>
        run(async (ctx) => {
          ctx.stdout.write(`${taskfilePath()}\n`);
          return ExitCode.Clean;
        }),
      );
  },
};
