import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fromWire, type RenderRequest, type RenderResult, toWire } from "../../src/engine.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const CHARTS = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/charts");
export const ORACLE = join(REPO_ROOT, ".tools/bin/helm-render");
export const MODULE = join(REPO_ROOT, ".tools/wasm/helm-render.wasm");
export const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
export const haveTools = existsSync(ORACLE) && existsSync(MODULE);

/**
 * Renders through the native build of tools/helm-render (the oracle), same protocol as the module. By default
 * with Helm's own `engine.Render` (`--no-template-cache`): the module, which reuses parsed templates, is
 * compared with stock Helm.
 */
export function renderNative(
  requests: readonly RenderRequest[],
  options: { templateCache?: boolean } = {},
): RenderResult[] {
  const out = spawnSync(ORACLE, options.templateCache === true ? [] : ["--no-template-cache"], {
    input: toWire(requests, (p) => resolve(p)),
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (out.status !== 0) throw new Error(`oracle failed (${out.status}): ${out.stderr}`);
  return fromWire(out.stdout, requests.length);
}
