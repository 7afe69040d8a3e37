import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { createTestIo } from "../internal/test-io.js";
import { runCli } from "../main.js";

const FIXTURE = new URL("../../test/fixtures/check-repo/", import.meta.url).pathname;

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "homeops-report-cli-"));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("homeops report / graph", () => {
  it("report writes the page and the badges (exit 0, live status absent without --kubeconfig)", async () => {
    const dir = repo();
    const t = createTestIo();
    expect(await runCli(["-C", dir, "report"], t.io)).toBe(ExitCode.Clean);
    expect(t.stdout()).toMatch(
      /\d+ apps, \d+ graph nodes, \d+ dependsOn edges, \d+ findings, no live status/,
    );
    expect(readFileSync(join(dir, "dashboards/site/index.html"), "utf8")).toContain('id="live-absent"');
    expect(existsSync(join(dir, "dashboards/badges/apps.json"))).toBe(true);
    expect(existsSync(join(dir, "dashboards/badges/flux-ready.json"))).toBe(false);
  }, 120_000);

  it("graph prints mermaid, dot and svg; an unknown format is a usage error (exit 2)", async () => {
    const dir = repo();
    for (const [format, head] of [
      ["mermaid", "flowchart LR"],
      ["dot", "digraph dependsOn {"],
      ["svg", "<svg"],
    ] as const) {
      const t = createTestIo();
      expect(await runCli(["-C", dir, "graph", "--output", format], t.io)).toBe(ExitCode.Clean);
      expect(t.stdout().startsWith(head)).toBe(true);
    }
    const bad = createTestIo();
    expect(await runCli(["-C", dir, "graph", "--output", "png"], bad.io)).toBe(ExitCode.Operational);
    expect(bad.stderr()).toContain("expected one of mermaid, dot, svg");
  }, 60_000);

  it("a missing repository is a user error with exit 2, not a stack trace", async () => {
    const t = createTestIo();
    expect(await runCli(["-C", "/nonexistent-homeops", "graph"], t.io)).toBe(ExitCode.Operational);
    expect(t.stderr()).not.toMatch(/\n\s+at /);
  });
});
