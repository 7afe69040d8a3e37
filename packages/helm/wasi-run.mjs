// Runs helm-render.wasm once in its own process: `node --liftoff-only wasi-run.mjs '<json>'` with
// {modulePath, env, initialMemoryMb, preopens, inPath, outPath, errPath}; exits with the module's exit code.
// @homeops/helm uses it on Node < 22, whose V8 can crash the whole process (SIGSEGV/SIGTRAP) inside a
// long-lived Go WebAssembly instance: in a child, such a crash fails one batch with a clear error instead
// of killing the caller. Plain JavaScript so it runs from the source tree and from the published package.
import { closeSync, openSync, readFileSync } from "node:fs";
import { WASI } from "node:wasi";

// The module with its initial memory raised to `mb` MiB: engine.ts's prepareModule (see INITIAL_MEMORY_MB there).
function prepareModule(bytes, mb) {
  const uleb = (at) => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, at];
  };
  const encode = (n) => {
    const out = [];
    do {
      let byte = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) byte |= 0x80;
      out.push(byte);
    } while (n > 0);
    return out;
  };
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = uleb(at + 1);
    if (id === 5) {
      const [count, limits] = uleb(body);
      if (count !== 1 || bytes[limits] !== 0) return bytes;
      const [min, rest] = uleb(limits + 1);
      const pages = Math.ceil(mb * 16);
      if (min >= pages) return bytes;
      const section = [...encode(1), 0, ...encode(pages), ...bytes.subarray(rest, body + size)];
      return Buffer.concat([
        bytes.subarray(0, at),
        Uint8Array.from([5, ...encode(section.length), ...section]),
        bytes.subarray(body + size),
      ]);
    }
    at = body + size;
  }
  return bytes;
}

const job = JSON.parse(process.argv[2]);
const bytes = readFileSync(job.modulePath);
const module = await WebAssembly.compile(
  job.initialMemoryMb ? prepareModule(bytes, job.initialMemoryMb) : bytes,
);
const stdin = openSync(job.inPath, "r");
const stdout = openSync(job.outPath, "w+");
const stderr = openSync(job.errPath, "w+");
let code;
try {
  const wasi = new WASI({
    version: "preview1",
    args: ["helm-render"],
    env: job.env ?? {},
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
