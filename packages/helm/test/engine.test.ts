// The host: a clear error when the module is missing; Node's WASI experimental warning hidden, other warnings kept.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InternalError, isUserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { ChildCrash, loadHelmEngine, retryCrashed, splitBatch } from "../src/engine.js";
import { prepareModule } from "../wasi-run.mjs";
import { CHARTS, haveTools, inCi, MODULE, REPO_ROOT } from "./support/oracle.js";

describe("loadHelmEngine", () => {
  it("says to run the setup script when the module is missing", async () => {
    const error = await loadHelmEngine({ modulePath: join(REPO_ROOT, "no-such-dir/helm-render.wasm") }).catch(
      (e) => e,
    );
    expect(isUserError(error)).toBe(true);
    expect(error.code).toBe("TOOL_MISSING");
    expect(error.message).toContain("Helm's WebAssembly module is missing");
    expect(error.hint).toContain("run `bash scripts/setup.sh`");
  });

  const dist = join(REPO_ROOT, "packages/helm/dist/index.js");
  it.runIf(inCi)("the package is built before the tests in CI", () => expect(existsSync(dist)).toBe(true));

  // a separate process: the warning is emitted once per process, when node:wasi is first loaded
  it.skipIf(!haveTools || !existsSync(dist))(
    "renders without Node's WASI warning, and other warnings still reach stderr (built package)",
    () => {
      const script = `
        const { loadHelmEngine } = await import(${JSON.stringify(dist)});
        const engine = await loadHelmEngine({ modulePath: ${JSON.stringify(MODULE)} });
        const [r] = await engine.render([{ chart: { dir: ${JSON.stringify(join(CHARTS, "strict"))} }, release: { name: "w", namespace: "d" }, values: { hostname: "h" } }]);
        process.emitWarning("a warning of the caller");
        await new Promise((resolve) => setTimeout(resolve, 50));
        console.log(r.manifests.length);
      `;
      const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe("1");
      expect(out.stderr).not.toMatch(/WASI|ExperimentalWarning/);
      expect(out.stderr).toContain("a warning of the caller");
    },
  );
});

describe("prepare: instances started ahead", () => {
  it("never throws: an instance that cannot start fails the render that needs it", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const bad = join(mkdtempSync(join(tmpdir(), "homeops-helm-bad-")), "helm-render.wasm");
    writeFileSync(bad, "not a WebAssembly module");
    const engine = await loadHelmEngine({ modulePath: bad, isolate: true });
    expect(() => engine.prepare?.(1)).not.toThrow();
    await expect(
      engine.render([{ chart: { dir: join(CHARTS, "strict") }, release: { name: "w", namespace: "d" } }]),
    ).rejects.toThrow();
    await engine.close();
  });
});

describe("retryCrashed: a batch whose child V8 crashed runs again", () => {
  const crashing = (crashes: number, error: () => Error = () => new ChildCrash("died with SIGSEGV")) => {
    let calls = 0;
    const run = async () => {
      calls++;
      if (calls <= crashes) throw error();
      return "rendered";
    };
    return { run, calls: () => calls };
  };

  it("returns the first good run after one or two crashes", async () => {
    for (const crashes of [0, 1, 2]) {
      const batch = crashing(crashes);
      await expect(retryCrashed(batch.run)).resolves.toBe("rendered");
      expect(batch.calls()).toBe(crashes + 1);
    }
  });

  it("gives up after three crashes with the crash, and never retries another failure", async () => {
    const batch = crashing(3);
    await expect(retryCrashed(batch.run)).rejects.toBeInstanceOf(ChildCrash);
    expect(batch.calls()).toBe(3);
    const other = crashing(1, () => new InternalError("helm-render wrote no JSON result"));
    await expect(retryCrashed(other.run)).rejects.toThrow("no JSON result");
    expect(other.calls()).toBe(1);
  });
});

describe("prepareModule: the initial linear memory sized up front", () => {
  // (module header, memory section: 1 memory, no maximum, minimum 2 pages), then a custom section
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const custom = [0x00, 0x03, 0x01, 0x61, 0x62];
  const module = Uint8Array.from([...header, 0x05, 0x03, 0x01, 0x00, 0x02, ...custom]);

  it("raises the memory's minimum to the size asked for and keeps every other byte", () => {
    const out = prepareModule(module, 512);
    // 512 MiB = 8192 pages = uleb128 0x80 0x40
    expect([...out]).toEqual([...header, 0x05, 0x04, 0x01, 0x00, 0x80, 0x40, ...custom]);
  });

  it("leaves a larger memory, a memory with a maximum and a module without memory unchanged", () => {
    const big = prepareModule(module, 512);
    expect(prepareModule(big, 256)).toBe(big);
    const bounded = Uint8Array.from([...header, 0x05, 0x04, 0x01, 0x01, 0x02, 0x10]);
    expect(prepareModule(bounded, 512)).toBe(bounded);
    const none = Uint8Array.from([...header, ...custom]);
    expect(prepareModule(none, 512)).toBe(none);
  });
});

describe("splitBatch", () => {
  it("keeps a small batch in one instance and splits a large one over the parallel instances", () => {
    expect(splitBatch(0, 1000, 2, 40)).toEqual([]);
    expect(splitBatch(70, 1000, 2, 40)).toEqual([[0, 70]]);
    expect(splitBatch(150, 1000, 2, 40)).toEqual([
      [0, 75],
      [75, 150],
    ]);
    expect(splitBatch(150, 1000, 1, 40)).toEqual([[0, 150]]);
    expect(splitBatch(5, 2, 1, 40)).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
  });
});
