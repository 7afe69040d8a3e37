import { formatLocation, isHomeopsError } from "@homeops/core";
import { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";

/** Prints an error the way users should see it: user errors without a stack, bugs with one. */
export function reportError(ctx: CliContext, error: unknown): ExitCode {
  const c = ctx.errColor;
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
