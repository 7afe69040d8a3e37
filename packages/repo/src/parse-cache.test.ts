import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCacheStats } from "@homeops/manifests";
import { describe, expect, it, vi } from "vitest";
import { checkRepository } from "./check-repository.js";
import { openRepository } from "./repository.js";
import { validateManifests } from "./validate-manifests.js";

const fixture = join(import.meta.dirname, "../../manifests/test/fixtures/home-ops");

describe("the parse and build caches", () => {
  it("never parses an unchanged file twice in one process, and parses a changed one again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-parse-"));
    cpSync(fixture, dir, { recursive: true });
    const options = { dir: "kubernetes", helm: { render: false } } as const;
    const run = async () => {
      const repo = await openRepository(".", { cwd: dir });
      const validated = await validateManifests(repo, options);
      const checked = await checkRepository(repo, { helm: { render: false } });
      return [validated.findings, validated.cases, checked.findings];
    };
    const before = parseCacheStats().parses;
    const first = await run();
    const parsedFirst = parseCacheStats().parses - before;
    expect(parsedFirst).toBeGreaterThan(10);
    const second = await run();
    expect(parseCacheStats().parses - before - parsedFirst).toBe(0);
    // shared documents are never changed by a build: the second run's verdicts are the first's
    expect(second).toEqual(first);
    const file = join(dir, "kubernetes/apps/default/echo/app/service.yaml");
    writeFileSync(file, `${readFileSync(file, "utf8")}\n# changed\n`);
    await run();
    expect(parseCacheStats().parses - before - parsedFirst).toBe(1);
  }, 300_000);

  it("gives the same findings, cases and positions when the parses come from an earlier run's cache", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-parse-"));
    cpSync(fixture, dir, { recursive: true });
    // a violation inside a resource document: its position is read from a restored parse
    const file = join(dir, "kubernetes/apps/default/echo/app/service.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/port: \d+/, "port: eighty"));
    const parseCacheDir = mkdtempSync(join(tmpdir(), "homeops-parse-cache-"));
    // a new module graph per run: nothing kept in memory, as in a new process
    const run = async (cached: boolean) => {
      vi.resetModules();
      const { openRepository: open } = await import("./repository.js");
      const { validateManifests: validate } = await import("./validate-manifests.js");
      const { checkRepository: check } = await import("./check-repository.js");
      const { parseCacheStats: stats, buildCacheStats: builds } = await import("@homeops/manifests");
      const repo = await open(".", { cwd: dir, ...(cached ? { parseCacheDir } : {}) });
      const validated = await validate(repo, { dir: "kubernetes", helm: { render: false } });
      const checked = await check(repo, { helm: { render: false } });
      const graph = await repo.graph({ clusterRoot: "kubernetes/flux" });
      // what a build produced: objects as applied, provenance, and positions of fields inside them
      const objects = graph.kustomizations.map((k) => [
        `${k.namespace}/${k.name}`,
        k.status,
        k.inputs,
        k.objects.map((o) => [o.object, o.provenance, o.locate(["metadata", "name"]), o.locate(["spec"])]),
      ]);
      return {
        result: [validated.findings, validated.cases, validated.data, checked.findings, objects],
        stats: { ...stats(), builds: builds() },
      };
    };
    const plain = await run(false);
    const first = await run(true);
    const second = await run(true);
    expect(plain.result[0]).toContainEqual(
      expect.objectContaining({
        ruleId: "kubeconform/invalid",
        file: "kubernetes/apps/default/echo/app/service.yaml",
      }),
    );
    expect(first.stats.restored).toBe(0);
    expect(second.stats.restored).toBeGreaterThan(10);
    expect(second.stats.parses).toBeLessThan(first.stats.parses);
    expect(first.result).toEqual(plain.result);
    expect(second.result).toEqual(plain.result);
    // (a run may build its graph twice, the second time from what the first recorded)
    expect(first.stats.builds.built).toBeGreaterThan(3);
    expect(second.stats.builds.built).toBe(0);
    expect(second.stats.builds.restored).toBeGreaterThan(3);

    // edits after the caches were filled: each cached run gives what an uncached one gives
    const edits: [string, (text: string) => string][] = [
      // an input of one build
      ["kubernetes/apps/default/echo/app/deployment.yaml", (t) => t.replace(/replicas: \d+/, "replicas: 7")],
      // a component several builds read
      [
        "kubernetes/components/volsync/pvc.yaml",
        (t) => `${t}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added-\${APP}\n`,
      ],
      // the substituteFrom source of another Kustomization
      [
        "kubernetes/flux/cluster/settings.yaml",
        (t) => t.replace("STORAGE_CLASS: ceph-block", "STORAGE_CLASS: nvme"),
      ],
      // a Kustomization's own postBuild (its declaring file)
      ["kubernetes/apps/default/echo/ks.yaml", (t) => t.replace("APP: *app", "APP: *app\n      MORE: x")],
      // a parent's patches reach every child
      ["kubernetes/flux/cluster/ks.yaml", (t) => t.replace("retries: -1", "retries: 3")],
    ];
    for (const [rel, change] of edits) {
      const abs = join(dir, rel);
      writeFileSync(abs, change(readFileSync(abs, "utf8")));
      const uncached = await run(false);
      const cachedRun = await run(true);
      expect(cachedRun.result, rel).toEqual(uncached.result);
      expect(cachedRun.stats.builds.built, rel).toBeGreaterThan(0);
    }
    // a new file in a directory a build lists (the generated kustomization of a plain directory)
    writeFileSync(
      join(dir, "kubernetes/apps/flux-system/addons/app/added.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added\n  namespace: flux-system\n",
    );
    const uncached = await run(false);
    const cachedRun = await run(true);
    expect(cachedRun.result).toEqual(uncached.result);
    expect(JSON.stringify(cachedRun.result)).toContain('"added"');
  }, 300_000);
});
