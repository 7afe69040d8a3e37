import { describe, expect, it } from "vitest";
import { createContext } from "../io.js";
import type { Report } from "./index.js";
import { junitReporter } from "./junit.js";
import { tapReporter } from "./tap.js";

function capture(write: (ctx: ReturnType<typeof createContext>) => void): string {
  let out = "";
  const ctx = createContext({
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    env: { NO_COLOR: "1" },
    cwd: "/",
  });
  write(ctx);
  return out;
}

const withCases: Report = {
  command: "kubeconform",
  findings: [],
  cases: [
    { suite: "Kustomization a/b", name: "ConfigMap a/<x>", status: "passed", messages: [] },
    {
      suite: "Kustomization a/b",
      name: "Pod a/p",
      status: "failed",
      messages: ['f.yaml:3:1: spec: unknown field "x" & more'],
    },
    { suite: "kustomize dir", name: "Widget w", status: "error", messages: ["could not find schema"] },
    { suite: "kustomize dir", name: "Secret s", status: "skipped", messages: ["kind Secret is skipped"] },
  ],
};

describe("junit reporter", () => {
  it("writes one testsuite per group with counts, escaping XML", () => {
    const xml = capture((ctx) => junitReporter.write(ctx, withCases));
    expect(xml).toContain(
      '<testsuites name="homeops kubeconform" tests="4" failures="1" errors="1" skipped="1">',
    );
    expect(xml).toContain(
      '<testsuite name="Kustomization a/b" id="0" tests="2" failures="1" errors="0" skipped="0">',
    );
    expect(xml).toContain('<testcase name="ConfigMap a/&lt;x&gt;"></testcase>');
    expect(xml).toContain("unknown field &quot;x&quot; &amp; more");
    expect(xml).toContain('<error message="could not find schema" type="error">');
    expect(xml).toContain('<skipped message="kind Secret is skipped"></skipped>');
  });

  it("falls back to one case per finding for other reports", () => {
    const xml = capture((ctx) =>
      junitReporter.write(ctx, {
        command: "check",
        findings: [{ ruleId: "r/x", severity: "error", message: "bad", file: "a.yaml", line: 2 }],
      }),
    );
    expect(xml).toContain('<testcase name="a.yaml:2" classname="r/x">');
    expect(xml).toContain("<failure");
  });
});

describe("tap reporter", () => {
  it("writes TAP 13 with a plan, skips and diagnostics", () => {
    const tap = capture((ctx) => tapReporter.write(ctx, withCases));
    expect(tap.split("\n")).toEqual([
      "TAP version 13",
      "ok 1 - Kustomization a/b ConfigMap a/<x>",
      "not ok 2 - Kustomization a/b Pod a/p",
      "  ---",
      "  status: failed",
      "  messages:",
      '    - "f.yaml:3:1: spec: unknown field \\"x\\" & more"',
      "  ...",
      "not ok 3 - kustomize dir Widget w",
      "  ---",
      "  status: error",
      "  messages:",
      '    - "could not find schema"',
      "  ...",
      "ok 4 - kustomize dir Secret s # SKIP kind Secret is skipped",
      "1..4",
      "",
    ]);
  });
});
