#!/usr/bin/env node
// Benchmark (not a test): build + validate a synthetic repo of N apps two ways and print the ratio.
//   incumbent: the old kubeconform.sh — kubeconform on kubernetes/flux/*.yaml, then for every directory
//              with a kustomization.yaml: `kustomize build <dir> | kubeconform -strict …` (one pipeline each)
//   homeops:   `homeops kubeconform kubernetes` (one process: every Flux Kustomization built in-process,
//              substitution applied, every object validated)
// Both validate against the same schemas (packages/schema/catalog), so neither touches the network.
// Usage: node bench/run.mjs [--apps 200] [--runs 3] [--keep <dir>] [--repo <existing repo, e.g. .>]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { builtHomeops, flag, root } from "./common.mjs";
import { generateRepo } from "./generate-repo.mjs";

const apps = Number(flag("--apps", "200"));
const runs = Number(flag("--runs", "3"));
const keep = flag("--keep", undefined);
const existing = flag("--repo", undefined);

function tool(name) {
  const found = findExecutable(name, [join(root, ".tools/bin"), process.env.PATH, join(homedir(), "go/bin")]);
  if (found) return found;
  process.stderr.write(`${name} not found (bash scripts/setup.sh --oracles installs it)\n`);
  process.exit(2);
}

const homeops = builtHomeops();
const { findExecutable } = await import(join(root, "packages/core/dist/index.js"));
const kustomize = tool("kustomize");
const kubeconform = tool("kubeconform");
const schemaLocation = join(
  root,
  "packages/schema/catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json",
);
const kubeconformArgs = [
  "-strict",
  "-ignore-missing-schemas",
  "-skip",
  "Secret",
  "-schema-location",
  schemaLocation,
];

const repo = existing
  ? resolve(existing)
  : keep
    ? resolve(keep)
    : mkdtempSync(join(tmpdir(), "homeops-bench-"));
if (!existing) generateRepo(repo, apps);
const kubernetesDir = join(repo, "kubernetes");

function kustomizationDirs(dir, out = []) {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name === "kustomization.yaml")) out.push(dir);
  for (const e of entries) if (e.isDirectory()) kustomizationDirs(join(dir, e.name), out);
  return out;
}

/** The incumbent pipeline; returns [seconds, objects validated, failures]. */
function incumbent() {
  const start = process.hrtime.bigint();
  let failures = 0;
  let pipelines = 0;
  const fluxFiles = readdirSync(join(kubernetesDir, "flux/cluster"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(kubernetesDir, "flux/cluster", f));
  const direct = spawnSync(kubeconform, [...kubeconformArgs, ...fluxFiles], { encoding: "utf8" });
  if (direct.status !== 0) failures++;
  for (const dir of kustomizationDirs(join(kubernetesDir, "apps"))) {
    // like kubeconform.sh: each directory with a kustomization.yaml (components excluded: kustomize refuses them)
    const built = spawnSync(kustomize, ["build", dir, "--load-restrictor=LoadRestrictionsNone"], {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    if (built.status !== 0) {
      failures++;
      continue;
    }
    const checked = spawnSync(kubeconform, kubeconformArgs, { input: built.stdout, encoding: "utf8" });
    if (checked.status !== 0) failures++;
    pipelines++;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, pipelines, failures };
}

/** `homeops kubeconform`; `cacheDir` undefined = cold (every schema compiled in this run). */
function ours(cacheDir) {
  const start = process.hrtime.bigint();
  const args = [homeops, "-C", repo, "kubeconform", "kubernetes", "--output", "json"];
  const result = spawnSync(process.execPath, cacheDir ? args : [...args, "--no-schema-cache"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...(cacheDir ? { HOMEOPS_CACHE_DIR: cacheDir } : {}) },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let counts = {};
  try {
    counts = JSON.parse(result.stdout).data.counts;
  } catch {
    process.stderr.write(result.stderr);
  }
  return { seconds, status: result.status, counts };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cache = mkdtempSync(join(tmpdir(), "homeops-bench-cache-"));
ours(cache); // fills the compile cache for the warm runs
const theirs = [];
const cold = [];
const warm = [];
let last;
for (let i = 0; i < runs; i++) {
  const a = incumbent();
  const b = ours(undefined);
  const c = ours(cache);
  theirs.push(a.seconds);
  cold.push(b.seconds);
  warm.push(c.seconds);
  last = { a, b };
}
rmSync(cache, { recursive: true, force: true });
const t = median(theirs);
const m = median(cold);
const w = median(warm);
process.stdout.write(
  [
    existing ? `repository: ${repo}` : `synthetic repo: ${apps} apps (${repo})`,
    `incumbent       kustomize build | kubeconform per kustomization: ${t.toFixed(2)} s median of ${runs} (${last.a.pipelines} pipelines, ${last.a.failures} failing)`,
    `homeops (cold)  homeops kubeconform, every schema compiled: ${m.toFixed(2)} s median of ${runs} (exit ${last.b.status}, ${JSON.stringify(last.b.counts)})`,
    `homeops (warm)  homeops kubeconform, compiled schemas from the cache: ${w.toFixed(2)} s median of ${runs}`,
    `ratio           incumbent / homeops = ${(t / m).toFixed(1)}x cold, ${(t / w).toFixed(1)}x warm`,
    "",
  ].join("\n"),
);
if (!keep && !existing) rmSync(repo, { recursive: true, force: true });
