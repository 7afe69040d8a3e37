import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { parseDuration } from "../internal/connection-options.js";
import { createTestIo } from "../internal/test-io.js";
import { runCli } from "../main.js";

// Everything that talks to a cluster is tested against a real kube-apiserver in packages/flux-bridge;
// here: the flags and usage errors, which never reach a cluster.
async function run(args: string[], env: Record<string, string> = {}) {
  const t = createTestIo({
    cwd: mkdtempSync(join(tmpdir(), "homeops-flux-")),
    env: { NO_COLOR: "1", ...env },
  });
  const code = await runCli(args, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}
describe("homeops flux (flags)", () => {
  it("parses Go-style durations", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(() => parseDuration("soon")).toThrow("not a duration: soon");
  });

  it("usage errors exit 2 without touching a cluster", async () => {
    expect((await run(["flux", "reconcile", "deployment", "x"])).code).toBe(ExitCode.Operational);
    expect((await run(["flux", "status", "pods"])).stderr).toContain("expected ks, hr, sources, es or all");
    const diff = await run(["flux", "diff", "ks"]);
    expect(diff.code).toBe(ExitCode.Operational);
    expect(diff.stderr).toContain("flux diff ks: name a Kustomization or pass --all");
  });

  it("no kubeconfig anywhere: exit 2 naming the places it looked", async () => {
    const home = mkdtempSync(join(tmpdir(), "homeops-home-"));
    const result = await run(["flux", "status"], { HOME: home });
    expect(result.code).toBe(ExitCode.Operational);
    expect(result.stderr).toContain("error: no kubeconfig found");
    expect(result.stderr).toContain(join(home, ".kube", "config"));
  });
});
