import type { Finding } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { ExitCode, exitCodeFor } from "./exit-codes.js";

const at = (severity: Finding["severity"]): Finding => ({ ruleId: "x/y", severity, message: "m" });

describe("exitCodeFor", () => {
  it("is 0 without findings and with info findings only", () => {
    expect(exitCodeFor({ findings: [] })).toBe(ExitCode.Clean);
    expect(exitCodeFor({ findings: [at("info")] }, { strict: true })).toBe(ExitCode.Clean);
  });
  it("is 1 with an error; warnings only with strict", () => {
    expect(exitCodeFor({ findings: [at("info"), at("error")] })).toBe(ExitCode.Findings);
    expect(exitCodeFor({ findings: [at("warning")] })).toBe(ExitCode.Clean);
    expect(exitCodeFor({ findings: [at("warning")] }, { strict: true })).toBe(ExitCode.Findings);
  });
  it("ignores findings a baseline recorded; new ones count", () => {
    const recorded = { ...at("error"), baselineState: "unchanged" as const };
    expect(exitCodeFor({ findings: [recorded] }, { strict: true })).toBe(ExitCode.Clean);
    expect(exitCodeFor({ findings: [recorded, { ...at("error"), baselineState: "new" }] })).toBe(
      ExitCode.Findings,
    );
  });
  it("is 1 with differs, whatever the findings", () => {
    expect(exitCodeFor({ findings: [] }, { differs: true })).toBe(ExitCode.Findings);
  });
  it("keeps the documented values (exit codes are API)", () => {
    expect(ExitCode).toEqual({ Clean: 0, Findings: 1, Operational: 2 });
  });
});
