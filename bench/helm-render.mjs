// Bench (not a test): render every HelmRelease of a repository from a warm chart cache through @homeops/helm
// (Helm's engine as WebAssembly), reporting wall time and peak memory.
//
//   node bench/helm-render.mjs [--repo <dir>] [--cluster-root kubernetes/main/flux] [--runs 3]
//                              [--parallel <instances>] [--isolate true|false] [--module <helm-render.wasm>]
//
// CPU time per run counts this process and its children (the module instance of Node < 22 runs in a child
// process, which stays alive across runs): on a shared machine wall time mostly measures the other tenants,
// CPU time the work. The first run pays the instance's start (Go's init; in a child also the module compile
// and Node's start), later runs reuse the instance; "module compile" is the in-process compile only.
//
// The development corpus cannot pull its real charts here (no network but package registries), so the cache is
// warmed with the fixture chart packages/helm/test/fixtures/charts/app-template (without its values schema,
// so real values render instead of failing validation) under every app-template key the repository asks for.
// Other charts stay uncached: those releases are skipped, as offline. Needs the built packages (pnpm build)
// and .tools/wasm/helm-render.wasm (bash scripts/setup.sh).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { flag, root } from "./common.mjs";

const repo = flag("--repo", "/work/corpus/tyriis+home-ops");
const runs = Number(flag("--runs", "3"));
const clusterRoot = flag("--cluster-root", "kubernetes/main/flux");
const parallel = flag("--parallel", undefined);
const isolate = flag("--isolate", undefined);
const modulePath = flag("--module", undefined);
const engineOptions = {
  ...(modulePath === undefined ? {} : { modulePath }),
  ...(parallel === undefined ? {} : { parallel: Number(parallel) }),
  ...(isolate === undefined ? {} : { isolate: isolate === "true" }),
};
// CPU ms of this process, of its waited-for children (/proc/self/stat utime stime cutime cstime) and of its
// live children (the module instance's child process on Node < 22 stays alive across render calls)
const statFields = (pid) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
// this process's live children (the module instances, which stay alive across runs), each as its stat fields
const liveChildren = () => {
  const out = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const fields = statFields(pid);
      if (Number(fields[1]) === process.pid) out.push({ pid, fields });
    } catch {
      // gone meanwhile
    }
  }
  return out;
};
const cpuMs = () => {
  const own = statFields("self");
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const { fields } of liveChildren()) ticks += Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
};
// peak RSS (VmHWM) of each live child
const childrenPeakMb = () =>
  liveChildren().flatMap(({ pid }) => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return hwm ? [Math.round(Number(hwm[1]) / 1024)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
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
  const loaded = await loadHelmEngine(engineOptions);
  const compileMs = performance.now() - t;
  // the engine's share of a run: its render calls (Helm in WebAssembly, and the TypeScript side's reading of the
  // parts it hands on meanwhile), the rest is the TypeScript side
  let engineMs = 0;
  let engineCpu = 0;
  const engine = {
    modulePath: loaded.modulePath,
    // the instances start while renderHelmReleases reads the releases (inside the timed render)
    prepare: (count) => loaded.prepare?.(count),
    render: async (requests, options) => {
      const t0 = performance.now();
      const c0 = cpuMs();
      try {
        return await loaded.render(requests, options);
      } finally {
        engineMs += performance.now() - t0;
        engineCpu += cpuMs() - c0;
      }
    },
  };
  const times = [];
  const cpu = [];
  const engineTimes = [];
  let last;
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    const c = cpuMs();
    engineMs = 0;
    engineCpu = 0;
    last = await renderHelmReleases(graph, { cacheDir, engine });
    times.push(performance.now() - t);
    cpu.push(cpuMs() - c);
    engineTimes.push([engineMs, engineCpu]);
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
    `engine.render         ${engineTimes.map(([w, c]) => `${w.toFixed(0)} ms wall/${c.toFixed(0)} ms CPU`).join(", ")}`,
  );
  console.log(
    `load average          ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} (${process.version})`,
  );
  console.log(
    `peak RSS              ${(res.maxRSS / 1024).toFixed(0)} MB this process; module instances in children: ${
      childrenPeakMb()
        .map((mb) => `${mb} MB`)
        .join(", ") || "none"
    }`,
  );
  console.log(`wasm module           ${engine.modulePath}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
