// Runs helm-render.wasm once in its own process: `node wasi-run.mjs '<json>'` with
// {modulePath, preopens, inPath, outPath, errPath}; exits with the module's exit code.
// @homeops/helm uses it on Node < 22, whose V8 can crash the whole process (SIGSEGV/SIGTRAP) inside a
// long-lived Go WebAssembly instance: in a child, such a crash fails one batch with a clear error instead
// of killing the caller. Plain JavaScript so it runs from the source tree and from the published package.
import { closeSync, openSync, readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const job = JSON.parse(process.argv[2]);
const module = await WebAssembly.compile(readFileSync(job.modulePath));
const stdin = openSync(job.inPath, "r");
const stdout = openSync(job.outPath, "w+");
const stderr = openSync(job.errPath, "w+");
let code;
try {
  const wasi = new WASI({
    version: "preview1",
    args: ["helm-render"],
    env: {},
    preopens: job.preopens,
    stdin,
    stdout,
    stderr,
    returnOnExit: true,
  });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  code = wasi.start(instance);
} finally {
  closeSync(stdin);
  closeSync(stdout);
  closeSync(stderr);
}
process.exitCode = code;
