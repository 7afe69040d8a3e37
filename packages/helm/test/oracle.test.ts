// Oracle equality: every fixture chart × values case rendered by Helm's engine compiled to WASI, through the
// TypeScript host, equals the same Go program built natively, byte for byte (whole JSON result: manifest,
// documents, CRDs, notes and Helm's own error messages). Build both with `bash scripts/build-oracles.sh`.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { batchLimit, loadHelmEngine } from "../src/engine.js";
import { oracleCases } from "./support/cases.js";
import { haveTools, inCi, MODULE, renderNative } from "./support/oracle.js";

/** This process's live children that host a module instance (Linux /proc). */
function instanceChildren(): number {
  let count = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const ppid = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1];
      if (Number(ppid) === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("wasi-run"))
        count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

describe("tools", () => {
  it.runIf(inCi)("the native oracle and the WASM module are built in CI", () => {
    expect(haveTools, "run `bash scripts/build-oracles.sh`").toBe(true);
  });
  it.skipIf(inCi || haveTools)(
    "skipped: .tools/bin/helm-render or .tools/wasm/helm-render.wasm missing (run scripts/build-oracles.sh)",
    () => {},
  );
});

describe.skipIf(!haveTools)("WASM render equals the native render", () => {
  const cases = oracleCases();
  let wasm: Awaited<ReturnType<typeof render>> | undefined;
  const native = () => renderNative(cases.map((c) => c.request));
  const render = async () =>
    (await loadHelmEngine({ modulePath: MODULE })).render(cases.map((c) => c.request));

  it("has at least 20 cases, successes and failures", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases.filter((c) => c.fails === undefined).length).toBeGreaterThanOrEqual(15);
  });

  it("renders every case through one module instance", async () => {
    wasm = await render();
    expect(wasm).toHaveLength(cases.length);
  });

  const expected = haveTools ? native() : [];

  // the program loads each chart once per batch and renders private copies: a render must not leak into the next
  it("a batch renders each case exactly as a batch of one does (native)", () => {
    const alone = cases.map((c) => JSON.stringify(renderNative([c.request])[0]));
    expect(expected.map((r) => JSON.stringify(r))).toEqual(alone);
    const reversed = renderNative([...cases].reverse().map((c) => c.request)).reverse();
    expect(reversed.map((r) => JSON.stringify(r))).toEqual(alone);
  });
  // parsed templates are reused across a batch's renders of one chart: twice over, in both orders, natively
  it("the template cache renders exactly as Helm's engine.Render (native, batch twice and reversed)", () => {
    const twice = [...cases, ...[...cases].reverse()].map((c) => c.request);
    const cached = renderNative(twice, { templateCache: true });
    expect(cached.map((r) => JSON.stringify(r))).toEqual(
      [...expected, ...[...expected].reverse()].map((r) => JSON.stringify(r)),
    );
  });
  it("a batch larger than one module instance takes renders the same (split across instances)", async () => {
    const limit = batchLimit(process.versions.node);
    const many = Array.from({ length: Math.min(limit, 100) + 5 }, (_, i) => cases[i % cases.length]!.request);
    const engine = await loadHelmEngine({ modulePath: MODULE });
    // the parts handed on while the rest renders are the answer, each request once, in several parts
    const parts: Array<[number, number]> = [];
    const handed: string[] = [];
    const ours = await engine.render(many, {
      onResults: (from, results) => {
        parts.push([from, results.length]);
        for (const [j, r] of results.entries()) handed[from + j] = JSON.stringify(r);
      },
    });
    expect(ours.map((r) => JSON.stringify(r))).toEqual(
      many.map((_, i) => JSON.stringify(expected[i % cases.length])),
    );
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.reduce((n, [, count]) => n + count, 0)).toBe(many.length);
    expect(handed).toEqual(ours.map((r) => JSON.stringify(r)));
  });

  // instances started ahead (as renderHelmReleases does while it reads the releases) render the same
  it("prepared instances (started before the render, grown with the count) render the same", async () => {
    const engine = await loadHelmEngine({
      modulePath: MODULE,
      isolate: true,
      parallel: 2,
      minPerInstance: 3,
    });
    await engine.close();
    const some = cases.slice(0, 8);
    // the closed instances' children exit on their own time
    await expect.poll(instanceChildren, { timeout: 10_000 }).toBe(0);
    for (let n = 1; n <= some.length; n++) engine.prepare?.(n);
    // 8 requests, at least 3 each: both instances are started before any render
    expect(instanceChildren()).toBe(2);
    const ours = await engine.render(some.map((c) => c.request));
    expect(ours.map((r) => JSON.stringify(r))).toEqual(some.map((_, i) => JSON.stringify(expected[i])));
  });

  for (const isolate of [true, false]) {
    it(`a batch run ${isolate ? "in a child process" : "in this thread"}, twice on one instance, renders the same`, async () => {
      const engine = await loadHelmEngine({ modulePath: MODULE, isolate });
      const some = cases.slice(0, 5);
      for (let round = 0; round < 2; round++) {
        const ours = await engine.render(some.map((c) => c.request));
        expect(ours.map((r) => JSON.stringify(r))).toEqual(some.map((_, i) => JSON.stringify(expected[i])));
      }
    });
  }

  // split over two instances at once: worker threads sharing the compiled module, and two child processes
  for (const isolate of [false, true]) {
    it(`a batch split over two parallel instances (${isolate ? "child processes" : "worker threads, children on Node 20"}) renders the same`, async () => {
      const engine = await loadHelmEngine({ modulePath: MODULE, isolate, parallel: 2, minPerInstance: 1 });
      const some = cases.slice(0, 6);
      const ours = await engine.render(some.map((c) => c.request));
      expect(ours.map((r) => JSON.stringify(r))).toEqual(some.map((_, i) => JSON.stringify(expected[i])));
    });
  }

  cases.forEach((c, i) => {
    it(c.name, () => {
      const ours = wasm?.[i];
      const theirs = expected[i];
      expect(ours, "the batch render did not run").toBeDefined();
      expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
      expect(theirs?.error?.stage).toBe(c.fails);
      if (c.fails === undefined) expect(theirs?.manifest.length ?? 0).toBeGreaterThan(0);
    });
  });
});
