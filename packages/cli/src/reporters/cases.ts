import { findingLocation } from "@homeops/core";
import type { Report } from "./index.js";

/** One checked item for per-case formats (junit, tap). */
export interface ReportCase {
  /** group, e.g. the Flux Kustomization or file (junit testsuite) */
  suite: string;
  /** e.g. `Deployment default/web` */
  name: string;
  /** e.g. `apps/v1 Deployment` (junit classname) */
  classname?: string;
  status: "passed" | "failed" | "error" | "skipped";
  /** failure/error/skip detail lines */
  messages: string[];
}

/** Reports that check objects put `{ cases: ReportCase[] }` in `data`; this finds them. */
export function casesOf(report: Report): ReportCase[] {
  const data = report.data as { cases?: unknown } | undefined;
  if (data && Array.isArray(data.cases)) return data.cases as ReportCase[];
  // Any other report: one case per finding of severity error/warning, or one passing case.
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
