import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ParsedFile } from "@homeops/manifests";
import { describe, expect, it } from "vitest";
import { checkInvariants } from "./check.js";
import { RepoFiles, readRepoFiles } from "./repo-files.js";

describe("readRepoFiles", () => {
  it("keeps binary files (with no text): a doc's image link points at a file that exists", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-files-"));
    try {
      await writeFile(join(dir, "diagram.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
      await writeFile(join(dir, "README.md"), "![the cluster](./diagram.png)\n");
      await writeFile(join(dir, "bootstrap-config.yaml"), "x: 1\n");
      const files = await readRepoFiles(dir);
      expect(files.get("diagram.png")).toBe("");
      const report = checkInvariants(
        { files: new Map([...files, ["bootstrap/config.yaml", "version: 1\n"]]) },
        { only: ["docs/stale-reference"] },
      );
      expect(report.findings).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("RepoFiles", () => {
  it("reuses the build's parse instead of parsing again", () => {
    const shared: ParsedFile = { file: "kubernetes/a.yaml", text: "a: 1\n", documents: [] };
    const files = new RepoFiles(new Map([["kubernetes/a.yaml", "a: 1\n"]]), {
      shared: [new Map([["kubernetes/a.yaml", shared]])],
    });
    expect(files.yaml("kubernetes/a.yaml")).toBe(shared);
  });

  it("reuses another graph's parse of a file its own graph did not read, its own graph's first", () => {
    const own: ParsedFile = { file: "a.yaml", text: "a: 1\n", documents: [] };
    const otherA: ParsedFile = { file: "a.yaml", text: "a: 1\n", documents: [] };
    const otherB: ParsedFile = { file: "b.yaml", text: "b: 1\n", documents: [] };
    const files = new RepoFiles(
      new Map([
        ["a.yaml", "a: 1\n"],
        ["b.yaml", "b: 1\n"],
      ]),
      {
        shared: [
          new Map([["a.yaml", own]]),
          new Map([
            ["a.yaml", otherA],
            ["b.yaml", otherB],
          ]),
        ],
      },
    );
    expect(files.yaml("a.yaml")).toBe(own);
    expect(files.yaml("b.yaml")).toBe(otherB);
    expect(files.parsedLocally()).toEqual([]);
  });

  it("parses other YAML files once, on first use, and skips files that do not parse", () => {
    const files = new RepoFiles(
      new Map([
        ["Taskfile.yaml", "version: '3'\n"],
        ["broken.yaml", "a: [1\n"],
        ["README.md", "# x\n"],
      ]),
    );
    const first = files.yaml("Taskfile.yaml");
    expect(first?.documents[0]?.value).toEqual({ version: "3" });
    expect(files.yaml("Taskfile.yaml")).toBe(first);
    expect(files.yaml("broken.yaml")).toBeUndefined();
    expect(files.yaml("README.md")).toBeUndefined();
  });

  it("knows directories from file paths", () => {
    const files = new RepoFiles(new Map([["kubernetes/apps/a/ks.yaml", ""]]));
    expect(files.hasDir("kubernetes/apps")).toBe(true);
    expect(files.hasDir("kubernetes/app")).toBe(false);
    expect(files.under("kubernetes/apps")).toEqual(["kubernetes/apps/a/ks.yaml"]);
  });
});
