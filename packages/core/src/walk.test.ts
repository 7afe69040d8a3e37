import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles, walkTree } from "./walk.js";

describe("walkTree", () => {
  const root = mkdtempSync(join(tmpdir(), "homeops-walk-"));
  for (const d of ["b/c", "a", ".git/objects", "node_modules/x", ".github"])
    mkdirSync(join(root, d), { recursive: true });
  for (const f of [
    "z.yaml",
    "b/c/d.yaml",
    "b/a.yaml",
    "a/x",
    ".git/objects/o",
    "node_modules/x/i.js",
    ".github/w.yaml",
  ])
    writeFileSync(join(root, f), "");
  symlinkSync("z.yaml", join(root, "link.yaml"));

  it("goes depth first, sorted, a directory before its contents, not into .git or node_modules", () => {
    expect(walkTree(root).map((e) => `${e.kind[0]} ${e.path}`)).toEqual([
      "d .git",
      "d .github",
      "f .github/w.yaml",
      "d a",
      "f a/x",
      "d b",
      "f b/a.yaml",
      "d b/c",
      "f b/c/d.yaml",
      "s link.yaml",
      "d node_modules",
      "f z.yaml",
    ]);
  });

  it("takes an enter rule and a starting directory; lists files, links only when asked", () => {
    expect(listFiles(root, ".", { enter: (_, name) => !name.startsWith(".") && name !== "c" })).toEqual([
      "a/x",
      "b/a.yaml",
      "node_modules/x/i.js",
      "z.yaml",
    ]);
    expect(listFiles(root, "b")).toEqual(["b/a.yaml", "b/c/d.yaml"]);
    expect(listFiles(root, ".", { symlinks: true })).toContain("link.yaml");
    expect(listFiles(root)).not.toContain("link.yaml");
  });

  it("skips an unreadable or missing directory unless told to throw", () => {
    expect(walkTree(root, "missing")).toEqual([]);
    expect(() => walkTree(root, "missing", { unreadable: "throw" })).toThrow(/ENOENT/);
    if (process.getuid?.() !== 0) {
      chmodSync(join(root, "a"), 0o000);
      expect(listFiles(root, "a")).toEqual([]);
      chmodSync(join(root, "a"), 0o755);
    }
  });
});
