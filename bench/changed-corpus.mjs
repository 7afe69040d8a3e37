#!/usr/bin/env node
// Changed-only runs on real repositories: the snapshot an earlier run kept, updated for an edit, against a
// full build for the same edit. Not a test: it reads repositories CI does not have (../shared/REAL-REPOS.md).
//
//   node bench/changed-corpus.mjs [--corpus /work/corpus] [--only a,b] [--edits 6] [--seed 1] [--json out.json]
//
// Per repository, on a copy: a changed-only run on the committed tree keeps the snapshot; then per edit (a scalar of a YAML file that
// is no kustomization file changed, the file chosen at random) `homeops kubeconform --changed-since HEAD`
// twice, with the kept snapshot and with the same warm caches less the snapshot (the whole graph assembled,
// unchanged builds restored), and the two reports compared (findings, cases, counts, objects, the
// selection); then the edit undone and the snapshot brought back.
// Prints how many edits updated the snapshot, why the others built in full, mismatches, and the median
// wall time of each way.
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { builtHomeops, flag } from "./common.mjs";

const run = promisify(execFile);
const corpus = flag("--corpus", "/work/corpus");
const only = flag("--only", "")
  .split(",")
  .filter((s) => s !== "");
const edits = Number(flag("--edits", "6"));
const jsonOut = flag("--json", "");
const homeops = builtHomeops();
let seed = Number(flag("--seed", "1")) >>> 0;
const random = () => {
  // mulberry32: the same edits on every run
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const repos = readdirSync(corpus)
  .filter((d) => statSync(join(corpus, d)).isDirectory())
  .filter((d) => only.length === 0 || only.some((o) => d.includes(o)))
  .sort();

/** What a report says, without timings. */
function verdict(stdout) {
  const j = JSON.parse(stdout);
  return JSON.stringify({
    findings: j.findings,
    cases: j.cases,
    counts: j.data?.counts,
    objects: j.data?.objects,
    changed: j.data?.changedOnly?.changed,
    affected: j.data?.changedOnly?.affected,
    of: j.data?.changedOnly?.of,
  });
}

async function kubeconform(dir, target, cache) {
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    [homeops, "-C", dir, "kubeconform", target, "-o", "json", "--changed-since", "HEAD"],
    { env: { ...process.env, HOMEOPS_CACHE_DIR: cache }, maxBuffer: 1 << 30 },
  ).catch((e) => e); // findings exit 1
  return { stdout, wall: (performance.now() - started) / 1000 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor(s.length / 2)];
};

const results = [];
for (const repo of repos) {
  const work = mkdtempSync(join(tmpdir(), "homeops-changed-corpus-"));
  const dir = join(work, repo.replace("+", "-"));
  cpSync(join(corpus, repo), dir, { recursive: true });
  const git = (...args) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });
  const target = statSync(join(dir, "kubernetes"), { throwIfNoEntry: false })?.isDirectory()
    ? "kubernetes"
    : ".";
  const kept = join(work, "cache-kept");
  await run(
    process.execPath,
    [homeops, "-C", dir, "kubeconform", target, "-o", "json", "--changed-since", "HEAD"],
    {
      env: { ...process.env, HOMEOPS_CACHE_DIR: kept },
      maxBuffer: 1 << 30,
    },
  ).catch(() => {});
  const files = git("ls-files", "-z")
    .split("\0")
    .filter((f) => f.startsWith(target === "." ? "" : `${target}/`) && /\.ya?ml$/.test(f))
    .filter((f) => !/(^|\/)kustomization\.ya?ml$/.test(f));
  const result = { repo, edits: 0, updated: 0, reasons: {}, mismatches: [], wall: { updated: [], full: [] } };
  for (let i = 0; i < edits && files.length > 0; i++) {
    const file = files[Math.floor(random() * files.length)];
    const lines = readFileSync(join(dir, file), "utf8").split("\n");
    const scalars = lines
      .map((line, n) => ({ line, n }))
      .filter(({ line }) => /^\s*-?\s*[\w./-]+: [^|>&*{[\s#'"]/.test(line) && !line.includes("${"));
    if (scalars.length === 0) continue;
    const { line, n } = scalars[Math.floor(random() * scalars.length)];
    lines[n] = /: \d+$/.test(line) ? line.replace(/\d+$/, (d) => String(Number(d) + 1)) : `${line}x`;
    writeFileSync(join(dir, file), lines.join("\n"));
    const what = `${file}:${n + 1}`;
    // the warm caches without the snapshot, copied before the run that updates it
    const warm = mkdtempSync(join(work, "cache-warm-"));
    cpSync(kept, warm, { recursive: true });
    rmSync(join(warm, "parse/snapshots.bin"), { force: true });
    const updated = await kubeconform(dir, target, kept);
    const full = await kubeconform(dir, target, warm);
    rmSync(warm, { recursive: true, force: true });
    result.edits++;
    const how = JSON.parse(updated.stdout).data?.changedOnly?.snapshot ?? "(none)";
    if (how.startsWith("updated")) {
      result.updated++;
      result.wall.updated.push(updated.wall);
    } else {
      const reason = how.replace(/^built in full: /, "").replace(/ [^ ]*\/[^ ]* /, " <file> ");
      result.reasons[reason] = (result.reasons[reason] ?? 0) + 1;
    }
    result.wall.full.push(full.wall);
    if (verdict(updated.stdout) !== verdict(full.stdout)) result.mismatches.push(what);
    git("checkout", "-q", "--", ".");
    await kubeconform(dir, target, kept); // the snapshot follows the committed tree again
  }
  rmSync(work, { recursive: true, force: true });
  results.push(result);
  console.log(
    `${repo}: ${result.updated}/${result.edits} edits updated the snapshot (median ${median(result.wall.updated)?.toFixed(2) ?? "–"} s; without the snapshot ${median(result.wall.full)?.toFixed(2) ?? "–"} s), ${result.mismatches.length} mismatches${result.mismatches.length ? ` (${result.mismatches.join(", ")})` : ""}; built in full: ${JSON.stringify(result.reasons)}`,
  );
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
