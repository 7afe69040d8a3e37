import type { Report } from "@homeops/core";

/** Exit codes are API. */
export const ExitCode = {
  /** nothing to report */
  Clean: 0,
  /** findings of severity error, or a diff */
  Findings: 1,
  /** the run could not do its job: bad usage, missing file or tool, a bug */
  Operational: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The one mapping of a report to the exit code: 1 when it has findings of severity error (with
 * `strict`, of severity warning too) or, with `differs`, when the compared trees differ; else 0.
 * Findings a baseline recorded (`baselineState: "unchanged"`) never fail the run. Operational failures
 * never get here: they are thrown.
 */
export function exitCodeFor(
  report: Pick<Report, "findings">,
  options: { strict?: boolean; differs?: boolean } = {},
): ExitCode {
  if (options.differs) return ExitCode.Findings;
  const counted = report.findings.filter((f) => f.baselineState !== "unchanged");
  const failing = options.strict
    ? counted.some((f) => f.severity !== "info")
    : counted.some((f) => f.severity === "error");
  return failing ? ExitCode.Findings : ExitCode.Clean;
}
