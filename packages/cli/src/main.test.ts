import { UserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { ExitCode } from "./exit-codes.js";
import { reportError } from "./internal/errors.js";
import { createTestIo } from "./internal/test-io.js";
import { colorEnabled, createContext } from "./io.js";
import { runCli } from "./main.js";

describe("runCli", () => {
  it("prints usage on stderr for no arguments (a usage error, exit 2) and help with --help", async () => {
    const t = createTestIo();
    expect(await runCli([], t.io)).toBe(ExitCode.Operational);
    expect(t.stderr()).toContain("Usage: homeops");
    const h = createTestIo();
    expect(await runCli(["--help"], h.io)).toBe(ExitCode.Clean);
    expect(h.stdout()).toContain("Usage: homeops");
  });

  it("prints the version", async () => {
    const t = createTestIo();
    expect(await runCli(["--version"], t.io)).toBe(ExitCode.Clean);
    expect(t.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("exits 2 for an unknown command or option, with a suggestion", async () => {
    const t = createTestIo();
    expect(await runCli(["taskfil"], t.io)).toBe(ExitCode.Operational);
    expect(t.stderr()).toContain("Did you mean taskfile?");
    const u = createTestIo();
    expect(await runCli(["taskfile", "--frob"], u.io)).toBe(ExitCode.Operational);
    expect(u.stderr()).toContain("unknown option '--frob'");
  });

  it("report and graph are commands now, not planned verbs", async () => {
    const t = createTestIo();
    expect(await runCli(["graph", "--output", "png"], t.io)).toBe(ExitCode.Operational);
    expect(t.stderr()).toContain("expected one of mermaid, dot, svg");
    expect(t.stderr()).not.toContain("not implemented yet");
  });

  it("prints the reusable Taskfile path", async () => {
    const t = createTestIo();
    expect(await runCli(["taskfile"], t.io)).toBe(ExitCode.Clean);
    expect(t.stdout()).toMatch(/packages\/cli\/taskfiles\/homeops\.yaml\n$/);
  });
});

describe("colors", () => {
  it("are on only for a TTY without NO_COLOR", () => {
    expect(colorEnabled({ write: () => 0, isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ write: () => 0, isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ write: () => 0, isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ write: () => 0, isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled({ write: () => 0, isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});

describe("reportError", () => {
  it("prints a user error with location and hint, without a stack", () => {
    const t = createTestIo();
    const ctx = createContext(t.io);
    const code = reportError(
      ctx,
      new UserError("FILE_NOT_FOUND", "no such file", {
        location: { file: "bootstrap/config.yaml" },
        hint: "run task init",
      }),
    );
    expect(code).toBe(ExitCode.Operational);
    expect(t.stderr()).toBe("error: bootstrap/config.yaml: no such file\nhint: run task init\n");
  });

  it("marks anything else as a bug and shows the stack only with HOMEOPS_DEBUG", () => {
    const t = createTestIo();
    reportError(createContext(t.io), new TypeError("boom"));
    expect(t.stderr()).toContain("internal error: boom");
    expect(t.stderr()).not.toContain("    at ");
    const d = createTestIo({ env: { HOMEOPS_DEBUG: "1" } });
    reportError(createContext(d.io), new TypeError("boom"));
    expect(d.stderr()).toContain("    at ");
  });
});
