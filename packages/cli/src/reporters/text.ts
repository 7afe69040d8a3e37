import { findingLocation, type ReportCase, sortFindings } from "@homeops/core";
import type { Reporter } from "./index.js";

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

/** `--summary`: one `suite: n valid, n invalid, n errors, n skipped` line per suite of the cases, then `base`. */
export function withBreakdown(base: Reporter): Reporter {
  return {
    format: "text",
    write(ctx, report) {
      const bySuite = new Map<string, Record<ReportCase["status"], number>>();
      for (const c of report.cases ?? []) {
        const counts = bySuite.get(c.suite) ?? { passed: 0, failed: 0, error: 0, skipped: 0 };
        counts[c.status]++;
        bySuite.set(c.suite, counts);
      }
      for (const [suite, c] of [...bySuite].sort(([a], [b]) => a.localeCompare(b))) {
        ctx.stdout.write(
          `${suite}: ${c.passed} valid, ${c.failed} invalid, ${c.error} errors, ${c.skipped} skipped\n`,
        );
      }
      base.write(ctx, report);
    },
  };
}
