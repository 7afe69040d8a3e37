// The host: a clear error when the module is missing; Node's WASI experimental warning hidden, other warnings kept.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InternalError, isUserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { ChildCrash, loadHelmEngine, retryCrashed } from "../src/engine.js";
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
