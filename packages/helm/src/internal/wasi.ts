import { createRequire } from "node:module";

type WasiModule = typeof import("node:wasi");
let wasi: WasiModule | undefined;

/**
 * `node:wasi`, loaded without its "WASI is an experimental feature" warning (Node 20–24 print it on first
 * load). Only that one warning is dropped, and only while the module loads: `process.emitWarning` is
 * restored before this returns, so every other warning still reaches the user.
 */
export function loadWasi(): WasiModule {
  if (wasi !== undefined) return wasi;
  const original = process.emitWarning;
  process.emitWarning = function emitWarning(this: unknown, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === "string" ? warning : warning.message;
    if (type === "ExperimentalWarning" && text.startsWith("WASI ")) return;
    return (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    wasi = createRequire(import.meta.url)("node:wasi") as WasiModule;
  } finally {
    process.emitWarning = original;
  }
  return wasi;
}
