#!/usr/bin/env node
// The bundled catalog's size and what compiling all of it costs (cold, in one process, no compile cache).
//   node bench/catalog-compile.mjs
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { root } from "./common.mjs";

const { SchemaCatalog, builtinCatalogDir, loadCatalogManifest } = await import(
  join(root, "packages/schema/dist/index.js")
);
const dir = builtinCatalogDir();
let bytes = 0;
let files = 0;
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(d, e.name));
    else {
      bytes += statSync(join(d, e.name)).size;
      files++;
    }
  }
};
walk(dir);
const manifest = loadCatalogManifest();
const catalog = new SchemaCatalog();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const slowest = [];
for (const key of Object.keys(manifest.schemas)) {
  const slash = key.lastIndexOf("/");
  const t = performance.now();
  const lookup = await catalog.lookup(key.slice(0, slash), key.slice(slash + 1));
  if (lookup.found !== true) throw new Error(`${key}: ${JSON.stringify(lookup)}`);
  slowest.push([performance.now() - t, key]);
}
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
slowest.sort((a, b) => b[0] - a[0]);
console.log(
  `catalog: ${Object.keys(manifest.schemas).length} schemas in ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, Kubernetes ${manifest.kubernetesVersion}, ${manifest.sources.length} sources`,
);
console.log(
  `compile all (cold): wall ${(wall / 1000).toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; slowest: ${slowest
    .slice(0, 5)
    .map(([ms, k]) => `${k} ${ms.toFixed(0)} ms`)
    .join(", ")}`,
);
