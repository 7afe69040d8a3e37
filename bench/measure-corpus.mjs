#!/usr/bin/env node
// Measures homeops on a directory of home-ops checkouts (the development corpus of
// ../shared/REAL-REPOS.md). Not a test: it reads repositories that CI does not have.
//
//   node bench/measure-corpus.mjs [--corpus /work/corpus] [--only a,b] [--json out.json]
//     [--overrides overrides.json] [--no-oracle] [--no-cli] [--kustomize] [--diffs <dir>]
//
// Per repository: the Flux roots found and how; Flux Kustomizations discovered / built / errored (by
// rule id); with tools/flux-build, the share of built Kustomizations equal to the oracle's build; with
// --kustomize, `kustomize build --load-restrictor=LoadRestrictionsNone` parity on every local
// kustomization directory; objects by status and skip reasons and `homeops check` findings by rule and
// severity (the built CLI run as a child under /usr/bin/time -v: wall time and peak RSS).
//
// --overrides: JSON `{ "<owner+name>": { "dir": "kubernetes", "clusterRoot": "kubernetes/flux/cluster" } }`
// for repositories whose root homeops does not discover (yet).
import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { builtHomeops, flag, root } from "./common.mjs";

const run = promisify(execFile);
const args = process.argv.slice(2);
const has = (name) => args.includes(name);
const corpus = flag("--corpus", "/work/corpus");
const only = flag("--only", "")
  .split(",")
  .filter((s) => s !== "");
const jsonOut = flag("--json", "");
const diffDir = flag("--diffs", "");
const overrides = flag("--overrides", "") ? JSON.parse(readFileSync(flag("--overrides", ""), "utf8")) : {};
const oracleBin = join(root, ".tools/bin/flux-build");
const kustomizeBin = join(root, ".tools/bin/kustomize");
const useOracle = !has("--no-oracle") && existsSync(oracleBin);
const useCli = !has("--no-cli");
const useKustomize = has("--kustomize") && existsSync(kustomizeBin) && existsSync(oracleBin);

const manifests = await import(join(root, "packages/manifests/dist/index.js"));
const { KUSTOMIZATION_FILES, walkTree } = await import(join(root, "packages/core/dist/index.js"));
const homeops = useCli ? builtHomeops() : undefined;

const repos = readdirSync(corpus)
  .filter((d) => statSync(join(corpus, d)).isDirectory())
  .filter((d) => only.length === 0 || only.some((o) => d.includes(o)))
  .sort();

const results = [];
for (const repo of repos) {
  process.stderr.write(`== ${repo}\n`);
  const dir = join(corpus, repo);
  const result = { repo, roots: [], kustomizations: {}, oracle: undefined, kustomize: undefined, cli: {} };
  try {
    await measureRepo(dir, repo, result);
  } catch (error) {
    result.failure = String(error?.stack ?? error);
  }
  results.push(result);
  printRepo(result);
}
printTable(results);
if (jsonOut) await writeFile(jsonOut, `${JSON.stringify(results, null, 2)}\n`);

async function measureRepo(dir, repo, result) {
  const override = overrides[repo] ?? {};
  const roots = await findRoots(dir, override);
  result.roots = roots.map((r) => ({ cluster: r.cluster, path: r.path, how: r.how }));
  const graphs = [];
  for (const r of roots) {
    const graph = await manifests.buildRepoGraph(dir, {
      clusterRoot: r.path,
      ...(r.options ?? {}),
    });
    for (const k of graph.kustomizations) k.strict = r.strict ?? true;
    graphs.push({ root: r, graph });
  }
  result.kustomizations = countKustomizations(graphs);
  if (useOracle) result.oracle = await oracleParity(dir, repo, graphs);
  if (useKustomize) result.kustomize = await kustomizeParity(dir, repo);
  if (useCli) result.cli = await runCli(dir, override, roots);
}

/** The roots the library discovers (`discoverFluxRoots` when it exists), else the override/default. */
async function findRoots(dir, override) {
  if (override.clusterRoot) return [{ path: override.clusterRoot, how: "override" }];
  if (typeof manifests.discoverFluxRoots === "function") {
    const found = await manifests.discoverFluxRoots(dir);
    if (found.roots.length === 0)
      return [{ path: "kubernetes/flux", how: `nothing found (${found.lookedFor.length} patterns)` }];
    return found.roots.map((r) => ({
      cluster: r.cluster,
      path: r.path,
      how: `${r.source}: ${r.reason}${r.strictReason ? `; strict=${r.strict} from ${r.strictReason}` : ""}`,
      options: {
        ...(r.strict !== undefined ? { strict: r.strict } : {}),
        ...(r.url ? { repositoryUrl: r.url } : {}),
        ...(r.repositorySources ? { repositorySources: r.repositorySources } : {}),
      },
      strict: r.strict ?? true,
    }));
  }
  return [{ path: "kubernetes/flux", how: "default (no discovery)" }];
}

function countKustomizations(graphs) {
  const out = { discovered: 0, built: 0, error: 0, skipped: 0, errorsByRule: {}, warningsByRule: {} };
  for (const { graph } of graphs) {
    for (const ks of graph.kustomizations) {
      out.discovered++;
      out[ks.status]++;
    }
    for (const f of graph.findings) {
      const bucket =
        f.severity === "error" ? out.errorsByRule : f.severity === "warning" ? out.warningsByRule : undefined;
      if (bucket) bucket[f.ruleId] = (bucket[f.ruleId] ?? 0) + 1;
    }
  }
  return out;
}

/**
 * Builds every built Flux Kustomization with tools/flux-build (one batch per graph over one copy of the
 * repository) and compares the object sets as oracle.test.ts does. Kustomizations with skipped remote
 * inputs are compared with those inputs removed from the oracle's copy.
 */
async function oracleParity(dir, repo, graphs) {
  const out = { compared: 0, equal: 0, differ: [], oracleFailed: [], bothFailed: 0, oursOnlyFailed: [] };
  for (const { graph } of graphs) {
    const tmp = await mkdtemp(join(tmpdir(), "measure-oracle-"));
    try {
      await cp(dir, tmp, { recursive: true, filter: (s) => !s.includes("/.git/") && !s.endsWith("/.git") });
      for (const skipped of graph.skippedRemote) {
        const file = join(tmp, skipped.kustomization);
        const lines = (await readFile(file, "utf8")).split("\n");
        lines[skipped.line - 1] = "";
        await writeFile(file, lines.join("\n"));
      }
      const nodes = graph.kustomizations.filter((k) => k.status !== "skipped");
      const entries = nodes.map((node) => {
        const spec = structuredClone(node.spec);
        if (spec.postBuild) {
          delete spec.postBuild.substituteFrom;
          spec.postBuild.substitute = { ...node.variables };
        }
        return {
          kustomization: {
            apiVersion: "kustomize.toolkit.fluxcd.io/v1",
            kind: "Kustomization",
            metadata: { name: node.name, namespace: node.namespace },
            spec,
          },
          strict: node.strict ?? true,
        };
      });
      const batchFile = join(tmp, ".measure-batch.json");
      await writeFile(batchFile, JSON.stringify(entries));
      const repoSource = graph.sources.find((s) => s.isRepoRoot);
      const ignoreArgs = [];
      if (typeof repoSource?.spec.ignore === "string") {
        const ignoreFile = join(tmpdir(), `measure-ignore-${process.pid}.txt`);
        await writeFile(ignoreFile, repoSource.spec.ignore);
        ignoreArgs.push("--source-ignore", ignoreFile);
      }
      const { stdout } = await run(oracleBin, ["--root", tmp, "--batch", batchFile, ...ignoreArgs], {
        maxBuffer: 1024 * 1024 * 1024,
      });
      const theirs = JSON.parse(stdout);
      for (const [i, node] of nodes.entries()) {
        const id = `${node.namespace}/${node.name}`;
        const t = theirs[i];
        if (node.status === "error") {
          if (t.error !== undefined) out.bothFailed++;
          else
            out.oursOnlyFailed.push({
              id,
              findings: node.findings
                .filter((f) => f.severity === "error")
                .map((f) => `${f.file}:${f.line}: ${f.ruleId}: ${f.message}`)
                .slice(0, 3),
            });
          continue;
        }
        out.compared++;
        if (t.error !== undefined) {
          out.oracleFailed.push({ id, error: t.error.slice(0, 300) });
          continue;
        }
        const ours = JSON.stringify(normalizeObjects(node.objects.map((o) => o.object)));
        const expected = JSON.stringify(normalizeObjects(t.objects ?? []));
        if (ours === expected) out.equal++;
        else {
          out.differ.push({
            id,
            path: node.path,
            first: firstDifference(
              node.objects.map((o) => o.object),
              t.objects,
            ),
          });
          if (diffDir) {
            await mkdir(diffDir, { recursive: true });
            const base = join(diffDir, `${repo}__${node.namespace}__${node.name}`);
            await writeFile(
              `${base}.ours.json`,
              JSON.stringify(normalizeObjects(node.objects.map((o) => o.object)), null, 2),
            );
            await writeFile(
              `${base}.oracle.json`,
              JSON.stringify(normalizeObjects(t.objects ?? []), null, 2),
            );
          }
        }
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  return out;
}

/** Every local kustomization directory: our buildKustomizationDir vs the kustomize CLI. */
async function kustomizeParity(dir, repo) {
  const out = {
    dirs: 0,
    equal: 0,
    bothRefused: 0,
    remote: [],
    differ: [],
    oursOnlyRefused: [],
    theirsOnlyRefused: [],
  };
  const dirs = findKustomizationDirs(dir);
  for (const d of dirs) {
    out.dirs++;
    const ours = await manifests.buildKustomizationDir(dir, d, {});
    const oursFailed = ours.findings.some((f) => f.severity === "error");
    if (ours.skippedRemote.length > 0) {
      // remote inputs: kustomize fetches them, we do not offline: not comparable without the network
      out.remote.push({ dir: d, urls: ours.skippedRemote.map((r) => r.url).slice(0, 3) });
      continue;
    }
    let theirs;
    try {
      const { stdout } = await run(kustomizeBin, ["build", "--load-restrictor=LoadRestrictionsNone", d], {
        cwd: dir,
        maxBuffer: 512 * 1024 * 1024,
      });
      theirs = await yamlToJson(stdout);
    } catch (error) {
      theirs = {
        error: String(error.stderr ?? error)
          .trim()
          .split("\n")
          .slice(-1)[0]
          ?.slice(0, 300),
      };
    }
    if (theirs.error !== undefined) {
      if (oursFailed) out.bothRefused++;
      else out.theirsOnlyRefused.push({ dir: d, error: theirs.error });
      continue;
    }
    if (oursFailed) {
      out.oursOnlyRefused.push({
        dir: d,
        findings: ours.findings
          .filter((f) => f.severity === "error")
          .map((f) => `${f.file}:${f.line}: ${f.ruleId}: ${f.message}`)
          .slice(0, 3),
      });
      continue;
    }
    const a = JSON.stringify(normalizeObjects(ours.objects.map((o) => o.object)));
    const b = JSON.stringify(normalizeObjects(theirs));
    if (a === b) out.equal++;
    else {
      out.differ.push({
        dir: d,
        first: firstDifference(
          ours.objects.map((o) => o.object),
          theirs,
        ),
      });
      if (diffDir) {
        await mkdir(diffDir, { recursive: true });
        const base = join(diffDir, `${repo}__kustomize__${d.replaceAll("/", "_")}`);
        await writeFile(
          `${base}.ours.json`,
          JSON.stringify(normalizeObjects(ours.objects.map((o) => o.object)), null, 2),
        );
        await writeFile(`${base}.kustomize.json`, JSON.stringify(normalizeObjects(theirs), null, 2));
      }
    }
  }
  return out;
}

function yamlToJson(text) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(oracleBin, ["--yaml-to-json"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) =>
      code === 0 ? resolvePromise(JSON.parse(stdout)) : reject(new Error(stderr)),
    );
    child.stdin.end(text);
  });
}

function findKustomizationDirs(repoDir) {
  const enter = (_, name) => !name.startsWith(".") && name !== "node_modules";
  const dirs = walkTree(repoDir, ".", { enter })
    .filter((e) => e.kind === "file" && KUSTOMIZATION_FILES.includes(e.name))
    .map((e) => dirname(e.path));
  return [...new Set(dirs)].sort();
}

/** `homeops kubeconform` and `homeops check` as child processes: counts, wall time, peak RSS. */
async function runCli(dir, override, roots) {
  const target = override.dir ?? (existsSync(join(dir, "kubernetes")) ? "kubernetes" : ".");
  const rootFlag = override.clusterRoot ? ["--cluster-root", override.clusterRoot] : [];
  const out = {};
  const kc = await timed(["-C", dir, "kubeconform", target, "-o", "json", ...rootFlag]);
  out.kubeconform = { wallSeconds: kc.wall, peakRssMb: kc.rssMb, exit: kc.code };
  const kcJson = parseJson(kc.stdout);
  if (kcJson) {
    const data = kcJson.data ?? kcJson;
    out.kubeconform.counts = data.counts;
    const reasons = {};
    for (const o of data.objects ?? []) {
      if (o.status === "skipped" || o.status === "error") {
        const reason = `${o.status}: ${(o.reason ?? "").replace(/ for .*$/, "").slice(0, 80)}`;
        reasons[reason] = (reasons[reason] ?? 0) + 1;
      }
    }
    out.kubeconform.reasons = reasons;
    if (data.unreached) out.kubeconform.unreached = data.unreached.length ?? data.unreached;
    out.kubeconform.findingsByRule = byRule(kcJson.findings ?? []);
  } else out.kubeconform.stderr = kc.stderr.slice(-500);
  const ck = await timed(["-C", dir, "check", ".", "-o", "json", ...rootFlag]);
  out.check = { wallSeconds: ck.wall, peakRssMb: ck.rssMb, exit: ck.code };
  const ckJson = parseJson(ck.stdout);
  if (ckJson) out.check.findingsByRule = byRule(ckJson.findings ?? []);
  else out.check.stderr = ck.stderr.slice(-500);
  void roots;
  return out;
}

function byRule(findings) {
  const out = {};
  for (const f of findings) {
    const key = `${f.severity} ${f.ruleId}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function timed(cliArgs) {
  return new Promise((resolvePromise) => {
    const child = spawn("/usr/bin/time", ["-v", process.execPath, homeops, ...cliArgs], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => {
      const wallMatch = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
        stderr,
      );
      const wall = wallMatch
        ? Number(wallMatch[1] ?? 0) * 3600 + Number(wallMatch[2]) * 60 + Number(wallMatch[3])
        : undefined;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolvePromise({
        code,
        stdout,
        stderr: stderr.replace(/\n\tCommand being timed[\s\S]*$/, ""),
        wall,
        rssMb: rss ? Math.round(Number(rss[1]) / 1024) : undefined,
      });
    });
  });
}

/** Same normal form as packages/manifests/src/testing/oracle.ts. */
function normalizeObjects(objects) {
  const norm = (v) => {
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === "object") {
      const o = {};
      for (const k of Object.keys(v).sort()) o[k] = norm(v[k]);
      return o;
    }
    return v;
  };
  const id = (o) => `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? ""}|${o.metadata?.name ?? ""}`;
  return objects
    .map((o) => JSON.parse(JSON.stringify(o)))
    .map(norm)
    .sort((a, b) => id(a).localeCompare(id(b)));
}

/** A one-line description of the first object/field where two builds differ. */
function firstDifference(oursRaw, theirsRaw) {
  const ours = normalizeObjects(oursRaw);
  const theirs = normalizeObjects(theirsRaw);
  const id = (o) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;
  const theirIds = new Map(theirs.map((o) => [id(o), o]));
  const ourIds = new Map(ours.map((o) => [id(o), o]));
  for (const k of ourIds.keys()) if (!theirIds.has(k)) return `only ours: ${k}`;
  for (const k of theirIds.keys()) if (!ourIds.has(k)) return `only oracle: ${k}`;
  for (const [k, o] of ourIds) {
    const path = diffPath(o, theirIds.get(k), []);
    if (path) return `${k}: ${path}`;
  }
  return "order/duplicates";
}

function diffPath(a, b, path) {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const p = diffPath(a[k], b[k], [...path, k]);
      if (p) return p;
    }
  }
  const show = (v) => (v === undefined ? "∅" : JSON.stringify(v).slice(0, 80));
  return `${path.join(".")}: ours ${show(a)} ≠ oracle ${show(b)}`;
}

function printRepo(r) {
  const w = (s) => process.stdout.write(`${s}\n`);
  w(`\n## ${r.repo}`);
  if (r.failure) w(`  FAILED: ${r.failure.split("\n").slice(0, 3).join(" | ")}`);
  for (const root of r.roots)
    w(`  root: ${root.cluster ? `[${root.cluster}] ` : ""}${root.path} (${root.how})`);
  const k = r.kustomizations;
  w(
    `  Flux Kustomizations: ${k.discovered} discovered, ${k.built} built, ${k.error} error, ${k.skipped} skipped`,
  );
  for (const [rule, n] of Object.entries(k.errorsByRule ?? {})) w(`    error ${rule}: ${n}`);
  if (r.oracle) {
    const o = r.oracle;
    w(
      `  oracle: ${o.equal}/${o.compared} equal, ${o.differ.length} differ, ${o.oracleFailed.length} oracle-only failures, ${o.oursOnlyFailed.length} ours-only failures, ${o.bothFailed} both failed`,
    );
    for (const d of o.differ.slice(0, 10)) w(`    differ ${d.id}: ${d.first}`);
    for (const d of o.oracleFailed.slice(0, 5)) w(`    oracle failed ${d.id}: ${d.error}`);
    for (const d of o.oursOnlyFailed.slice(0, 10)) w(`    ours failed ${d.id}: ${d.findings.join(" ; ")}`);
  }
  if (r.kustomize) {
    const o = r.kustomize;
    w(
      `  kustomize: ${o.dirs} dirs, ${o.equal} equal, ${o.bothRefused} refused by both, ${o.differ.length} differ, ${o.oursOnlyRefused.length} refused by us only, ${o.theirsOnlyRefused.length} refused by kustomize only`,
    );
    for (const d of o.differ.slice(0, 10)) w(`    differ ${d.dir}: ${d.first}`);
    for (const d of o.oursOnlyRefused.slice(0, 10)) w(`    ours refused ${d.dir}: ${d.findings.join(" ; ")}`);
    for (const d of o.theirsOnlyRefused.slice(0, 10)) w(`    kustomize refused ${d.dir}: ${d.error}`);
  }
  for (const [name, c] of Object.entries(r.cli ?? {})) {
    w(
      `  ${name}: exit ${c.exit}, ${c.wallSeconds?.toFixed(2)} s, ${c.peakRssMb} MB${c.counts ? `, objects ${JSON.stringify(c.counts)}` : ""}${c.unreached !== undefined ? `, ${c.unreached} dirs not reached` : ""}`,
    );
    for (const [reason, n] of Object.entries(c.reasons ?? {})) w(`    ${reason}: ${n}`);
    for (const [rule, n] of Object.entries(c.findingsByRule ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12))
      w(`    ${rule}: ${n}`);
    if (c.stderr) w(`    stderr: ${c.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  }
}

function printTable(rs) {
  const w = (s) => process.stdout.write(`${s}\n`);
  w(
    "\n| repository | roots | Flux Ks (built/error/skipped) | oracle equal | kustomize equal / refused both | objects valid/invalid/error/skipped | check errors/warnings | kubeconform wall, RSS |",
  );
  w("|---|---|---|---|---|---|---|---|");
  for (const r of rs) {
    const k = r.kustomizations;
    const o = r.oracle;
    const kz = r.kustomize;
    const kc = r.cli?.kubeconform;
    const counts = kc?.counts;
    const ck = r.cli?.check?.findingsByRule ?? {};
    const sum = (sev) =>
      Object.entries(ck)
        .filter(([key]) => key.startsWith(`${sev} `))
        .reduce((a, [, n]) => a + n, 0);
    w(
      `| ${r.repo} | ${r.roots.map((x) => `${x.cluster ? `${x.cluster}: ` : ""}${x.path}`).join(", ")} | ${k.built ?? 0}/${k.error ?? 0}/${k.skipped ?? 0} | ${o ? `${o.equal}/${o.compared}` : "–"} | ${kz ? `${kz.equal}/${kz.dirs - kz.remote.length} · ${kz.bothRefused}` : "–"} | ${counts ? `${counts.valid}/${counts.invalid}/${counts.error}/${counts.skipped}` : "–"} | ${r.cli?.check ? `${sum("error")}/${sum("warning")}` : "–"} | ${kc?.wallSeconds !== undefined ? `${kc.wallSeconds.toFixed(1)} s, ${kc.peakRssMb} MB` : "–"} |`,
    );
  }
}
