import type { Report } from "@homeops/core";
import { ExitCode, exitCodeFor } from "../exit-codes.js";
import type { CliContext } from "../io.js";
import { createReporter, type OutputFormat, type ReporterOptions } from "../reporters/index.js";

/** Prints the report with the reporter of `format` and returns its exit code (the tail of every command). */
export async function printReport(
  ctx: CliContext,
  format: OutputFormat,
  report: Report,
  options: ReporterOptions & { strict?: boolean; differs?: boolean } = {},
): Promise<ExitCode> {
  (await createReporter(format, options)).write(ctx, report);
  return exitCodeFor(report, {
    ...(options.strict ? { strict: true } : {}),
    ...(options.differs ? { differs: true } : {}),
  });
}

export { ExitCode };
