// Part of the package build (after tsup): the bundled catalog's validators, compiled once here instead of
// in every cold run, into dist/catalog-validators/ (not committed: generated, and megabytes).
import { fileURLToPath } from "node:url";
import { PRECOMPILED_CATALOG_DIR, writePrecompiledCatalog } from "../dist/index.js";

const bytes = writePrecompiledCatalog(
  fileURLToPath(new URL(`../dist/${PRECOMPILED_CATALOG_DIR}`, import.meta.url)),
);
console.log(`dist/${PRECOMPILED_CATALOG_DIR}: ${(bytes / 2 ** 20).toFixed(1)} MiB`);
