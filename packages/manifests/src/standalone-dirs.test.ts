import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildRepoGraph } from "./build-repo.js";
import { findStandaloneKustomizationDirs, kustomizationFileName } from "./standalone-dirs.js";

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "homeops-standalone-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const ks = (resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join("")}`;
const cm = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`;

describe("findStandaloneKustomizationDirs", () => {
  const root = repo({
    "kubernetes/flux/cluster/kustomization.yaml": ks(["./cm.yaml"]),
    "kubernetes/flux/cluster/cm.yaml": cm("a"),
    "kubernetes/extras/crds/Kustomization": ks(["./cm.yaml"]),
    "kubernetes/extras/crds/cm.yaml": cm("b"),
    "kubernetes/components/common/kustomization.yaml":
      "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: []\n",
    "kubernetes/.hidden/kustomization.yml": ks([]),
    "kubernetes/node_modules/x/kustomization.yaml": ks([]),
  });

  it("lists every non-Component kustomization dir, skipping dot dirs and node_modules", () => {
    expect(findStandaloneKustomizationDirs(root, "kubernetes")).toEqual([
      "kubernetes/extras/crds",
      "kubernetes/flux/cluster",
    ]);
  });

  it("leaves out what a Flux build of the graph reaches", async () => {
    const graph = await buildRepoGraph(root, { clusterRoot: "kubernetes/flux" });
    expect(findStandaloneKustomizationDirs(root, "kubernetes", { graph })).toEqual([
      "kubernetes/extras/crds",
    ]);
  });

  it("takes the directories from the build's walk as a walk of its own finds them (dot dirs and node_modules too)", async () => {
    const graph = await buildRepoGraph(root, { clusterRoot: "kubernetes/flux" });
    expect(graph.tree?.some((e) => e.path === "kubernetes/.hidden/kustomization.yml")).toBe(true);
    const { tree: _walked, ...walkedAgain } = graph;
    for (const dir of [
      "kubernetes",
      ".",
      "kubernetes/extras",
      "kubernetes/.hidden",
      "kubernetes/node_modules",
    ])
      expect(findStandaloneKustomizationDirs(root, dir, { graph }), dir).toEqual(
        findStandaloneKustomizationDirs(root, dir, { graph: walkedAgain }),
      );
    expect(findStandaloneKustomizationDirs(root, "kubernetes/.hidden", { graph })).toEqual([
      "kubernetes/.hidden",
    ]);
  });

  it("knows the three kustomization file names", () => {
    expect(
      ["a/kustomization.yaml", "kustomization.yml", "b/Kustomization", "b/x.yaml"].map(kustomizationFileName),
    ).toEqual(["kustomization.yaml", "kustomization.yml", "Kustomization", undefined]);
  });
});
