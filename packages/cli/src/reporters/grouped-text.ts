import { type Finding, findingLocation, type Report, sortFindings } from "@homeops/core";
import type { Reporter } from "./index.js";

/**
 * Text grouped by file: one block per file, each line `file:line:col  severity  rule-id  message` (clickable
 * in editors and terminals), the hint below it, then a summary line.
 */
export const groupedTextReporter: Reporter = {
  format: "text",
  write(ctx, report: Report) {
    const c = ctx.color;
    const groups = new Map<string, Finding[]>();
    for (const f of sortFindings(report.findings)) {
      const key = f.file ?? "";
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const [file, findings] of groups) {
      ctx.stdout.write(`${c.underline(file === "" ? "(repository)" : file)}\n`);
      for (const f of findings) {
        const where = findingLocation(f) ?? "-";
        const sev =
          f.severity === "error"
            ? c.red("error")
            : f.severity === "warning"
              ? c.yellow("warning")
              : c.blue("info");
        ctx.stdout.write(`  ${c.bold(where)}  ${sev}  ${c.dim(f.ruleId)}  ${f.message}\n`);
        if (f.hint) ctx.stdout.write(`    ${c.dim("hint:")} ${f.hint}\n`);
      }
      ctx.stdout.write("\n");
    }
    const errors = report.findings.filter((f) => f.severity === "error").length;
    const warnings = report.findings.filter((f) => f.severity === "warning").length;
    const files = [...groups.keys()].filter((k) => k !== "").length;
    let line = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
    if (files > 0) line += ` in ${files} file${files === 1 ? "" : "s"}`;
    if (report.summary) line = `${line} (${report.summary})`;
    ctx.stdout.write(`${errors > 0 ? c.red(line) : warnings > 0 ? c.yellow(line) : c.green(line)}\n`);
  },
};
