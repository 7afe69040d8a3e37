import { type Finding, findingLocation, hasErrors, sortFindings } from "@homeops/core";
import { InvalidArgumentError } from "commander";
import { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";

/** What a command reports: its findings plus any data the JSON form should carry. */
export interface Report {
  /** the command, e.g. `validate config` */
  command: string;
  findings: readonly Finding[];
  /** extra machine-readable data (json output only) */
  data?: unknown;
  /** a one-line summary for text output, e.g. `12 files checked` */
  summary?: string;
}

/** A reporter turns a report into text on stdout. One per `--output` format. */
export interface Reporter {
  format: string;
  write(ctx: CliContext, report: Report): void;
}

export const textReporter: Reporter = {
  format: "text",
  write(ctx, report) {
    const c = ctx.color;
    const sorted = sortFindings(report.findings);
    // info findings (e.g. a parent's generic patch that matches nothing in one child) only with --verbose
    const infos = sorted.filter((f) => f.severity === "info").length;
    for (const f of sorted) {
      if (f.severity === "info" && !ctx.verbose) continue;
      // `file:line:col  path  message (rule-id)`; only non-errors name their severity
      const where = findingLocation(f);
      const sev =
        f.severity === "warning"
          ? `${c.yellow("warning:")} `
          : f.severity === "info"
            ? `${c.blue("info:")} `
            : "";
      const fields = [where ? c.bold(where) : undefined, f.path ? c.dim(f.path) : undefined].filter(Boolean);
      const message = f.severity === "error" ? c.red(f.message) : f.message;
      ctx.stdout.write(`${[...fields, `${sev}${message} ${c.dim(`(${f.ruleId})`)}`].join("  ")}\n`);
      if (f.hint) ctx.stdout.write(`    ${c.dim("hint:")} ${f.hint}\n`);
    }
    const errors = sorted.filter((f) => f.severity === "error").length;
    const warnings = sorted.filter((f) => f.severity === "warning").length;
    const counts = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
    const hidden = infos > 0 && !ctx.verbose ? ` (${infos} info hidden; --verbose shows them)` : "";
    const line = `${report.summary ? `${report.summary}; ${counts}` : counts}${hidden}`;
    ctx.stdout.write(`${errors > 0 ? c.red(line) : warnings > 0 ? c.yellow(line) : c.green(line)}\n`);
  },
};

export const jsonReporter: Reporter = {
  format: "json",
  write(ctx, report) {
    const out = {
      command: report.command,
      ok: !hasErrors(report.findings),
      findings: sortFindings(report.findings),
      ...(report.data === undefined ? {} : { data: report.data }),
    };
    ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  },
};

const reporters = new Map<string, Reporter>([
  ["text", textReporter],
  ["json", jsonReporter],
]);

/** Adds a reporter (e.g. sarif, github) to the `--output` choices. */
export function registerReporter(reporter: Reporter): void {
  reporters.set(reporter.format, reporter);
}

export function reporterFor(format: string): Reporter {
  const reporter = reporters.get(format);
  if (!reporter)
    throw new InvalidArgumentError(
      `unknown output format '${format}' (use ${[...reporters.keys()].join(", ")})`,
    );
  return reporter;
}

/** Parser for `--output <format>` options; `allowed` limits the choices for a command. */
export function parseOutputFormat(allowed: readonly string[]) {
  return (value: string): string => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`use one of: ${allowed.join(", ")}`);
    return value;
  };
}

/** Writes the report in the chosen format; exit 1 when it has errors (or warnings with `strict`). */
export function emitReport(
  ctx: CliContext,
  format: string,
  report: Report,
  options: { strict?: boolean } = {},
): ExitCode {
  reporterFor(format).write(ctx, report);
  const failing = options.strict
    ? report.findings.some((f) => f.severity !== "info")
    : hasErrors(report.findings);
  return failing ? ExitCode.Findings : ExitCode.Clean;
}
