import { relative } from "node:path";
import { formatLocation, fsUserError, isEnvironmentError, isHomeopsError } from "@homeops/core";
import { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";

/** Prints an error the way users should see it: user errors without a stack, bugs with one. */
export function reportError(ctx: CliContext, thrown: unknown): ExitCode {
  const c = ctx.errColor;
  const error = asUserError(ctx, thrown);
  if (isHomeopsError(error) && error.isUserError) {
    const where = error.location ? `${formatLocation(error.location)}: ` : "";
    const message =
      error.location &&
      (error.message.startsWith(error.location.file) ||
        error.message.includes(formatLocation(error.location)))
        ? error.message
        : `${where}${error.message}`;
    ctx.stderr.write(`${c.red("error:")} ${message}\n`);
    if (error.hint) ctx.stderr.write(`${c.dim("hint:")} ${error.hint}\n`);
    return ExitCode.Operational;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`${c.red("internal error:")} ${message}\n`);
  ctx.stderr.write(
    `${c.dim("This is a bug in homeops. Please report it with the output of the same command run with HOMEOPS_DEBUG=1.")}\n`,
  );
  if (ctx.env.HOMEOPS_DEBUG && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
  return ExitCode.Operational;
}

const WRITES = new Set([
  "write",
  "rename",
  "mkdir",
  "unlink",
  "rmdir",
  "copyfile",
  "symlink",
  "chmod",
  "fsync",
  "ftruncate",
]);

/**
 * An operating-system error that escaped a library (disk full, permission denied, …) is the
 * environment's, not a bug: shown as a user error with its path and a hint.
 */
function asUserError(ctx: CliContext, error: unknown): unknown {
  if (isHomeopsError(error) || !isEnvironmentError(error)) return error;
  const path =
    typeof error.path === "string" ? relative(ctx.cwd, error.path) || error.path : "(unknown file)";
  return fsUserError(error, path, WRITES.has(error.syscall ?? "") ? "write" : "read");
}
