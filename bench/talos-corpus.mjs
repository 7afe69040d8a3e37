#!/usr/bin/env node
// Measurement (not a test): the Talos patch engine over the Talos patches real repositories carry.
// Every patch file under a repository's talos directories, and every inline `patches:` entry of a
// talhelper talconfig.yaml, is applied to a Talos 1.13 controlplane config generated with a fresh bundle.
// A patch Talos would accept and we refuse is a defect of ours (usually a type fact we miss).
//
//   node bench/talos-corpus.mjs [--corpus /work/corpus]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { flag, root } from "./common.mjs";

const { parse } = createRequire(join(root, "packages/talos/package.json"))("yaml");

const corpus = flag("--corpus", "/work/corpus");
const talos = await import(join(root, "packages/talos/dist/index.js"));
const bundle = await talos.generateSecretsBundle();
const base = talos.generateConfig(
  {
    clusterName: "corpus",
    endpoint: "https://10.0.0.1:6443",
    kubernetesVersion: "1.35.0",
    talosVersion: "1.13",
    secrets: bundle,
  },
  "controlplane",
);

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if ([".git", "node_modules", "apps"].includes(e.name)) continue;
      walk(p, out);
    } else out.push(p);
  }
  return out;
}

const results = [];
const classify = (repo, source, text) => {
  if (/\$\{|\{\{|\{%/.test(text)) return results.push({ repo, source, status: "templated" });
  // talhelper runs patches through envsubst: `$$patch` in the file is `$patch` for Talos
  if (text.includes("$$")) text = text.replaceAll("$$", "$");
  try {
    talos.patchConfig(base, [{ text, source }]);
    results.push({ repo, source, status: "ok" });
  } catch (e) {
    results.push({ repo, source, status: "error", message: String(e.message).split("\n")[0] });
  }
};

for (const repo of readdirSync(corpus).filter((d) => statSync(join(corpus, d)).isDirectory())) {
  const files = walk(join(corpus, repo)).filter(
    (p) => /talos/i.test(relative(join(corpus, repo), p)) && /\.ya?ml$/.test(p),
  );
  for (const file of files) {
    const rel = relative(join(corpus, repo), file);
    const text = readFileSync(file, "utf8");
    if (/talconfig\.ya?ml$/.test(file)) {
      let doc;
      try {
        doc = parse(text, { maxAliasCount: -1, merge: true });
      } catch {
        continue;
      }
      const inline = [
        ...(doc?.patches ?? []),
        ...(doc?.controlPlane?.patches ?? []),
        ...(doc?.worker?.patches ?? []),
        ...(doc?.nodes ?? []).flatMap((n) => n?.patches ?? []),
      ];
      inline.forEach((p, i) => {
        if (typeof p !== "string" || p.startsWith("@")) return;
        classify(repo, `${rel} patches[${i}]`, p);
      });
      continue;
    }
    if (!/patches|\/all\/|control-?plane|controller|worker|global/i.test(rel)) continue;
    if (/sops|secret|schematic|talenv|kustomization/i.test(rel)) continue;
    classify(repo, rel, text);
  }
}

const by = (s) => results.filter((r) => r.status === s);
process.stdout.write(`Talos patches found in ${corpus}: ${results.length}\n`);
process.stdout.write(
  `  applied: ${by("ok").length}\n  templated (skipped: need the repo's own renderer): ${by("templated").length}\n  refused: ${by("error").length}\n`,
);
const perRepo = new Map();
for (const r of results) {
  const c = perRepo.get(r.repo) ?? { ok: 0, templated: 0, error: 0 };
  c[r.status]++;
  perRepo.set(r.repo, c);
}
for (const [repo, c] of perRepo)
  process.stdout.write(`  ${repo.padEnd(28)} ok ${c.ok}, templated ${c.templated}, refused ${c.error}\n`);
for (const r of by("error")) process.stdout.write(`  refused ${r.repo}/${r.source}: ${r.message}\n`);
