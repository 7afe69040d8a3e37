#!/usr/bin/env node
// Benchmark (not a test): `homeops check` on a synthetic repo of N apps. The check reads the repository
// once, builds every Flux Kustomization once and runs the rules over that build's parse (RepoGraph.files),
// all in one process; this prints how the time splits and the rules' share of the total.
// Usage: node bench/check.mjs [--apps 200] [--runs 5] [--keep <dir>]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtHomeops, flag } from "./common.mjs";
import { generateRepo } from "./generate-repo.mjs";

const apps = Number(flag("--apps", "200"));
const runs = Number(flag("--runs", "5"));
const keep = flag("--keep", undefined);

const homeops = builtHomeops();

const repo = keep ?? mkdtempSync(join(tmpdir(), "homeops-bench-check-"));
generateRepo(repo, apps);

const samples = [];
for (let i = 0; i < runs; i++) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [homeops, "-C", repo, "check", "--output", "json"], {
    encoding: "utf8",
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status === 2) {
    process.stderr.write(run.stderr);
    process.exit(2);
  }
  const report = JSON.parse(run.stdout);
  samples.push({
    ...report.data.timingsMs,
    wall,
    findings: report.findings.length,
    files: report.data.filesChecked,
    reparsed: report.data.filesParsedOutsideBuild.length,
  });
}

const median = (key) => {
  const values = samples.map((s) => s[key]).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
};
const m = {
  read: median("read"),
  build: median("build"),
  rules: median("rules"),
  total: median("total"),
  wall: median("wall"),
};
const last = samples.at(-1);
process.stdout.write(
  [
    `homeops check, ${apps} apps (${last.files} files, ${last.findings} findings), median of ${runs} runs:`,
    `  YAML files parsed by the rules themselves (no build reads them): ${last.reparsed}`,
    `  read ${m.read} ms, build ${m.build} ms, rules ${m.rules} ms; check total ${m.total} ms, process wall ${m.wall.toFixed(0)} ms`,
    `  rules' share of the check: ${((100 * m.rules) / m.total).toFixed(1)}% (build ${((100 * m.build) / m.total).toFixed(1)}%)`,
    "",
  ].join("\n"),
);
if (!keep) rmSync(repo, { recursive: true, force: true });
