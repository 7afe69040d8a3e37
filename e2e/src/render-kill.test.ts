import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, requireBuiltCli, run } from "./tools.js";

/** Every file below `dir` (relative posix path → content), skipping nothing: leftovers must show. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(dir, path), await readFile(path, "utf8"));
  }
  return out;
}

async function newRepo(config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-kill-"));
  await cp(join(repoRoot, "bootstrap/templates"), join(dir, "bootstrap/templates"), { recursive: true });
  await writeFile(join(dir, "bootstrap/config.yaml"), config);
  return dir;
}

/** Starts `homeops render` and SIGKILLs it after `delayMs`. */
function renderAndKill(bin: string, cwd: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn("node", [bin, "render"], {
      cwd,
      stdio: "ignore",
      env: { ...process.env, NO_COLOR: "1" },
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("render under SIGKILL (a real process kill at random points)", () => {
  let bin: string;
  let configA: string;
  let configB: string;
  let treeA: Map<string, string>;
  let treeB: Map<string, string>;
  let runMs: number;

  beforeAll(async () => {
    bin = requireBuiltCli();
    configA = await readFile(join(repoRoot, "bootstrap/config.sample.yaml"), "utf8");
    // B changes values that reach many files, and turns an app off (deletes) — creates, updates and deletes
    configB = configA.replace("name: home\n", "name: lab\n").replace("romm: true", "romm: false");
    expect(configB).not.toBe(configA);
    const a = await newRepo(configA);
    expect(run("node", [bin, "render"], { cwd: a }).code).toBe(0);
    treeA = await snapshot(a);
    const b = await newRepo(configA);
    expect(run("node", [bin, "render"], { cwd: b }).code).toBe(0);
    await writeFile(join(b, "bootstrap/config.yaml"), configB);
    const started = Date.now();
    expect(run("node", [bin, "render"], { cwd: b }).code).toBe(0);
    runMs = Date.now() - started;
    treeB = await snapshot(b);
  }, 120_000);

  it("leaves every file whole — old or new content, never a torn one — and the next run converges", async () => {
    const kills = 10;
    for (let i = 0; i < kills; i++) {
      const repo = await newRepo(configA);
      expect(run("node", [bin, "render"], { cwd: repo }).code).toBe(0);
      await writeFile(join(repo, "bootstrap/config.yaml"), configB);
      // writes happen at the end of a run: spread the kills over its second half and a little past it
      await renderAndKill(bin, repo, Math.round(runMs * (0.5 + (0.6 * i) / kills)));
      const after = await snapshot(repo);
      for (const [path, content] of after) {
        if (/\.homeops-[^/]*\.tmp$/.test(path)) continue; // an interrupted temp file, never a managed path
        // a killed run cannot release its lock: the next run sees its pid is gone and takes it over
        if (/^\.homeops\/lock(\.\d+\.tmp)?$/.test(path)) continue;
        const whole = content === treeA.get(path) || content === treeB.get(path);
        expect(whole, `kill #${i}: ${path} is torn`).toBe(true);
      }
      // the next run finishes the job: exactly tree B, no temp files left
      const rerun = run("node", [bin, "render"], { cwd: repo });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(await snapshot(repo)).toEqual(treeB);
    }
  }, 300_000);
});
