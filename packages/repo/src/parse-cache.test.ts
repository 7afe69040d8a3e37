import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCacheStats } from "@homeops/manifests";
import { describe, expect, it, vi } from "vitest";
import { checkRepository } from "./check-repository.js";
import { openRepository } from "./repository.js";
import { validateManifests } from "./validate-manifests.js";

const fixture = join(import.meta.dirname, "../../manifests/test/fixtures/home-ops");

describe("the parse cache", () => {
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
      const { parseCacheStats: stats } = await import("@homeops/manifests");
      const repo = await open(".", { cwd: dir, ...(cached ? { parseCacheDir } : {}) });
      const validated = await validate(repo, { dir: "kubernetes", helm: { render: false } });
      const checked = await check(repo, { helm: { render: false } });
      return {
        result: [validated.findings, validated.cases, validated.data, checked.findings],
        stats: stats(),
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
  }, 300_000);
});
