// Test support only (never exported): where the Talos oracle data lives, and whether it is there.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** `<repo root>/../shared/oracles/talos`: under CI a missing oracle fails, elsewhere the tests skip. */
export const oracleDir = resolve(repoRoot, "../shared/oracles/talos");
export const v113 = join(oracleDir, "v1.13");
export const haveOracle = existsSync(v113);
if (!haveOracle && process.env.CI === "true") {
  throw new Error(`Talos oracle data missing at ${oracleDir} (required under CI=true)`);
}
export const skipReason = haveOracle
  ? ""
  : `Talos oracle data not found at ${oracleDir}: oracle tests skipped`;
if (!haveOracle) console.warn(skipReason);
