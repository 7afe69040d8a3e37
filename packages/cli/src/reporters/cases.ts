import { findingLocation, type Report, type ReportCase } from "@homeops/core";

/** The report's cases; a report without them gets one case per error/warning finding, or one passing case. */
export function casesOf(report: Report): readonly ReportCase[] {
  if (report.cases) return report.cases;
  const failing = report.findings.filter((f) => f.severity !== "info");
  if (failing.length === 0)
    return [{ suite: report.command, name: report.command, status: "passed", messages: [] }];
  return failing.map((f) => ({
    suite: report.command,
    name: findingLocation(f) ?? f.ruleId,
    classname: f.ruleId,
    status: f.severity === "error" ? "failed" : "skipped",
    messages: [f.message],
  }));
}
