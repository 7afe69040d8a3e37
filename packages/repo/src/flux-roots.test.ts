import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { UserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { findFluxRoots, requireFluxRoots } from "./flux-roots.js";
import { openRepository } from "./repository.js";

async function repoWith(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "homeops-roots-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return openRepository(".", { cwd: dir });
}

const ks = (name: string, path: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ${path}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`;

describe("findFluxRoots / requireFluxRoots (every command's one way to the Flux roots)", () => {
  it("nothing to find: empty, and for the commands that need a root an error naming what was looked for", async () => {
    const repo = await repoWith({ "docs/readme.md": "# notes\n", "stuff/a.yaml": "a: 1\n" });
    const found = await findFluxRoots(repo);
    expect(found.roots).toEqual([]);
    expect(found.lookedFor.join("; ")).toMatch(/FluxInstance.*gotk-sync.*clusters\/<name>/s);
    const error = await requireFluxRoots(repo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: "FILE_NOT_FOUND", message: "no Flux root found in the repository" });
    expect((error as UserError).hint).toMatch(/^looked for a FluxInstance .*--cluster-root <dir>$/s);
  });

  it("the conventional root follows the repository's kubernetesDir when discovery finds nothing", async () => {
    const repo = await repoWith({
      ".homeops/invariants.yaml": "kubernetesDir: k8s\n",
      "k8s/flux/kustomization.yaml": "resources: []\n",
    });
    expect((await findFluxRoots(repo)).roots).toEqual([
      { path: "k8s/flux", source: "kubernetes/flux", reason: "the conventional root" },
    ]);
  });

  it("--cluster-root wins, and must be a directory; `within` keeps the roots inside a directory", async () => {
    const repo = await repoWith({
      "clusters/main/flux-system/gotk-sync.yaml": ks("flux-system", "./clusters/main"),
      "clusters/main/apps.yaml": ks("apps", "./apps"),
      "apps/kustomization.yaml": "resources: []\n",
    });
    expect((await findFluxRoots(repo)).roots.map((r) => r.path)).toEqual(["clusters/main"]);
    expect((await findFluxRoots(repo, { within: "apps" })).roots).toEqual([]);
    expect((await findFluxRoots(repo, { clusterRoot: "apps" })).roots).toEqual([
      { path: "apps", source: "kubernetes/flux", reason: "--cluster-root" },
    ]);
    await expect(requireFluxRoots(repo, { clusterRoot: "nope" })).rejects.toThrow(
      "nope: no such directory (the Flux cluster root)",
    );
  });
});
