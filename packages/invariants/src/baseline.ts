import { type Finding, UserError } from "@homeops/core";

/** Where `homeops check --write-baseline` writes by default, relative to the repository root. */
export const BASELINE_FILE = ".homeops/baseline.json";

/** One recorded finding: what identifies it across unrelated edits (never its line or column). */
export interface BaselineEntry {
  ruleId: string;
  file: string;
  /** The object or value the finding is about: its YAML path when it has one, else its message. */
  object: string;
}

/** The findings a repository has accepted for now (`.homeops/baseline.json`). */
export interface Baseline {
  version: 1;
  findings: BaselineEntry[];
}

/** SARIF's baselineState: `new` is not in the baseline, `unchanged` is. */
export type BaselineState = NonNullable<Finding["baselineState"]>;

/** A finding with its state against a baseline (the SARIF reporter writes `baselineState`). */
export type BaselinedFinding = Finding & { baselineState: BaselineState };

/**
 * Identity of a finding that survives unrelated edits: rule, file and object. Line and column are left
 * out (an edit above moves them); so are `file:line` references and numbers inside the message.
 */
export function baselineEntry(finding: Finding): BaselineEntry {
  const message = finding.message.replace(/:\d+(:\d+)?\b/g, "").replace(/\b\d+\b/g, "#");
  return {
    ruleId: finding.ruleId,
    file: finding.file ?? "",
    object: finding.path ? `${finding.path} ${message}` : message,
  };
}

const keyOf = (e: BaselineEntry) => `${e.ruleId}\0${e.file}\0${e.object}`;

/** The baseline of the current findings (info findings are not recorded: they never fail a run). */
export function createBaseline(findings: readonly Finding[]): Baseline {
  const entries = findings.filter((f) => f.severity !== "info").map(baselineEntry);
  entries.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  return { version: 1, findings: entries };
}

/** The baseline as the file's text: stable order, 2-space JSON, trailing newline. */
export function formatBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** Parses a baseline file; a malformed one is a `UserError` naming the file. */
export function parseBaseline(text: string, file: string = BASELINE_FILE): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError("CONFIG_INVALID", `${file}: not valid JSON (${(error as Error).message})`, {
      hint: "re-create it with `homeops check --write-baseline`",
      location: { file },
    });
  }
  const v = value as Partial<Baseline> | null;
  const valid =
    v !== null &&
    typeof v === "object" &&
    v.version === 1 &&
    Array.isArray(v.findings) &&
    v.findings.every(
      (e) =>
        typeof e === "object" &&
        e !== null &&
        typeof e.ruleId === "string" &&
        typeof e.file === "string" &&
        typeof e.object === "string",
    );
  if (!valid) {
    throw new UserError("CONFIG_INVALID", `${file}: not a homeops baseline (version 1, findings[])`, {
      hint: "re-create it with `homeops check --write-baseline`",
      location: { file },
    });
  }
  return v as Baseline;
}

/**
 * Marks each finding `new` or `unchanged` against the baseline. Matching counts: a baseline that holds
 * one finding of a kind absorbs one current finding of that kind, a second one is new.
 */
export function compareWithBaseline(
  findings: readonly Finding[],
  baseline: Baseline,
): { findings: BaselinedFinding[]; newCount: number; fixedCount: number } {
  const remaining = new Map<string, number>();
  for (const e of baseline.findings) remaining.set(keyOf(e), (remaining.get(keyOf(e)) ?? 0) + 1);
  let newCount = 0;
  const out = findings.map((f): BaselinedFinding => {
    const key = keyOf(baselineEntry(f));
    const left = remaining.get(key) ?? 0;
    if (left > 0 && f.severity !== "info") {
      remaining.set(key, left - 1);
      return { ...f, baselineState: "unchanged" };
    }
    if (f.severity !== "info") newCount++;
    return { ...f, baselineState: "new" };
  });
  const fixedCount = [...remaining.values()].reduce((a, b) => a + b, 0);
  return { findings: out, newCount, fixedCount };
}
