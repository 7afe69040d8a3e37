export type { Action, CommandSpec, Runner } from "./command.js";
export { taskfilePath } from "./commands/taskfile.js";
export { ExitCode } from "./exit-codes.js";
export { type CliContext, type CliIo, type CliStream, colorEnabled } from "./io.js";
export { runCli } from "./main.js";
