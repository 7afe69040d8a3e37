import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCacheStats } from "@homeops/manifests";
import { describe, expect, it } from "vitest";
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
});
