import { createRequire } from "node:module";
import { resolve } from "node:path";
import { UserError } from "@homeops/core";
import { Command, CommanderError, Option } from "commander";
import type { Runner } from "./command.js";
import { commands } from "./commands/index.js";
import { ExitCode } from "./exit-codes.js";
import { errorReport, reportError } from "./internal/errors.js";
import { hoistGlobalOptions } from "./internal/global-options.js";
import { type CliIo, createContext } from "./io.js";
import { createReporter, type OutputFormat } from "./reporters/index.js";

const pkg = createRequire(import.meta.url)("../package.json") as { version: string };

/** Verbs whose work arrives with a later issue: an honest exit 2, never a fake success. */
const PLANNED: Record<string, string> = {};

/** Runs `homeops` with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Clean;
  const program = new Command("homeops");
  const globalContext = () => {
    const opts = program.opts<{ verbose?: boolean; quiet?: boolean; color?: boolean; chdir?: string }>();
    const env = opts.color === false ? { ...io.env, NO_COLOR: "1" } : io.env;
    const cwd = opts.chdir ? resolve(io.cwd, opts.chdir) : io.cwd;
    return createContext(
      { ...io, env, cwd },
      { ...(opts.verbose ? { verbose: true } : {}), ...(opts.quiet ? { quiet: true } : {}) },
    );
  };
  // the verb being run, for the error document of a machine-readable --output
  let current: Command | undefined;
  const run: Runner = async (action) => {
    const ctx = globalContext();
    try {
      exitCode = await action(ctx);
    } catch (error) {
      exitCode = reportError(ctx, error);
      const output = current?.opts<{ output?: unknown }>().output;
      if (typeof output === "string" && output !== "text") {
        try {
          const reporter = await createReporter(output as OutputFormat);
          const name = current
            ? [current.parent?.name(), current.name()].filter((n) => n && n !== "homeops")
            : [];
          reporter.write(ctx, errorReport(ctx, name.join(" "), error));
        } catch {
          // not a reporter format (e.g. render's own json): stderr already says what failed
        }
      }
    }
  };

  program
    .description("Typed glue for a Talos + Flux + ExternalSecrets home-ops repository.")
    .version(pkg.version, "-V, --version", "print the homeops version")
    .option("-C, --chdir <dir>", "run as if started in <dir> (the repository root)")
    .option("-v, --verbose", "print debug detail on stderr")
    .option("-q, --quiet", "print only results and errors")
    .addOption(new Option("--no-color", "disable colors (NO_COLOR is honoured too)"))
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
    });
  program.addHelpText(
    "after",
    "\nExit codes: 0 clean, 1 findings or diff, 2 operational error.\nMost users run these through Task: `task --list`.",
  );

  for (const command of commands) command.register(program, run);
  program.hook("preAction", (_, actionCommand) => {
    current = actionCommand;
  });

  for (const [verb, reason] of Object.entries(PLANNED)) {
    if (commands.some((c) => c.name === verb)) continue;
    program
      .command(verb, { hidden: true })
      .allowUnknownOption()
      .allowExcessArguments()
      .argument("[args...]")
      .action(() =>
        run(async () => {
          throw new UserError("NOT_IMPLEMENTED", `homeops ${verb}: not implemented yet (${reason})`, {
            hint: "nothing was run; this stage is reported as not run, not as passed",
          });
        }),
      );
  }

  try {
    await program.parseAsync(hoistGlobalOptions(argv), { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; every usage mistake is an operational error
      return error.exitCode === 0 ? ExitCode.Clean : ExitCode.Operational;
    }
    return reportError(globalContext(), error);
  }
  return exitCode;
}
