#!/usr/bin/env node
// Benchmark (not a test): homeops beside the tools it replaces, on synthetic repositories of N apps and on
// real checkouts, every tool a child process under /usr/bin/time -v (wall, user+sys CPU, peak RSS), after
// a warm-up, incumbent and homeops alternating on the same inputs; medians, min–max and ratios.
//
//   (a) render    makejinja (Jinja, makejinja.toml)  vs  `homeops render` (eta) — the same templates
//                 (render-templates.mjs), both outputs compared byte for byte
//   (b) validate  the old kubeconform.sh: kubeconform on the Flux root's files, then one
//                 `kustomize build <dir> | kubeconform -strict …` per kustomization directory
//                 vs `homeops kubeconform`, cold (--no-schema-cache, empty cache dir) and warm
//   (c) check     `homeops check`, and its ratio to `homeops kubeconform` (warm)
//   (d) flate     `flate build ks` (github.com/home-operations/flate), run offline (no network namespace)
//   (e) peak RSS  of each (the largest process of the incumbent pipeline)
//   (f) changed   (synthetic only) `homeops kubeconform --changed-since HEAD` after an edit of one app's
//                 HelmRelease (a new edit before every run), warm caches, beside `homeops --version`
//                 (start-up); the work after start-up is the difference of the two
//
// Usage: node bench/run.mjs [--apps 50,200,1000] [--runs 3] [--runs-at 1000=1] [--corpus /work/corpus
//          [--only tyriis] [--overrides file.json] [--corpus-runs 3]] [--parts render,validate,check,flate,changed]
//          [--keep <dir>] [--out bench/results] [--date YYYY-MM-DD] [--no-write]
// With --corpus and no --apps only the corpus runs. Results merge into <out>/<date>.json (synthetic rows
// by N, corpus rows by repository) and <out>/<date>.svg is redrawn from the synthetic rows.
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { builtHomeops, flag, root } from "./common.mjs";
import { generateRepo } from "./generate-repo.mjs";
import { writeRenderInputs } from "./render-templates.mjs";
import { lineChartSvg } from "./svg.mjs";

const argv = process.argv.slice(2);
const has = (name) => argv.includes(name);
const corpusDir = flag("--corpus", undefined);
const appsList = (flag("--apps", corpusDir ? "" : "50,200,1000") ?? "")
  .split(",")
  .filter((s) => s !== "")
  .map(Number);
const runs = Number(flag("--runs", "3"));
const corpusRuns = Number(flag("--corpus-runs", String(runs)));
const runsAt = Object.fromEntries(
  (flag("--runs-at", "") ?? "")
    .split(",")
    .filter((s) => s.includes("="))
    .map((s) => s.split("=").map(Number)),
);
const parts = new Set((flag("--parts", "render,validate,check,flate,changed") ?? "").split(","));
const only = (flag("--only", "") ?? "").split(",").filter((s) => s !== "");
const overrides = flag("--overrides", "") ? JSON.parse(readFileSync(flag("--overrides", ""), "utf8")) : {};
const keep = flag("--keep", undefined);
const outDir = resolve(flag("--out", join(root, "bench/results")));
const date = flag("--date", new Date().toISOString().slice(0, 10));
const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------- tools
const homeops = builtHomeops();
const { findExecutable } = await import(join(root, "packages/core/dist/index.js"));
const manifests = await import(join(root, "packages/manifests/dist/index.js"));
const toolDirs = [join(root, ".tools/bin"), process.env.PATH, join(process.env.HOME ?? "/root", "go/bin")];
const kustomize = findExecutable("kustomize", toolDirs);
const kubeconform = findExecutable("kubeconform", toolDirs);
if (!existsSync("/usr/bin/time")) {
  log("/usr/bin/time is required (GNU time: apt-get install time)");
  process.exit(2);
}
const makejinja = parts.has("render") && appsList.length > 0 ? ensureMakejinja() : undefined;
const flate = parts.has("flate") ? ensureFlate() : { missing: "not requested (--parts)" };
const offline = offlinePrefix();
const schemaLocation = join(
  root,
  "packages/schema/catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json",
);

/** makejinja from PyPI into .tools/venv (never system-wide); undefined + a message when it cannot be had. */
function ensureMakejinja() {
  const venv = join(root, ".tools/venv");
  const bin = join(venv, "bin/makejinja");
  const version = "2.8.1"; // scripts/setup.sh MAKEJINJA_VERSION
  if (existsSync(bin)) return { bin, version: installedVersion(venv) ?? version };
  log(`installing makejinja ${version} into .tools/venv (python3 -m venv; pip install makejinja)`);
  try {
    if (!existsSync(join(venv, "bin/pip")))
      execFileSync("python3", ["-m", "venv", venv], { stdio: ["ignore", "ignore", "inherit"] });
    execFileSync(join(venv, "bin/pip"), ["install", "-q", `makejinja==${version}`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    return { bin, version: installedVersion(venv) ?? version };
  } catch (error) {
    log(
      `makejinja could not be installed into .tools/venv (${String(error.message).split("\n")[0]}): render (a) is reported as "makejinja could not be installed"`,
    );
    return { missing: `could not be installed: ${String(error.message).split("\n")[0]}` };
  }
}

/** `makejinja --version` prints a stale 1.9.9 for 2.8.1: the installed distribution's version instead. */
function installedVersion(venv) {
  return tryRun(join(venv, "bin/python"), [
    "-c",
    "import importlib.metadata as m; print(m.version('makejinja'))",
  ]);
}

/** flate from its Go module into .tools/bin; `{ missing }` with the reason when it cannot be built. */
function ensureFlate() {
  const bin = join(root, ".tools/bin/flate");
  const module = "github.com/home-operations/flate/cmd/flate";
  const version = "v0.6.5";
  if (!existsSync(bin)) {
    log(`building flate ${version} (GOTOOLCHAIN=go1.27.1 go install ${module}@${version}; a few minutes)`);
    try {
      execFileSync("go", ["install", `${module}@${version}`], {
        env: {
          ...process.env,
          GOTOOLCHAIN: "go1.27.1",
          GOBIN: join(root, ".tools/bin"),
          GOFLAGS: "-mod=mod",
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
    } catch (error) {
      const reason = String(error.stderr ?? error.message)
        .trim()
        .split("\n")
        .slice(-1)[0];
      log(`flate could not be built: ${reason}`);
      return { missing: `could not be built: ${reason}` };
    }
  }
  return { bin, version: (tryRun(bin, ["--version"]) ?? version).replace(/^flate version /, "") };
}

/** A prefix that runs a command without network: a new network namespace, else a dead proxy. */
function offlinePrefix() {
  if (spawnSync("unshare", ["-n", "true"]).status === 0)
    return { prefix: ["unshare", "-n"], env: {}, how: "unshare -n (no network interface)" };
  const dead = "http://127.0.0.1:9";
  return {
    prefix: [],
    env: { HTTPS_PROXY: dead, HTTP_PROXY: dead, https_proxy: dead, http_proxy: dead },
    how: "HTTP(S)_PROXY to a closed port",
  };
}

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------ measuring
/** Runs one child under /usr/bin/time -v: wall (s), cpu (user+sys of the child and its children, s), peak RSS (MB). */
function timed(cmd, args, { cwd, env = {}, prefix = [] } = {}) {
  const timeFile = join(tmpdir(), `homeops-bench-time-${process.pid}.txt`);
  const start = process.hrtime.bigint();
  const child = spawnSync("/usr/bin/time", ["-v", "-o", timeFile, ...prefix, cmd, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    encoding: "utf8",
    maxBuffer: 2 * 1024 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const report = existsSync(timeFile) ? readFileSync(timeFile, "utf8") : "";
  rmSync(timeFile, { force: true });
  const num = (re) => Number(re.exec(report)?.[1] ?? Number.NaN);
  return {
    wall,
    cpu: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    rssMb: Math.round(num(/Maximum resident set size \(kbytes\): (\d+)/) / 102.4) / 10,
    exit: child.status ?? num(/Exit status: (\d+)/),
    stdout: child.stdout ?? "",
    stderr: child.stderr ?? "",
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (v, d = 3) => (Number.isFinite(v) ? Number(v.toFixed(d)) : null);
const stat = (xs) => ({
  median: round(median(xs)),
  min: round(Math.min(...xs)),
  max: round(Math.max(...xs)),
});

/**
 * A task: `prepare()` (untimed, e.g. emptying an output dir), `command()` → [cmd, args, opts], and
 * `inspect(result)` → what the run produced (counts, exit, notes).
 */
function runTasks(tasks, n) {
  // every run starts on a quiet file system: the previous tool's writes and the prepare step's deletions are
  // flushed first (`sync`), so a tool that makes its writes durable does not pay for another's
  const start = (t) => {
    t.prepare?.();
    spawnSync("sync");
  };
  const samples = new Map(tasks.map((t) => [t.name, []]));
  const last = new Map();
  log(`  warm-up: ${tasks.map((t) => t.name).join(", ")}`);
  for (const t of tasks) {
    start(t);
    const r = timed(...t.command());
    last.set(t.name, { ...r, info: t.inspect ? t.inspect(r) : {} });
  }
  for (let i = 0; i < n; i++) {
    // pairs alternate their order run by run (incumbent first on even runs, homeops first on odd ones)
    const order = [];
    for (const pair of groupPairs(tasks)) order.push(...(i % 2 === 0 ? pair : [...pair].reverse()));
    for (const t of order) {
      start(t);
      const r = timed(...t.command());
      samples.get(t.name).push(r);
      last.set(t.name, { ...r, info: t.inspect ? t.inspect(r) : {} });
      log(
        `  run ${i + 1}/${n} ${t.name.padEnd(22)} wall ${r.wall.toFixed(2)} s  cpu ${r.cpu.toFixed(2)} s  rss ${r.rssMb} MB  exit ${r.exit}`,
      );
    }
  }
  const out = {};
  for (const t of tasks) {
    const rs = samples.get(t.name);
    const l = last.get(t.name);
    out[t.name] = {
      tool: t.tool,
      runs: rs.length,
      wall: stat(rs.map((r) => r.wall)),
      cpu: stat(rs.map((r) => r.cpu)),
      rssMb: stat(rs.map((r) => r.rssMb)),
      exit: l.exit,
      ...l.info,
    };
  }
  return out;
}

/** Consecutive tasks with the same `pair` key form one alternating group. */
function groupPairs(tasks) {
  const groups = [];
  for (const t of tasks) {
    const g = groups.at(-1);
    if (g && t.pair && g[0].pair === t.pair) g.push(t);
    else groups.push([t]);
  }
  return groups;
}

const parseJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const tail = (text, n = 3) =>
  text
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-n)
    .join(" | ")
    .slice(0, 400);

// -------------------------------------------------------------------------------------- the task sets
function kustomizationDirs(base, dir = base, out = { dirs: [], remote: [], components: 0 }) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  const file = entries.find(
    (e) => e.isFile() && ["kustomization.yaml", "kustomization.yml", "Kustomization"].includes(e.name),
  );
  if (file) {
    const text = readFileSync(join(dir, file.name), "utf8");
    if (/^kind:\s*Component\b/m.test(text))
      out.components++; // kustomize refuses to build a Component
    else if (/^\s*-\s*(https?:\/\/|github\.com\/|git@|ssh:\/\/)/m.test(text))
      out.remote.push(relative(base, dir));
    else out.dirs.push(dir);
  }
  for (const e of entries)
    if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
      kustomizationDirs(base, join(dir, e.name), out);
  return out;
}

/** The old kubeconform.sh as a bash script over a list of directories (one pipeline each). */
function incumbentScript(work, fluxFiles, dirs) {
  writeFileSync(join(work, "flux-files.txt"), fluxFiles.map((f) => `${f}\n`).join(""));
  writeFileSync(join(work, "dirs.txt"), dirs.map((d) => `${d}\n`).join(""));
  const script = join(work, "kubeconform.sh");
  writeFileSync(
    script,
    `#!/usr/bin/env bash
# the incumbent: cluster-template's old kubeconform.sh, one \`kustomize build | kubeconform\` per directory
set -u -o pipefail
args=(-strict -ignore-missing-schemas -skip Secret -summary -schema-location "${schemaLocation}")
failing=0
pipelines=0
if [ -s "${join(work, "flux-files.txt")}" ]; then
  mapfile -t files < "${join(work, "flux-files.txt")}"
  "${kubeconform}" "\${args[@]}" "\${files[@]}" || failing=$((failing + 1))
fi
while IFS= read -r dir; do
  pipelines=$((pipelines + 1))
  "${kustomize}" build "$dir" --load-restrictor=LoadRestrictionsNone | "${kubeconform}" "\${args[@]}" || failing=$((failing + 1))
done < "${join(work, "dirs.txt")}"
echo "incumbent: pipelines=$pipelines failing=$failing"
`,
  );
  return script;
}

function inspectIncumbent(r) {
  const counts = { resources: 0, valid: 0, invalid: 0, errors: 0, skipped: 0 };
  for (const m of r.stdout.matchAll(
    /Summary: (\d+) resources? found.*?Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/g,
  )) {
    counts.resources += Number(m[1]);
    counts.valid += Number(m[2]);
    counts.invalid += Number(m[3]);
    counts.errors += Number(m[4]);
    counts.skipped += Number(m[5]);
  }
  const m = /incumbent: pipelines=(\d+) failing=(\d+)/.exec(r.stdout);
  return { pipelines: Number(m?.[1]), failing: Number(m?.[2]), counts };
}

function inspectKubeconform(r) {
  const j = parseJson(r.stdout);
  if (!j) return { error: tail(r.stderr) };
  const data = j.data ?? j;
  const errors = (j.findings ?? []).filter((f) => f.severity === "error");
  return {
    counts: data.counts,
    errorFindings: errors.length,
    errorRules: byRule(errors),
    ...(r.exit !== 0 && r.exit !== 1 ? { error: tail(r.stderr) } : {}),
  };
}

function inspectCheck(r) {
  const j = parseJson(r.stdout);
  if (!j) return { error: tail(r.stderr) };
  const f = j.findings ?? [];
  return {
    errors: f.filter((x) => x.severity === "error").length,
    warnings: f.filter((x) => x.severity === "warning").length,
    rules: byRule(f.filter((x) => x.severity !== "info")),
  };
}

function byRule(findings) {
  const out = {};
  for (const f of findings) out[`${f.severity} ${f.ruleId}`] = (out[`${f.severity} ${f.ruleId}`] ?? 0) + 1;
  return out;
}

function inspectFlate(r) {
  const objects = (r.stdout.match(/^kind: /gm) ?? []).length;
  const failed = /✗ (\d+) failed/.exec(r.stderr);
  const blocked = /(\d+) blocked/.exec(r.stderr);
  const kinds = {};
  for (const m of r.stderr.matchAll(/✗ {2}(\w+) {2}\S+ {2}(.*)/g)) {
    const reason =
      m[2].includes("network is unreachable") || m[2].includes("proxyconnect")
        ? "source unreachable offline"
        : m[2].replace(/\S+\/\S+/g, "…").slice(0, 80);
    const key = `${m[1]}: ${reason}`;
    kinds[key] = (kinds[key] ?? 0) + 1;
  }
  return {
    objects,
    failed: failed ? Number(failed[1]) : 0,
    blocked: blocked ? Number(blocked[1]) : 0,
    failures: kinds,
    ...(r.exit !== 0 ? { stderrTail: tail(r.stderr, 2) } : {}),
  };
}

function homeopsTasks({ repoDir, target, rootFlag, coldCache, warmCache }) {
  const kc = (cache, cold) => () => [
    process.execPath,
    [
      homeops,
      "-C",
      repoDir,
      "kubeconform",
      target,
      "-o",
      "json",
      ...rootFlag,
      ...(cold ? ["--no-schema-cache"] : []),
    ],
    { env: { HOMEOPS_CACHE_DIR: cache() } },
  ];
  return {
    cold: {
      name: "homeops kubeconform (cold)",
      tool: "homeops kubeconform --no-schema-cache",
      pair: "validate",
      prepare: () => rmSync(coldCache, { recursive: true, force: true }),
      command: kc(() => coldCache, true),
      inspect: inspectKubeconform,
    },
    warm: {
      name: "homeops kubeconform (warm)",
      tool: "homeops kubeconform",
      pair: "check",
      command: kc(() => warmCache, false),
      inspect: inspectKubeconform,
    },
    check: {
      name: "homeops check",
      tool: "homeops check",
      pair: "check",
      command: () => [
        process.execPath,
        [homeops, "-C", repoDir, "check", ".", "-o", "json", ...rootFlag],
        { env: { HOMEOPS_CACHE_DIR: warmCache } },
      ],
      inspect: inspectCheck,
    },
  };
}

/**
 * (f) changed-only: the repository committed once, then before every run one app's HelmRelease edited
 * again (so its Kustomization is built, never restored), validated with the warm task's caches.
 */
function changedTasks(repoDir, warmCache) {
  const git = (...args) =>
    execFileSync("git", [
      "-C",
      repoDir,
      "-c",
      "user.email=bench@example.com",
      "-c",
      "user.name=bench",
      ...args,
    ]);
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "bench");
  const apps = join(repoDir, "kubernetes/apps");
  const ns = readdirSync(apps)
    .filter((d) => statSync(join(apps, d)).isDirectory())
    .sort()[0];
  const app = readdirSync(join(apps, ns))
    .filter((d) => statSync(join(apps, ns, d)).isDirectory())
    .sort()[0];
  const file = join(apps, ns, app, "app/helmrelease.yaml");
  const original = readFileSync(file, "utf8");
  let edits = 0;
  return [
    {
      name: "homeops start-up",
      tool: "homeops --version",
      pair: "changed",
      command: () => [process.execPath, [homeops, "--version"], {}],
    },
    {
      name: "homeops kubeconform --changed-since",
      tool: "homeops kubeconform --changed-since HEAD (one app edited)",
      pair: "changed",
      prepare: () => writeFileSync(file, `${original}# bench edit ${++edits}\n`),
      command: () => [
        process.execPath,
        [homeops, "-C", repoDir, "kubeconform", "kubernetes", "-o", "json", "--changed-since", "HEAD"],
        { env: { HOMEOPS_CACHE_DIR: warmCache } },
      ],
      inspect: inspectKubeconform,
    },
  ];
}

function flateTask(repoDir, work) {
  const cache = join(work, "flate-cache");
  return {
    name: "flate build ks",
    tool: `flate ${flate.version} build ks (offline)`,
    prepare: () => rmSync(cache, { recursive: true, force: true }),
    command: () => [
      flate.bin,
      ["build", "ks", "--path", ".", "--no-progress", "--cache-dir", cache, "--source-retry-attempts", "1"],
      { cwd: repoDir, prefix: offline.prefix, env: offline.env },
    ],
    inspect: inspectFlate,
  };
}

function validateTasks({ repoDir, work, target, rootFlag, fluxRoots }) {
  const coldCache = join(work, "cache-cold");
  const warmCache = join(work, "cache-warm");
  const h = homeopsTasks({ repoDir, target, rootFlag, coldCache, warmCache });
  const tasks = [];
  const info = {};
  if (parts.has("validate")) {
    const found = kustomizationDirs(join(repoDir, target));
    const fluxFiles = fluxRoots.flatMap((r) => {
      const d = join(repoDir, r);
      return existsSync(d)
        ? readdirSync(d)
            .filter((f) => /\.ya?ml$/.test(f))
            .map((f) => join(d, f))
        : [];
    });
    info.incumbent = {
      pipelines: found.dirs.length,
      componentsLeftOut: found.components,
      remoteLeftOut: found.remote.length,
      fluxFiles: fluxFiles.length,
    };
    if (!kustomize || !kubeconform)
      info.incumbent.missing = "kustomize/kubeconform not found (bash scripts/setup.sh --oracles)";
    else {
      const script = incumbentScript(work, fluxFiles, found.dirs);
      tasks.push({
        name: "incumbent validate",
        tool: "kustomize build | kubeconform per directory",
        pair: "validate",
        command: () => ["bash", [script], {}],
        inspect: inspectIncumbent,
      });
    }
    tasks.push(h.cold);
  }
  if (parts.has("validate") || parts.has("check") || parts.has("changed")) tasks.push(h.warm);
  if (parts.has("check")) tasks.push(h.check);
  if (parts.has("flate") && flate.bin) {
    // flate refuses a checkout whose directory name has a `+` (the corpus' owner+name): "write
    // kustomization.yaml: illegal name 'owner+name' in directory creation"; it builds a copy named owner-name
    let flateDir = repoDir;
    if (/[^A-Za-z0-9._-]/.test(basename(repoDir))) {
      flateDir = join(work, "flate-src", basename(repoDir).replace(/[^A-Za-z0-9._-]/g, "-"));
      cpSync(repoDir, flateDir, { recursive: true, filter: (src) => !src.split("/").includes(".git") });
      info.flateCopy = `built from a copy named ${basename(flateDir)}`;
    }
    tasks.push(flateTask(flateDir, work));
  }
  return { tasks, info };
}

function renderTasks(work, apps) {
  const dir = join(work, "render");
  const { templates } = writeRenderInputs(dir, apps);
  const tasks = [];
  if (makejinja?.bin)
    tasks.push({
      name: "makejinja",
      tool: `makejinja ${makejinja.version}`,
      pair: "render",
      prepare: () => rmSync(join(dir, "makejinja/out"), { recursive: true, force: true }),
      command: () => [makejinja.bin, [], { cwd: join(dir, "makejinja") }],
      inspect: (r) => ({
        files: countFiles(join(dir, "makejinja/out")),
        ...(r.exit ? { error: tail(r.stderr) } : {}),
      }),
    });
  tasks.push({
    name: "homeops render",
    tool: "homeops render",
    pair: "render",
    prepare: () => {
      rmSync(join(dir, "homeops/kubernetes"), { recursive: true, force: true });
      rmSync(join(dir, "homeops/.homeops"), { recursive: true, force: true });
    },
    command: () => [process.execPath, [homeops, "-C", join(dir, "homeops"), "render", "-o", "json"], {}],
    inspect: (r) => {
      const j = parseJson(r.stdout);
      return {
        files: countFiles(join(dir, "homeops/kubernetes")),
        ...(j?.summary ? { summary: j.summary } : {}),
        ...(r.exit ? { error: tail(r.stderr) } : {}),
      };
    },
  });
  return {
    tasks,
    templates,
    compare: () => compareTrees(join(dir, "homeops/kubernetes"), join(dir, "makejinja/out/kubernetes")),
  };
}

function countFiles(dir) {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}

function compareTrees(a, b) {
  if (!existsSync(a) || !existsSync(b)) return { identical: false, note: "an output is missing" };
  const list = (d) =>
    readdirSync(d, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(d, join(e.parentPath ?? e.path, e.name)))
      .sort();
  const la = list(a);
  const lb = new Set(list(b));
  const differ = la.filter(
    (f) => !lb.has(f) || readFileSync(join(a, f), "utf8") !== readFileSync(join(b, f), "utf8"),
  );
  return {
    identical: differ.length === 0 && la.length === lb.size,
    files: la.length,
    differ: differ.slice(0, 5),
    differing: differ.length,
  };
}

function ratio(a, b, key) {
  const x = a?.[key]?.median;
  const y = b?.[key]?.median;
  return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? round(x / y, 2) : null;
}

function ratios(t) {
  const r = {};
  const pair = (name, a, b) => {
    if (t[a] && t[b]) r[name] = { wall: ratio(t[a], t[b], "wall"), cpu: ratio(t[a], t[b], "cpu") };
  };
  pair("makejinja / homeops render", "makejinja", "homeops render");
  pair("incumbent / homeops kubeconform (cold)", "incumbent validate", "homeops kubeconform (cold)");
  pair("incumbent / homeops kubeconform (warm)", "incumbent validate", "homeops kubeconform (warm)");
  pair("homeops check / homeops kubeconform (warm)", "homeops check", "homeops kubeconform (warm)");
  pair("flate build ks / homeops kubeconform (warm)", "flate build ks", "homeops kubeconform (warm)");
  return r;
}

function countYaml(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && /\.ya?ml$/.test(e.name) && !(e.parentPath ?? e.path).includes("/.git")) n++;
  return n;
}

// ------------------------------------------------------------------------------------------------ run
/** The machine's load, and the build measured (others may rebuild packages/ while a run goes on). */
const machine = () => ({
  loadavg: loadavg().map((v) => round(v, 2)),
  cpus: cpus().length,
  cliBuilt: statSync(join(root, "packages/cli/dist/bin.js")).mtime.toISOString(),
  manifestsBuilt: statSync(join(root, "packages/manifests/dist/index.js")).mtime.toISOString(),
});
const result = {
  date,
  started: new Date().toISOString(),
  node: process.version,
  homeops: tryRun(process.execPath, [homeops, "--version"]),
  commit: tryRun("git", ["-C", root, "rev-parse", "--short", "HEAD"]),
  tools: {
    kustomize: kustomize ? tryRun(kustomize, ["version"]) : "missing",
    kubeconform: kubeconform ? tryRun(kubeconform, ["-v"]) : "missing",
    makejinja: makejinja ? (makejinja.version ?? makejinja.missing) : "not requested",
    flate: flate.version ?? flate.missing,
    offline: offline.how,
  },
  synthetic: [],
  corpus: [],
};

for (const apps of appsList) {
  const n = runsAt[apps] ?? runs;
  const work = keep ? resolve(keep, `apps-${apps}`) : mkdtempSync(join(tmpdir(), `homeops-bench-${apps}-`));
  mkdirSync(work, { recursive: true });
  const repoDir = join(work, "repo");
  const generated = generateRepo(repoDir, apps);
  log(
    `== synthetic, ${apps} apps (${generated.files} files, ${generated.namespaces} namespaces), ${n} runs: ${work}`,
  );
  const before = machine();
  const row = {
    tools: result.tools,
    commit: result.commit,
    apps,
    namespaces: generated.namespaces,
    files: generated.files,
    yamlFiles: countYaml(repoDir),
    runs: n,
    machineBefore: before,
  };
  const tasks = [];
  let render;
  if (parts.has("render")) {
    render = renderTasks(work, apps);
    row.templates = render.templates;
    if (!makejinja?.bin) row.makejinja = `makejinja ${makejinja?.missing ?? "missing"}`;
    tasks.push(...render.tasks);
  }
  const v = validateTasks({
    repoDir,
    work,
    target: "kubernetes",
    rootFlag: [],
    fluxRoots: ["kubernetes/flux/cluster"],
  });
  tasks.push(...v.tasks);
  if (parts.has("changed")) tasks.push(...changedTasks(repoDir, join(work, "cache-warm")));
  Object.assign(row, v.info);
  if (parts.has("flate") && !flate.bin) row.flate = `flate ${flate.missing}`;
  row.tasks = runTasks(tasks, n);
  if (render && makejinja?.bin) row.renderOutputs = render.compare();
  row.ratios = ratios(row.tasks);
  if (row.tasks["flate build ks"]) row.flate = flateVerdict(row.tasks["flate build ks"]);
  row.machineAfter = machine();
  result.synthetic.push(row);
  printRow(`synthetic, ${apps} apps`, row);
  if (!keep) rmSync(work, { recursive: true, force: true });
}

if (corpusDir) {
  const repos = readdirSync(corpusDir)
    .filter((d) => statSync(join(corpusDir, d)).isDirectory())
    .filter((d) => only.length === 0 || only.some((o) => d.includes(o)))
    .sort();
  for (const repo of repos) {
    const repoDir = join(corpusDir, repo);
    const override = overrides[repo] ?? {};
    const target = override.dir ?? (existsSync(join(repoDir, "kubernetes")) ? "kubernetes" : ".");
    const rootFlag = override.clusterRoot ? ["--cluster-root", override.clusterRoot] : [];
    // the roots homeops discovers (what measure-corpus.mjs reports), or the override
    const discovered = override.clusterRoot
      ? { roots: [{ path: override.clusterRoot, reason: "override" }] }
      : await manifests.discoverFluxRoots(repoDir);
    const fluxRoots = discovered.roots.map((r) => r.path);
    const work = mkdtempSync(join(tmpdir(), "homeops-bench-corpus-"));
    log(`== ${repo} (${target}; roots ${fluxRoots.join(", ") || "none found"}), ${corpusRuns} runs`);
    const row = {
      tools: result.tools,
      commit: result.commit,
      repo,
      target,
      roots: discovered.roots.map((r) => ({ cluster: r.cluster, path: r.path, how: r.reason })),
      yamlFiles: countYaml(repoDir),
      runs: corpusRuns,
      machineBefore: machine(),
    };
    const v = validateTasks({ repoDir, work, target, rootFlag, fluxRoots });
    Object.assign(row, v.info);
    if (parts.has("flate") && !flate.bin) row.flate = `flate ${flate.missing}`;
    row.tasks = runTasks(v.tasks, corpusRuns);
    row.ratios = ratios(row.tasks);
    if (row.tasks["flate build ks"]) row.flate = flateVerdict(row.tasks["flate build ks"]);
    row.machineAfter = machine();
    result.corpus.push(row);
    printRow(repo, row);
    rmSync(work, { recursive: true, force: true });
  }
}

function flateVerdict(t) {
  if (t.exit === 0) return "ran offline";
  if (t.objects > 0)
    return `ran offline with exit ${t.exit}: ${t.failed} failed, ${t.blocked} blocked (${Object.entries(
      t.failures ?? {},
    )
      .map(([k, n]) => `${n}× ${k}`)
      .join("; ")}); ${t.objects} objects printed`;
  return `could not run offline (exit ${t.exit}: ${t.stderrTail ?? ""})`;
}

function printRow(label, row) {
  const w = (s) => process.stdout.write(`${s}\n`);
  w(
    `\n## ${label} (${row.yamlFiles} YAML files, ${row.runs} runs; load ${row.machineBefore.loadavg[0]} → ${row.machineAfter.loadavg[0]})`,
  );
  if (row.makejinja) w(`  render: ${row.makejinja}`);
  if (row.renderOutputs)
    w(
      `  render outputs identical: ${row.renderOutputs.identical} (${row.renderOutputs.files} files${row.renderOutputs.differing ? `, ${row.renderOutputs.differing} differ: ${row.renderOutputs.differ.join(", ")}` : ""})`,
    );
  if (row.incumbent)
    w(
      `  incumbent: ${row.incumbent.pipelines} pipelines, ${row.incumbent.componentsLeftOut} Components and ${row.incumbent.remoteLeftOut} remote dirs left out, ${row.incumbent.fluxFiles} Flux root files`,
    );
  w("  | tool | wall median (min–max) | CPU median (min–max) | peak RSS median (min–max) | exit | output |");
  w("  |---|---|---|---|---|---|");
  for (const [name, t] of Object.entries(row.tasks)) {
    const s = (x, u) => `${x.median} ${u} (${x.min}–${x.max})`;
    const out =
      t.counts !== undefined
        ? JSON.stringify(t.counts)
        : t.errors !== undefined
          ? `${t.errors} errors, ${t.warnings} warnings`
          : t.files !== undefined
            ? `${t.files} files`
            : t.objects !== undefined
              ? `${t.objects} objects, ${t.failed} failed`
              : "";
    w(
      `  | ${name} | ${s(t.wall, "s")} | ${s(t.cpu, "s")} | ${s(t.rssMb, "MB")} | ${t.exit} | ${out}${t.pipelines !== undefined ? `, ${t.pipelines} pipelines, ${t.failing} failing` : ""}${t.error ? ` — ${t.error}` : ""} |`,
    );
  }
  for (const [name, r] of Object.entries(row.ratios)) w(`  ${name}: ${r.wall}× wall, ${r.cpu}× CPU`);
  if (row.flate) w(`  flate: ${row.flate}`);
}

// --------------------------------------------------------------------------------------------- output
if (!has("--no-write")) {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${date}.json`);
  const previous = existsSync(file) ? parseJson(readFileSync(file, "utf8")) : undefined;
  const merged = { ...result };
  if (previous) {
    merged.synthetic = [
      ...(previous.synthetic ?? []).filter((p) => !result.synthetic.some((r) => r.apps === p.apps)),
      ...result.synthetic,
    ].sort((a, b) => a.apps - b.apps);
    merged.corpus = [
      ...(previous.corpus ?? []).filter((p) => !result.corpus.some((r) => r.repo === p.repo)),
      ...result.corpus,
    ];
    merged.earlierRuns = [
      ...(previous.earlierRuns ?? []),
      { started: previous.started, commit: previous.commit, tools: previous.tools },
    ];
  }
  merged.targets = targets(merged);
  printTargets(merged.targets);
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  // the repository's formatter (biome) keeps short arrays on one line: committed results pass `pnpm lint`
  tryRun(join(root, "node_modules/.bin/biome"), ["format", "--write", file]);
  log(`wrote ${relative(process.cwd(), file)}`);
  if (merged.synthetic.length > 0) {
    writeFileSync(join(outDir, `${date}.svg`), chart(merged));
    log(`wrote ${relative(process.cwd(), join(outDir, `${date}.svg`))}`);
  }
}

function chart(r) {
  const names = [...new Set(r.synthetic.flatMap((row) => Object.keys(row.tasks)))];
  const series = (key) =>
    names.map((name) => ({
      name,
      points: r.synthetic
        .filter((row) => row.tasks[name])
        .map((row) => [
          row.apps,
          row.tasks[name][key].median,
          row.tasks[name][key].min,
          row.tasks[name][key].max,
        ]),
    }));
  const load = r.synthetic.map((row) => row.machineBefore.loadavg[0]);
  return lineChartSvg({
    title: `homeops vs incumbents, synthetic repositories (${r.date})`,
    subtitle: `medians, bars min–max; ${r.cpus ?? cpus().length} cores, load ${Math.min(...load)}–${Math.max(...load)}; node ${r.node}; homeops ${r.homeops ?? ""} (${r.commit ?? ""})`,
    xLabel: "N apps (log)",
    panels: [
      { title: "wall time", unit: "s", log: true, series: series("wall") },
      { title: "CPU time (user+sys)", unit: "s", log: true, series: series("cpu") },
      { title: "peak RSS", unit: "MB", log: true, series: series("rssMb") },
    ],
  });
}

/** The issue's targets, from every row of the merged results (CPU is the figure that holds on a shared machine). */
function targets(r) {
  const out = [];
  const big = r.synthetic.find((row) => row.apps === 1000) ?? r.synthetic.at(-1);
  const real = [...(r.corpus ?? [])].sort(
    (a, b) => Math.abs(a.yamlFiles - 1070) - Math.abs(b.yamlFiles - 1070),
  )[0];
  const verdict = (value, ok) => ({ value, holds: value === null || value === undefined ? null : ok(value) });
  for (const [label, row] of [
    [`synthetic N=${big?.apps}`, big],
    [`${real?.repo} (${real?.yamlFiles} YAML files)`, real],
  ]) {
    if (!row) continue;
    for (const mode of ["cold", "warm"]) {
      const q = row.ratios[`incumbent / homeops kubeconform (${mode})`];
      if (!q) continue;
      out.push({
        target: `homeops kubeconform ≥ 10× the old pipeline, ${label}, ${mode}`,
        wall: verdict(q.wall, (v) => v >= 10),
        cpu: verdict(q.cpu, (v) => v >= 10),
      });
    }
  }
  for (const row of [...r.synthetic, ...(r.corpus ?? [])]) {
    const q = row.ratios["homeops check / homeops kubeconform (warm)"];
    if (q)
      out.push({
        target: `homeops check ≤ 1.2× homeops kubeconform, ${row.repo ?? `N=${row.apps}`}`,
        wall: verdict(q.wall, (v) => v <= 1.2),
        cpu: verdict(q.cpu, (v) => v <= 1.2),
      });
  }
  if (big)
    for (const [name, t] of Object.entries(big.tasks))
      if (name.startsWith("homeops"))
        out.push({
          target: `peak RSS ≤ 500 MB at N=${big.apps}: ${name}`,
          rssMb: verdict(t.rssMb.max, (v) => v <= 500),
        });
  const rows = [...r.synthetic].sort((a, b) => a.apps - b.apps);
  if (rows.length >= 2) {
    const [lo, hi] = [rows.at(-2), rows.at(-1)];
    for (const name of Object.keys(hi.tasks)) {
      if (!lo.tasks[name]) continue;
      // growth exponent k in cpu ∝ N^k between the two largest N (1 = linear); fixed start-up cost pulls it below 1
      const k = Math.log(hi.tasks[name].cpu.median / lo.tasks[name].cpu.median) / Math.log(hi.apps / lo.apps);
      const kWall =
        Math.log(hi.tasks[name].wall.median / lo.tasks[name].wall.median) / Math.log(hi.apps / lo.apps);
      out.push({
        target: `linear growth N=${lo.apps}→${hi.apps}: ${name} (exponent, 1 = linear)`,
        wall: verdict(round(kWall, 2), (v) => v <= 1.15),
        cpu: verdict(round(k, 2), (v) => v <= 1.15),
      });
    }
  }
  const changed = big?.tasks["homeops kubeconform --changed-since"];
  const startup = big?.tasks["homeops start-up"];
  if (changed && startup) {
    out.push({
      target: `changed-only, one app of N=${big.apps}: work after start-up ≤ 100 ms (s)`,
      wall: verdict(round(changed.wall.median - startup.wall.median), (v) => v <= 0.1),
      cpu: verdict(round(changed.cpu.median - startup.cpu.median), (v) => v <= 0.1),
    });
    out.push({
      target: `changed-only, one app of N=${big.apps}: ≤ 400 ms wall with start-up (s)`,
      wall: verdict(changed.wall.median, (v) => v <= 0.4),
    });
  }
  for (const row of rows) {
    const q = row.ratios["makejinja / homeops render"];
    if (q)
      out.push({
        target: `homeops render ≥ 5× makejinja, N=${row.apps}`,
        wall: verdict(q.wall, (v) => v >= 5),
        cpu: verdict(q.cpu, (v) => v >= 5),
      });
  }
  return out;
}

function printTargets(ts) {
  const w = (s) => process.stdout.write(`${s}\n`);
  const show = (v) => (v ? `${v.value} ${v.holds === null ? "?" : v.holds ? "holds" : "MISSED"}` : "–");
  w("\n## targets");
  w("| target | wall | CPU | peak RSS (MB) |");
  w("|---|---|---|---|");
  for (const t of ts) w(`| ${t.target} | ${show(t.wall)} | ${show(t.cpu)} | ${show(t.rssMb)} |`);
}
