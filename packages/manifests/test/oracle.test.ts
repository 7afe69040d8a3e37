// Differential tests: every generated case and every Flux Kustomization of the sample repository is
// built by @homeops/manifests and by the Go oracle (tools/flux-build, over github.com/fluxcd/pkg/kustomize);
// the object sets must be equal. Build the oracle with scripts/build-oracles.sh.
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFluxKustomization, buildRepoGraph, type RepoGraph } from "../src/index.js";
import { findOracle, normalizeObjects, REPO_ROOT, runOracle } from "./oracle.js";
import { ORACLE_CASES } from "./oracle-cases.js";
import { REAL_REPO_CASES } from "./oracle-cases-real-repos.js";

const oracle = findOracle();
const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
const temps: string[] = [];

afterAll(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

describe("oracle binary", () => {
  it.runIf(inCi)("is present in CI (run scripts/build-oracles.sh)", () => {
    expect(oracle, "tools/flux-build is not built: run scripts/build-oracles.sh").toBeDefined();
  });
});

describe.skipIf(!oracle)("generated cases agree with fluxcd/pkg/kustomize", () => {
  it("has at least 30 cases", () => {
    expect(ORACLE_CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of [...ORACLE_CASES, ...REAL_REPO_CASES]) {
    it(c.name, async () => {
      const root = await mkdtemp(join(tmpdir(), `homeops-case-${c.name}-`));
      temps.push(root);
      for (const [file, text] of Object.entries(c.files)) {
        await mkdir(dirname(join(root, file)), { recursive: true });
        await writeFile(join(root, file), text);
      }
      if (c.varsObjects) {
        await mkdir(join(root, "_cluster"), { recursive: true });
        await writeFile(join(root, "_cluster/objects.yaml"), c.varsObjects);
      }
      const ks = {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "case", namespace: "flux-system" },
        spec: c.spec,
      };
      const strict = c.strict ?? true;
      const ours = await buildFluxKustomization(root, ks, { strict });
      const theirs = await runOracle(oracle!, root, ks, {
        strict,
        ...(c.varsObjects ? { varsObjects: c.varsObjects } : {}),
      });
      if (c.expectError) {
        expect(theirs.ok, "the oracle should refuse this build").toBe(false);
        expect(ours.status).toBe("error");
        expect(ours.findings.filter((f) => f.severity === "error").length).toBeGreaterThan(0);
        return;
      }
      expect(theirs.ok ? "ok" : theirs.error).toBe("ok");
      expect(ours.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(ours.status).toBe("built");
      if (!theirs.ok) return;
      expect(normalizeObjects(ours.objects.map((o) => o.object))).toEqual(normalizeObjects(theirs.objects));
    });
  }
});

/**
 * Builds the repository at `source` (copied to a temp dir) with buildRepoGraph and each built Flux
 * Kustomization with the oracle. Remote inputs we skipped are deleted from the oracle's copy so that
 * both sides build the same local inputs.
 */
async function compareRepo(
  source: string,
): Promise<{ graph: RepoGraph; agreed: number; failures: string[] }> {
  const root = await mkdtemp(join(tmpdir(), "homeops-repo-"));
  temps.push(root);
  await cp(source, root, { recursive: true });
  const graph = await buildRepoGraph(root);
  const oracleRoot = await mkdtemp(join(tmpdir(), "homeops-repo-oracle-"));
  temps.push(oracleRoot);
  await cp(source, oracleRoot, { recursive: true });
  for (const skipped of graph.skippedRemote) {
    const file = join(oracleRoot, skipped.kustomization);
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[skipped.line - 1] = "";
    await writeFile(file, lines.join("\n"));
  }
  const failures: string[] = [];
  let agreed = 0;
  for (const node of graph.kustomizations.filter((k) => k.status === "built")) {
    const spec = structuredClone(node.spec);
    const postBuild = spec.postBuild as Record<string, unknown> | undefined;
    if (postBuild) {
      // substituteFrom was resolved from the repo; hand the oracle the same variables inline
      delete postBuild.substituteFrom;
      postBuild.substitute = { ...node.variables };
    }
    const ks = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: node.name, namespace: node.namespace },
      spec,
    };
    const id = `${node.namespace}/${node.name}`;
    const repoSource = graph.sources.find((s) => s.isRepoRoot);
    const sourceIgnore = typeof repoSource?.spec.ignore === "string" ? repoSource.spec.ignore : undefined;
    const theirs = await runOracle(oracle!, oracleRoot, ks, {
      strict: true,
      ...(sourceIgnore !== undefined ? { sourceIgnore } : {}),
    });
    if (!theirs.ok) {
      failures.push(`${id}: oracle failed: ${theirs.error}`);
      continue;
    }
    const ours = normalizeObjects(node.objects.map((o) => o.object));
    const expected = normalizeObjects(theirs.objects);
    if (JSON.stringify(ours) !== JSON.stringify(expected)) {
      // a readable diff of the first disagreement
      expect(ours, id).toEqual(expected);
    }
    agreed++;
  }
  return { graph, agreed, failures };
}

const fixtureRoot = join(import.meta.dirname, "fixtures/home-ops");

describe.skipIf(!oracle)(
  "fixture repository (test/fixtures/home-ops) agrees with fluxcd/pkg/kustomize",
  () => {
    it("builds every Flux Kustomization identically", async () => {
      const { graph, agreed, failures } = await compareRepo(fixtureRoot);
      expect(failures).toEqual([]);
      expect(graph.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(graph.kustomizations.map((k) => `${k.namespace}/${k.name}:${k.status}`).sort()).toEqual([
        "default/echo:built",
        "flux-system/addons:built",
        "flux-system/cluster-apps:built",
        "flux-system/flux-system:built",
        "kube-system/crds:built",
        "media/jellyfin:built",
      ]);
      expect(agreed).toBe(6);
      const addons = graph.kustomizations.find((k) => k.name === "addons")!;
      // substituteFrom: ConfigMap, SOPS Secret (keys only), ExternalSecret target (keys only); inline wins.
      // The ExternalSecret has a template without `mergePolicy: Merge`: ESO's default (Replace) writes only
      // the template's keys, so its `data[].secretKey` OTHER_KEY is not in the Secret.
      expect(addons.variables).toEqual({
        API_TOKEN: "x-api-token",
        SECRET_DOMAIN: "x-secret-domain",
        STORAGE_CLASS: "ceph-block",
        TIMEZONE: "Etc/UTC",
      });
      expect(graph.skippedRemote.map((s) => s.url)).toEqual([
        "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/experimental-install.yaml",
      ]);
    }, 120_000);
  },
);

const sampleRoot = join(REPO_ROOT, "kubernetes");

describe.skipIf(!existsSync(sampleRoot))("sample repository (kubernetes/)", () => {
  it("builds without errors", async () => {
    const g = await buildRepoGraph(REPO_ROOT);
    expect(g.kustomizations.length).toBeGreaterThan(1);
    expect(g.findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it.skipIf(!oracle)(
    "every built Flux Kustomization agrees with fluxcd/pkg/kustomize",
    async () => {
      const root = await mkdtemp(join(tmpdir(), "homeops-sample-"));
      temps.push(root);
      await cp(sampleRoot, join(root, "kubernetes"), { recursive: true });
      const { graph, agreed, failures } = await compareRepo(root);
      expect(failures).toEqual([]);
      expect(agreed).toBe(graph.kustomizations.filter((k) => k.status === "built").length);
      expect(agreed).toBeGreaterThan(0);
    },
    300_000,
  );
});
