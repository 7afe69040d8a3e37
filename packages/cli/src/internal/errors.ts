import { relative } from "node:path";
import {
  type Finding,
  formatLocation,
  fsUserError,
  isEnvironmentError,
  isHomeopsError,
  type Report,
} from "@homeops/core";
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

/**
 * The report a machine-readable `--output` prints when the run failed operationally, so a CI step that
 * parses stdout gets a valid document carrying the error instead of an empty file.
 */
export function errorReport(ctx: CliContext, command: string, thrown: unknown): Report {
  const error = asUserError(ctx, thrown);
  const user = isHomeopsError(error) && error.isUserError;
  const message = error instanceof Error ? error.message : String(error);
  const finding: Finding = {
    ruleId: isHomeopsError(error)
      ? `homeops/${error.code.toLowerCase().replace(/_/g, "-")}`
      : "homeops/internal",
    severity: "error",
    message: user ? message : `internal error: ${message}`,
    ...(isHomeopsError(error) && error.hint ? { hint: error.hint } : {}),
    ...(isHomeopsError(error) && error.location
      ? {
          file: error.location.file,
          ...(error.location.line === undefined ? {} : { line: error.location.line }),
          ...(error.location.column === undefined ? {} : { column: error.location.column }),
        }
      : {}),
  };
  return {
    command,
    findings: [finding],
    summary: "failed (operational error)",
    data: {
      error: {
        code: isHomeopsError(error) ? error.code : "INTERNAL",
        message,
        ...(finding.hint ? { hint: finding.hint } : {}),
        ...(isHomeopsError(error) && error.location ? { location: error.location } : {}),
      },
    },
  };
}
