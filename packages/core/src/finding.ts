import { formatLocation } from "./errors.js";

export type Severity = "error" | "warning" | "info";

/** One problem found by a check. Checks collect findings; they never stop at the first. */
export interface Finding {
  /** Stable id, e.g. `config/cidr-overlap` or `flux/unwired-app`. */
  ruleId: string;
  severity: Severity;
  message: string;
  hint?: string;
  file?: string;
  /** 1-based */
  line?: number;
  /** 1-based */
  column?: number;
  /** Path of the offending value inside the document, e.g. `network.nodeCidr` or `nodes[2].address`. */
  path?: string;
  /**
   * Against a recorded baseline (SARIF's `baselineState`): `unchanged` findings were accepted earlier and
   * never fail a run; `new` ones are not in the baseline. Absent when no baseline was consulted.
   */
  baselineState?: "new" | "unchanged";
}

export type Result<T> = { ok: true; value: T; findings: Finding[] } | { ok: false; findings: Finding[] };

export function ok<T>(value: T, findings: Finding[] = []): Result<T> {
  return { ok: true, value, findings };
}

export function failed<T = never>(findings: Finding[]): Result<T> {
  return { ok: false, findings };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Deterministic order: file, line, column, rule id, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.file ?? "").localeCompare(b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.message.localeCompare(b.message),
  );
}

/** `file:line:col` of a finding, or `undefined` when it has no file. */
export function findingLocation(finding: Finding): string | undefined {
  if (finding.file === undefined) return undefined;
  return formatLocation({
    file: finding.file,
    ...(finding.line === undefined ? {} : { line: finding.line }),
    ...(finding.column === undefined ? {} : { column: finding.column }),
  });
}
