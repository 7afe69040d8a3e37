// Root discovery on the layouts of the development corpus, each as a small fixture of our own
// (test/fixtures/roots/<layout>), and the builds from the roots found.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildRepoGraph, discoverFluxRoots, type FluxRoot } from "./index.js";

const fixtures = join(import.meta.dirname, "../test/fixtures/roots");
const sample = join(import.meta.dirname, "../test/fixtures/home-ops");

const brief = (roots: FluxRoot[]) =>
  roots.map((r) => ({ cluster: r.cluster, path: r.path, source: r.source }));

async function build(dir: string, r: FluxRoot) {
  return buildRepoGraph(dir, {
    clusterRoot: r.path,
    ...(r.strict !== undefined ? { strict: r.strict } : {}),
    ...(r.url ? { repositoryUrl: r.url } : {}),
    ...(r.repositorySources ? { repositorySources: r.repositorySources } : {}),
  });
}

describe("discoverFluxRoots", () => {
  it("FluxInstance sync paths: one graph per cluster, an OCI sync left out, strict from the Flux version", async () => {
    const dir = join(fixtures, "flux-instance");
    const found = await discoverFluxRoots(dir);
    expect(brief(found.roots)).toEqual([
      { cluster: "main", path: "kubernetes/main/flux", source: "FluxInstance" },
      { cluster: "utility", path: "kubernetes/utility/flux", source: "FluxInstance" },
    ]);
    expect(found.roots.map((r) => r.strict)).toEqual([true, false]); // 2.9.x strict, 2.7.x lenient
    expect(found.roots[0]!.reason).toContain(
      "kubernetes/main/apps/flux-system/flux-instance/app/flux-instance.yaml:1",
    );
    expect(found.ignored.join("\n")).toContain("sync.kind OCIRepository");
    for (const r of found.roots) {
      const graph = await build(dir, r);
      expect(graph.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(graph.kustomizations.map((k) => `${k.name}:${k.status}`)).toEqual([
        "flux-system:built",
        "cluster-apps:built",
      ]);
      // the cluster's own FluxInstance is part of its build
      expect(graph.objects.some((o) => o.kind === "FluxInstance")).toBe(true);
    }
  });

  it("the flux-system pair of `flux bootstrap` (gotk-sync.yaml); the Flux version from gotk-components", async () => {
    const found = await discoverFluxRoots(join(fixtures, "gotk-sync"));
    expect(brief(found.roots)).toEqual([
      { cluster: undefined, path: "kubernetes/clusters/main", source: "flux bootstrap" },
    ]);
    expect(found.roots[0]!.strict).toBe(false);
    expect(found.roots[0]!.strictReason).toContain("Flux 2.8");
  });

  it("clusters/<name> trees when the sync path is substituted at runtime", async () => {
    const dir = join(fixtures, "clusters-dirs");
    const found = await discoverFluxRoots(dir);
    expect(brief(found.roots)).toEqual([
      { cluster: "main", path: "kubernetes/clusters/main", source: "clusters directory" },
      { cluster: "staging", path: "kubernetes/clusters/staging", source: "clusters directory" },
    ]);
    expect(found.ignored.join("\n")).toContain("'${CLUSTER_SYNC_PATH}' is substituted at runtime");
    const names = [];
    for (const r of found.roots) {
      const graph = await build(dir, r);
      expect(graph.findings.filter((f) => f.severity === "error")).toEqual([]);
      const cm = graph.objects.find((o) => o.kind === "ConfigMap" && o.name === "cluster-name");
      names.push((cm?.object.data as Record<string, string> | undefined)?.cluster);
    }
    expect(names).toEqual(["main", "staging"]);
  });

  it("flux-instance chart values: the deeper root wins, the feature gate sets strictness, a same-URL source is this repository", async () => {
    const dir = join(fixtures, "helm-values");
    const found = await discoverFluxRoots(dir);
    expect(brief(found.roots)).toEqual([
      { cluster: undefined, path: "kubernetes/flux/cluster", source: "flux-instance values" },
    ]);
    const root = found.roots[0]!;
    expect(root.strict).toBe(false);
    expect(root.strictReason).toContain("StrictPostBuildSubstitutions=false");
    expect(root.repositorySources).toEqual(["flux-system/home-kubernetes"]);
    expect(found.ignored.join("\n")).toContain("contains the root kubernetes/flux/cluster");
    const graph = await build(dir, root);
    expect(graph.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(graph.kustomizations.map((k) => `${k.name}:${k.status}`)).toEqual([
      "flux-system:built",
      "cluster-apps:built",
    ]);
    // lenient: an unset variable becomes empty
    const cm = graph.objects.find((o) => o.kind === "ConfigMap" && o.name === "app");
    expect(cm?.object.data).toEqual({ unset: null }); // lenient: unset → empty text → YAML null
    // a ClusterExternalSecret's Secret contributes its keys (placeholder values) in every namespace
    expect(graph.kustomizations.find((k) => k.name === "cluster-apps")?.variables).toEqual({
      CLUSTER: "home",
      SECRET_DOMAIN: "x-secret-domain",
    });
    // without the repository's sources the apps would not be built
    const plain = await buildRepoGraph(dir, { clusterRoot: root.path, strict: false });
    expect(plain.kustomizations.find((k) => k.name === "cluster-apps")?.status).toBe("skipped");
  });

  it("a top-level directory of Flux Kustomizations nothing else references", async () => {
    const found = await discoverFluxRoots(join(fixtures, "top-level"));
    expect(brief(found.roots)).toEqual([
      { cluster: undefined, path: "flux/manifests", source: "top-level Flux Kustomizations" },
    ]);
  });

  it("the conventional kubernetes/flux; nothing at all lists what was looked for", async () => {
    expect(brief((await discoverFluxRoots(sample)).roots)).toEqual([
      { cluster: undefined, path: "kubernetes/flux", source: "kubernetes/flux" },
    ]);
    const none = await discoverFluxRoots(join(fixtures, "flux-instance/devenv"));
    expect(none.roots).toEqual([]);
    expect(none.lookedFor.join("\n")).toContain("FluxInstance");
    expect(none.lookedFor.join("\n")).toContain("clusters/<name>/");
  });
});
