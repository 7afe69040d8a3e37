// Differential tests: every generated case and every Flux Kustomization of the sample repository is
// built by @homeops/manifests and by the Go oracle (tools/flux-build, over github.com/fluxcd/pkg/kustomize);
// the object sets must be equal. Build the oracle with scripts/build-oracles.sh.
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFluxKustomization, buildRepoGraph } from "./index.js";
import { findOracle, normalizeObjects, REPO_ROOT, runOracle } from "./testing/oracle.js";
import { ORACLE_CASES } from "./testing/oracle-cases.js";

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

  for (const c of ORACLE_CASES) {
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

const sampleRoot = join(REPO_ROOT, "kubernetes");

describe.skipIf(!existsSync(sampleRoot))("sample repository", () => {
  let root = "";
  const graph = async () => {
    if (root === "") {
      root = await mkdtemp(join(tmpdir(), "homeops-sample-"));
      temps.push(root);
      await cp(sampleRoot, join(root, "kubernetes"), { recursive: true });
    }
    return buildRepoGraph(root);
  };

  it("builds without errors", async () => {
    const g = await graph();
    expect(g.kustomizations.length).toBeGreaterThan(1);
    expect(g.findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it.skipIf(!oracle)(
    "every built Flux Kustomization agrees with fluxcd/pkg/kustomize",
    async () => {
      const g = await graph();
      const built = g.kustomizations.filter((k) => k.status === "built");
      expect(built.length).toBeGreaterThan(0);
      const disagreements: string[] = [];
      for (const node of built) {
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
        const theirs = await runOracle(oracle!, root, ks, { strict: true });
        if (!theirs.ok) {
          disagreements.push(`${id}: oracle failed: ${theirs.error}`);
          continue;
        }
        const ours = normalizeObjects(node.objects.map((o) => o.object));
        const expected = normalizeObjects(theirs.objects);
        if (JSON.stringify(ours) !== JSON.stringify(expected)) {
          expect(ours, id).toEqual(expected);
        }
      }
      expect(disagreements).toEqual([]);
    },
    300_000,
  );
});
