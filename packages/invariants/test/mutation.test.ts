import { afterAll, describe, expect, it } from "vitest";
import { checkRepo, copyFixture, graphBuilder, removeDir, summarize } from "./fixture.js";
import { LITERALS, lineOf, mutations } from "./mutations.js";

/**
 * Mutation tests: each case changes the realistic fixture repo (shaped like the sample repo) in one way and
 * expects exactly the one rule it breaks, at the mutated file:line, and nothing else.
 */

const hasGraph = (await graphBuilder()) !== undefined;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeDir));
});

describe("the fixture repo", () => {
  it("is clean: no findings, no suppressions", async () => {
    const root = await copyFixture("repo");
    dirs.push(root);
    const report = await checkRepo(root, { forbiddenLiterals: LITERALS });
    expect(summarize(report.findings)).toEqual([]);
    expect(report.suppressed).toEqual([]);
    if (hasGraph) {
      expect(report.rulesSkipped).toEqual([]);
      // one parse: the rules reuse the build's parsed files and parse only what no build reads
      expect(report.filesParsedOutsideBuild).toEqual([".sops.yaml"]);
    }
  });
});

describe("mutations", () => {
  for (const m of mutations) {
    it.skipIf(m.graph && !hasGraph)(
      `${m.rule}: one mutation, exactly this rule at the mutated line`,
      async () => {
        const root = await copyFixture("repo");
        dirs.push(root);
        await m.mutate(root);
        const report = await checkRepo(root, { forbiddenLiterals: LITERALS });
        const line = await lineOf(root, m.at.file, m.at.line);
        expect(summarize(report.findings).map((s) => s.replace(/:\d+ /, " "))).toEqual(
          Array.from({ length: m.count ?? 1 }, () =>
            expect.stringMatching(new RegExp(` ${m.rule.replace("/", "\\/")}$`)),
          ),
        );
        expect(report.findings.some((f) => f.file === m.at.file && f.line === line)).toBe(true);
        for (const f of report.findings) expect(f.hint, "every finding has a fix hint").toBeTruthy();
      },
    );
  }

  it("covers every rule of the registry", async () => {
    const { listRules } = await import("../src/registry.js");
    const covered = new Set(mutations.map((m) => m.rule));
    const missing = listRules()
      .map((r) => r.id)
      .filter((id) => !covered.has(id) && !["homeops/invalid-config", "homeops/rule-failed"].includes(id));
    expect(missing).toEqual([]);
  });
});
