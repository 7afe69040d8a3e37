import type { ParsedFile } from "@homeops/manifests";
import { describe, expect, it } from "vitest";
import { RepoFiles } from "./repo-files.js";

describe("RepoFiles", () => {
  it("reuses the build's parse instead of parsing again", () => {
    const shared: ParsedFile = { file: "kubernetes/a.yaml", text: "a: 1\n", documents: [] };
    const files = new RepoFiles(
      new Map([["kubernetes/a.yaml", "a: 1\n"]]),
      new Map([["kubernetes/a.yaml", shared]]),
    );
    expect(files.yaml("kubernetes/a.yaml")).toBe(shared);
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
