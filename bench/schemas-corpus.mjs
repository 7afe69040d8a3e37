#!/usr/bin/env node
// Section II of docs/real-repos.md: how much of each corpus repository the bundled catalog validates,
// offline, with an empty cache. Not a test (CI has no corpus).
//
//   node bench/schemas-corpus.mjs [--corpus /work/corpus] [--only a,b] [--json out.json] [-- extra flags]
//
// Runs the built CLI (`homeops -C <repo> kubeconform <dir> --output json`) with HOMEOPS_CACHE_DIR set to a
// fresh empty directory and prints per repository: objects by status, the share validated, the kinds
// skipped for want of a schema, and every invalid/error verdict with file:line and reason.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { builtHomeops, flag } from "./common.mjs";

const run = promisify(execFile);
const corpus = flag("--corpus", "/work/corpus");
const only = flag("--only", "").split(",").filter(Boolean);
const jsonOut = flag("--json", "");
const extra = process.argv.includes("--") ? process.argv.slice(process.argv.indexOf("--") + 1) : [];
/** Where each repository keeps its manifests and Flux entry points (the CLI's defaults otherwise). */
const LAYOUT = {
  "Apocrathia+homelab": { dir: "flux", clusterRoot: "flux/manifests" },
  "j6js+home-ops": { clusterRoot: "kubernetes/clusters/main" },
  "tcordina+home-ops": { clusterRoot: "kubernetes/clusters/main" },
  "tyriis+home-ops": { clusterRoot: "kubernetes/main/flux" },
};

const homeops = builtHomeops();
const repos = readdirSync(corpus)
  .filter((d) => statSync(join(corpus, d)).isDirectory())
  .filter((d) => only.length === 0 || only.some((o) => d.includes(o)))
  .sort();
const results = [];
/** `apiVersion Kind` → { objects, repos, origin } over the corpus: the kinds used most, and who covers them */
const kinds = new Map();
const totals = { objects: 0, valid: 0, invalid: 0, error: 0, skipped: 0, noSchema: 0, secrets: 0 };
for (const repo of repos) {
  const layout = LAYOUT[repo] ?? {};
  const cache = mkdtempSync(join(tmpdir(), "homeops-empty-cache-"));
  const args = [
    homeops,
    "-C",
    join(corpus, repo),
    "kubeconform",
    layout.dir ?? "kubernetes",
    ...(layout.clusterRoot ? ["--cluster-root", layout.clusterRoot] : []),
    "--output",
    "json",
    ...extra,
  ];
  let stdout = "";
  try {
    ({ stdout } = await run(process.execPath, args, {
      env: { ...process.env, HOMEOPS_CACHE_DIR: cache, NO_COLOR: "1" },
      maxBuffer: 1 << 30,
    }));
  } catch (error) {
    stdout = error.stdout ?? "";
    if (!stdout) {
      results.push({ repo, failure: String(error.stderr || error.message).slice(0, 500) });
      console.log(`== ${repo}: run failed: ${String(error.stderr || error.message).slice(0, 300)}`);
      continue;
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  const report = JSON.parse(stdout);
  const objects = report.data?.objects ?? [];
  const counts = report.data?.counts ?? {};
  const noSchema = report.data?.noSchema ?? {};
  const secrets = objects.filter((o) => o.status === "skipped" && o.reason?.startsWith("kind ")).length;
  const missing = Object.values(noSchema).reduce((a, b) => a + b, 0);
  const bad = objects
    .filter((o) => o.status === "invalid" || o.status === "error")
    .map((o) => ({
      object: `${o.apiVersion} ${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`,
      status: o.status,
      source: o.source,
      reason: o.reason,
      violations: o.violations.map((v) => `${v.file}:${v.line} ${v.path}: ${v.message}`),
    }));
  for (const o of objects) {
    const key = `${o.apiVersion} ${o.kind}`;
    const entry = kinds.get(key) ?? { objects: 0, repos: new Set(), origins: new Set() };
    entry.objects++;
    entry.repos.add(repo);
    entry.origins.add(o.schemaOrigin ?? (o.reason === "no schema" ? "none" : (o.reason ?? o.status)));
    kinds.set(key, entry);
  }
  const byRule = {};
  const notDeclared = {};
  for (const f of report.findings ?? []) {
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    if (f.ruleId === "kubeconform/pruned-field" || f.ruleId === "kubeconform/unresolved-variable") {
      const key = `${f.ruleId.split("/")[1]}: ${f.message
        .replace(/^(\S+) \S+: /, "$1 ")
        .replace(/ \(.*$/, "")
        .replace(/: not in the CRD schema$/, "")}`;
      notDeclared[key] = (notDeclared[key] ?? 0) + 1;
    }
  }
  const result = { repo, objects: objects.length, counts, secrets, noSchema, bad, byRule, notDeclared };
  results.push(result);
  totals.objects += objects.length;
  for (const k of ["valid", "invalid", "error", "skipped"]) totals[k] += counts[k] ?? 0;
  totals.noSchema += missing;
  totals.secrets += secrets;
  const validated = (counts.valid ?? 0) + (counts.invalid ?? 0);
  console.log(
    `== ${repo}: ${objects.length} objects, valid ${counts.valid}, invalid ${counts.invalid}, error ${counts.error}, skipped ${counts.skipped} (no schema ${missing}, --skip ${secrets}); validated ${pct(validated, objects.length - secrets)}`,
  );
  for (const [kind, n] of Object.entries(noSchema).sort((a, b) => b[1] - a[1]))
    console.log(`   no schema: ${kind} ×${n}`);
  console.log(
    `   findings: ${Object.entries(byRule)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
  );
  for (const [k, n] of Object.entries(notDeclared).sort((a, b) => b[1] - a[1])) console.log(`   ${k} ×${n}`);
  for (const b of bad) {
    console.log(`   ${b.status}: ${b.object} (${b.source})${b.reason ? ` ${b.reason}` : ""}`);
    for (const v of b.violations) console.log(`      ${v}`);
  }
}
const validated = totals.valid + totals.invalid;
console.log(
  `\nTOTAL ${repos.length} repositories: ${totals.objects} objects, valid ${totals.valid}, invalid ${totals.invalid}, error ${totals.error}, skipped ${totals.skipped} (no schema ${totals.noSchema}, --skip ${totals.secrets}); the catalog validated ${pct(validated, totals.objects - totals.secrets)} of the objects not skipped by --skip`,
);
console.log("\nkinds used most (objects, repositories, schema origin):");
for (const [key, k] of [...kinds].sort((a, b) => b[1].objects - a[1].objects).slice(0, 60)) {
  console.log(`  ${key} ×${k.objects} (${k.repos.size}) ${[...k.origins].join("/")}`);
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ totals, results }, null, 2)}\n`);

function pct(a, b) {
  return b === 0 ? "n/a" : `${((100 * a) / b).toFixed(1)}%`;
}
