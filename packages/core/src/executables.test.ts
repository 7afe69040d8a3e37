import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { findExecutable } from "./executables.js";

describe("findExecutable", () => {
  const root = mkdtempSync(join(tmpdir(), "homeops-exe-"));
  const [a, b, c] = ["a", "b", "c"].map((d) => join(root, d)) as [string, string, string];
  for (const d of [a, b, c]) mkdirSync(d);
  writeFileSync(join(a, "tool"), "not executable");
  for (const d of [b, c]) {
    writeFileSync(join(d, "tool"), "#!/bin/sh\n");
    chmodSync(join(d, "tool"), 0o755);
  }

  it("takes the first directory holding an executable of that name, PATH lists included", () => {
    expect(findExecutable("tool", [a, `${b}${delimiter}${c}`])).toBe(join(b, "tool"));
    expect(findExecutable("tool", [undefined, "", c, b])).toBe(join(c, "tool"));
  });

  it("is undefined when no directory has it, or when there are no directories", () => {
    expect(findExecutable("tool", [a])).toBeUndefined();
    expect(findExecutable("missing", [b, c])).toBeUndefined();
    expect(findExecutable("tool", [])).toBeUndefined();
    expect(findExecutable("tool", [undefined])).toBeUndefined();
  });
});
