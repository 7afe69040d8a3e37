// Bench (not a test): render every HelmRelease of a repository from a warm chart cache through @homeops/helm
// (Helm's engine as WebAssembly), reporting wall time and peak memory.
//
//   node bench/helm-render.mjs [--repo <dir>] [--cluster-root kubernetes/main/flux] [--runs 3]
//                              [--parallel <instances>] [--isolate true|false]
//
// CPU time per run counts this process and its children (the module instances of Node < 22 run in child
// processes): on a shared machine wall time mostly measures the other tenants, CPU time the work.
//
// The development corpus cannot pull its real charts here (no network but package registries), so the cache is
// warmed with the fixture chart packages/helm/test/fixtures/charts/app-template (without its values schema,
// so real values render instead of failing validation) under every app-template key the repository asks for.
// Other charts stay uncached: those releases are skipped, as offline. Needs the built packages (pnpm build)
// and .tools/wasm/helm-render.wasm (bash scripts/setup.sh).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { flag, root } from "./common.mjs";

const repo = flag("--repo", "/work/corpus/tyriis+home-ops");
const runs = Number(flag("--runs", "3"));
const clusterRoot = flag("--cluster-root", "kubernetes/main/flux");
const parallel = flag("--parallel", undefined);
const isolate = flag("--isolate", undefined);
const engineOptions = {
  ...(parallel === undefined ? {} : { parallel: Number(parallel) }),
  ...(isolate === undefined ? {} : { isolate: isolate === "true" }),
};
// CPU ms of this process and of its waited-for children (/proc/self/stat utime stime cutime cstime)
const cpuMs = () => {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
};
const { buildRepoGraph } = await import(join(root, "packages/manifests/dist/index.js"));
const { ChartCache, loadHelmEngine, renderHelmReleases } = await import(
  join(root, "packages/helm/dist/index.js")
);

const work = mkdtempSync(join(tmpdir(), "homeops-helm-bench-"));
try {
  cpSync(join(root, "packages/helm/test/fixtures/charts/app-template"), join(work, "chart/app-template"), {
    recursive: true,
  });
  rmSync(join(work, "chart/app-template/values.schema.json"));
  execFileSync("tar", ["-C", join(work, "chart"), "-czf", join(work, "app-template.tgz"), "app-template"]);
  const archive = readFileSync(join(work, "app-template.tgz"));
  const cacheDir = join(work, "cache");

  let t = performance.now();
  const graph = await buildRepoGraph(repo, { clusterRoot });
  const graphMs = performance.now() - t;
  const cold = await renderHelmReleases(graph, { cacheDir });
  const cache = new ChartCache({ dir: cacheDir });
  let seeded = 0;
  for (const r of cold.releases) {
    if (r.missing === undefined || r.missing.chart !== "app-template") continue;
    const version = /^[v\d][\d.]*$/.test(r.missing.version) ? r.missing.version : "4.2.0";
    await cache.put({ ...r.missing, version }, archive);
    seeded++;
  }

  t = performance.now();
  const engine = await loadHelmEngine(engineOptions);
  const compileMs = performance.now() - t;
  const times = [];
  const cpu = [];
  let last;
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    const c = cpuMs();
    last = await renderHelmReleases(graph, { cacheDir, engine });
    times.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  const count = (s) => last.releases.filter((r) => r.status === s).length;
  const res = process.resourceUsage();
  console.log(`repository            ${repo}`);
  console.log(
    `HelmReleases          ${graph.helmReleases.length} (app-template cache keys seeded: ${seeded})`,
  );
  console.log(`rendered / skipped / error   ${count("rendered")} / ${count("skipped")} / ${count("error")}`);
  console.log(`rendered objects      ${last.objects.length}`);
  console.log(`graph build           ${graphMs.toFixed(0)} ms (not part of the render time)`);
  console.log(`module compile        ${compileMs.toFixed(0)} ms (once per process)`);
  console.log(
    `render, warm cache    ${times.map((x) => `${x.toFixed(0)} ms`).join(", ")} wall (${JSON.stringify(engineOptions)})`,
  );
  console.log(
    `render CPU            ${cpu.map((x) => `${x.toFixed(0)} ms`).join(", ")} (this process + children)`,
  );
  console.log(
    `load average          ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} (${process.version})`,
  );
  console.log(`peak RSS              ${(res.maxRSS / 1024).toFixed(0)} MB`);
  console.log(`wasm module           ${engine.modulePath}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
