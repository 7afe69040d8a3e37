import type { Finding } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { createTestIo } from "../internal/test-io.js";
import { createContext } from "../io.js";
import { textReporter } from "./text.js";

const findings: Finding[] = [
  { ruleId: "config/x", severity: "error", message: "bad", file: "a.yaml", line: 3, column: 5, path: "a.b" },
  {
    ruleId: "config/y",
    severity: "warning",
    message: "meh",
    file: "a.yaml",
    line: 1,
    column: 1,
    hint: "do z",
  },
  { ruleId: "build/patch-no-match", severity: "info", message: "nothing matched", file: "ks.yaml", line: 9 },
];

describe("text reporter", () => {
  it("prints `file:line:col  path  message (rule-id)`, sorted, hints indented, info hidden by default", () => {
    const t = createTestIo();
    textReporter.write(createContext(t.io), { command: "x", findings });
    expect(t.stdout()).toBe(
      [
        "a.yaml:1:1  warning: meh (config/y)",
        "    hint: do z",
        "a.yaml:3:5  a.b  bad (config/x)",
        "1 error, 1 warning (1 info hidden; --verbose shows them)",
        "",
      ].join("\n"),
    );
  });

  it("shows info findings with --verbose", () => {
    const t = createTestIo();
    textReporter.write(createContext(t.io, { verbose: true }), {
      command: "x",
      findings,
      summary: "3 checked",
    });
    expect(t.stdout()).toContain("ks.yaml:9  info: nothing matched (build/patch-no-match)\n");
    expect(t.stdout()).toMatch(/3 checked; 1 error, 1 warning\n$/);
  });
});
