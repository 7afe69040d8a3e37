import type { Command } from "commander";
import type { ExitCode } from "./exit-codes.js";
import type { CliContext } from "./io.js";

export type Action = (ctx: CliContext) => Promise<ExitCode>;
/** Runs a command body with a context built from the global options; errors become exit codes. */
export type Runner = (action: Action) => Promise<void>;

/** One `src/commands/<verb>.ts` each: parses its flags and calls libraries with plain options. */
export interface CommandSpec {
  name: string;
  register(program: Command, run: Runner): void;
}
