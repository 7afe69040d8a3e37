import { describe, expect, it } from "vitest";
import { ExitCode } from "./exit-codes.js";
import { reportError } from "./internal/errors.js";
import { hoistGlobalOptions } from "./internal/global-options.js";
import { createTestIo } from "./internal/test-io.js";
import { createContext } from "./io.js";
import { runCli } from "./main.js";

describe("global options before or after the verb", () => {
  it("moves --verbose, --quiet, --no-color and -C to the front, nothing after --", () => {
    expect(hoistGlobalOptions(["kubeconform", "kubernetes", "--verbose", "-C", "/r", "--no-color"])).toEqual([
      "--verbose",
      "-C",
      "/r",
      "--no-color",
      "kubeconform",
      "kubernetes",
    ]);
    expect(hoistGlobalOptions(["check", "-q", "--chdir=/r", "--", "-v"])).toEqual([
      "-q",
      "--chdir=/r",
      "check",
      "--",
      "-v",
    ]);
  });

  it("a verb accepts them after itself", async () => {
    for (const argv of [
      ["taskfile", "--verbose"],
      ["taskfile", "-q", "--no-color"],
      ["taskfile", "-C", "/tmp"],
    ]) {
      const t = createTestIo();
      expect(await runCli(argv, t.io), `${argv.join(" ")}: ${t.stderr()}`).toBe(ExitCode.Clean);
    }
  });
});

describe("errors say whose they are", () => {
  it("an operating-system error that escaped a library is a user error with its path, never 'internal error'", () => {
    const t = createTestIo({ cwd: "/repo" });
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
      syscall: "write",
      path: "/repo/kubernetes/apps/a.yaml",
    });
    expect(reportError(createContext(t.io), enospc)).toBe(ExitCode.Operational);
    expect(t.stderr()).toBe(
      "error: kubernetes/apps/a.yaml: cannot write: no space left on device (ENOSPC)\nhint: free some space on that file system, then run again (nothing was half-written)\n",
    );
    const u = createTestIo({ cwd: "/repo" });
    const eacces = Object.assign(new Error("EACCES"), {
      code: "EACCES",
      syscall: "scandir",
      path: "/repo/kubernetes",
    });
    reportError(createContext(u.io), eacces);
    expect(u.stderr()).toMatch(/^error: kubernetes: cannot read: permission denied \(EACCES\)/);
    const bug = createTestIo();
    reportError(createContext(bug.io), new TypeError("x is undefined"));
    expect(bug.stderr()).toMatch(/^internal error: x is undefined/);
  });
});

describe("machine-readable output on an operational failure", () => {
  for (const format of ["json", "sarif"] as const) {
    it(`--output ${format} still prints a valid document carrying the error (exit 2)`, async () => {
      const t = createTestIo({ cwd: "/" });
      const code = await runCli(["kubeconform", "no-such-dir", "--output", format], t.io);
      expect(code).toBe(ExitCode.Operational);
      expect(t.stderr()).toMatch(/^error: /);
      const doc = JSON.parse(t.stdout()) as Record<string, unknown>;
      const text = JSON.stringify(doc);
      expect(text).toMatch(/no-such-dir/);
      if (format === "json") {
        expect(doc).toMatchObject({ ok: false, data: { error: { code: expect.any(String) } } });
      } else {
        expect(doc).toMatchObject({ version: "2.1.0", runs: [{ results: [{ level: "error" }] }] });
      }
    });
  }
});
