import type { Finding } from "./finding.js";

/** Status of one checked item, as per-case formats (junit, tap) print it. */
export type CaseStatus = "passed" | "failed" | "error" | "skipped";

/** One checked item (an object, a file) of a report. */
export interface ReportCase {
  /** group, e.g. the Flux Kustomization or directory that produced the object (junit testsuite) */
  suite: string;
  /** e.g. `Deployment default/web` */
  name: string;
  /** e.g. `apps/v1 Deployment` (junit classname) */
  classname?: string;
  status: CaseStatus;
  /** failure/error/skip detail lines */
  messages: string[];
}

/** Documentation of a rule a report's findings may name (SARIF `tool.driver.rules`). */
export interface ReportRule {
  id: string;
  title: string;
  severity: "error" | "warning" | "info";
  /** why the rule exists */
  rationale: string;
  /** how to fix a violation */
  hint: string;
  /** longer documentation */
  docs: string;
}

/**
 * What a stage (validate, check, validate config, …) returns and every reporter prints: findings, the
 * per-item cases when the stage checks items one by one, the rules its findings may name, a one-line
 * summary and the machine-readable data of the json output.
 */
export interface Report<Data = unknown> {
  /** the command, e.g. `validate config` */
  command: string;
  findings: readonly Finding[];
  /** one case per checked item (kubeconform: per object); absent: reporters derive cases from findings */
  cases?: readonly ReportCase[];
  /** documentation of the rules the findings may name; unknown ids are described by their id */
  rules?: readonly ReportRule[];
  /** a one-line summary for text output, e.g. `12 files checked` */
  summary?: string;
  /** machine-readable data (json output) */
  data?: Data;
}
