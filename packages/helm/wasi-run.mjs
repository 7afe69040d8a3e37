// The host of Helm's WebAssembly module (tools/helm-render, a WASI reactor): one instance stays alive and
// renders batch after batch, so Go's init (~0.4 s) and the parse of a chart's templates are paid once per
// instance, not per batch. Plain JavaScript so it runs from the source tree and from the published package
// (the `homeops` executable copies it beside its bundle). Three ways in:
//   - imported by src/engine.ts: an instance in the caller's thread;
//   - a child process, `node --liftoff-only wasi-run.mjs '<json>'` with {modulePath, env, initialMemoryMb}:
//     batches over its IPC channel. @homeops/helm uses it on Node < 22, whose V8 can crash the whole process
//     (SIGSEGV/SIGTRAP) inside a Go instance: in a child such a crash fails one batch instead of the caller;
//   - a worker thread (workerData {helmHost: {module, env}}): batches over its port (parallel instances).
import { closeSync, fstatSync, openSync, readFileSync, readSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

/**
 * The module with its declared initial memory raised to `mb` MiB (when smaller): the memory section's
 * minimum, rewritten in place of the old section. Anything that is not a single memory without a maximum
 * is returned unchanged. Why: see INITIAL_MEMORY_MB in src/engine.ts.
 */
export function prepareModule(bytes, mb) {
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

let wasi;
/**
 * `node:wasi`, loaded without its "WASI is an experimental feature" warning (Node 20–24 print it on first
 * load). Only that one warning is dropped, and only while the module loads: `process.emitWarning` is
 * restored before this returns, so every other warning still reaches the user.
 */
export function loadWasi() {
  if (wasi !== undefined) return wasi;
  const original = process.emitWarning;
  process.emitWarning = function emitWarning(warning, ...rest) {
    const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
    const text = typeof warning === "string" ? warning : warning.message;
    if (type === "ExperimentalWarning" && text.startsWith("WASI ")) return;
    return original.call(process, warning, ...rest);
  };
  try {
    wasi = createRequire(import.meta.url)("node:wasi");
  } finally {
    process.emitWarning = original;
  }
  return wasi;
}

/**
 * Instantiates the compiled module and runs Go's init once. The guest sees the host's file system at `/`
 * (chart directories by their absolute paths); its stdin is empty and its stdout and stderr go to an
 * unlinked temporary file, read only for the message of a failure. `render(batch)` takes the request JSON
 * and returns the answer JSON; it throws once the instance failed (a Go panic, a trap), and then always.
 */
export async function startInstance(module, env) {
  const { WASI } = loadWasi();
  const errPath = join(tmpdir(), `homeops-helm-${process.pid}-${Math.random().toString(36).slice(2)}.log`);
  const log = openSync(errPath, "w+");
  unlinkSync(errPath);
  const stdin = openSync(devNull, "r");
  const wasiInstance = new WASI({
    version: "preview1",
    args: ["helm-render"],
    env,
    preopens: { "/": "/" },
    stdin,
    stdout: log,
    stderr: log,
    returnOnExit: true,
  });
  let failed;
  const fail = (cause) => {
    const size = fstatSync(log).size;
    const tail = Buffer.alloc(Math.min(size, 4096));
    readSync(log, tail, 0, tail.length, size - tail.length);
    const detail = tail.toString("utf8").trim();
    failed = new Error(`helm-render failed${detail === "" ? "" : `: ${detail}`}`, { cause });
    closeSync(log);
    closeSync(stdin);
    return failed;
  };
  let exports;
  try {
    const instance = await WebAssembly.instantiate(module, wasiInstance.getImportObject());
    wasiInstance.initialize(instance);
    exports = instance.exports;
  } catch (cause) {
    throw fail(cause);
  }
  return {
    render(batch) {
      if (failed !== undefined) throw failed;
      try {
        const bytes = Buffer.from(batch, "utf8");
        const at = exports.helm_alloc(bytes.length) >>> 0;
        new Uint8Array(exports.memory.buffer, at, bytes.length).set(bytes);
        const size = exports.helm_render(bytes.length);
        const answer = Buffer.from(exports.memory.buffer, exports.helm_result() >>> 0, Math.abs(size));
        const text = answer.toString("utf8");
        if (size < 0) throw new Error(`helm-render refused the batch: ${text}`);
        return text;
      } catch (cause) {
        if (failed !== undefined || cause?.message?.startsWith("helm-render refused") === true) throw cause;
        throw fail(cause);
      }
    },
  };
}

/** Serves `{id, batch}` messages with `{id, answer}` or `{id, error}` (a message), one at a time. */
function serve(port, send, starting) {
  port.on("message", async ({ id, batch }) => {
    try {
      const instance = await starting;
      send({ id, answer: instance.render(batch) });
    } catch (error) {
      send({ id, error: String(error?.message ?? error) });
    }
  });
}

if (!isMainThread && workerData?.helmHost !== undefined) {
  const { module, env } = workerData.helmHost;
  serve(parentPort, (m) => parentPort.postMessage(m), startInstance(module, env));
} else if (
  isMainThread &&
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  const job = JSON.parse(process.argv[2]);
  const bytes = readFileSync(job.modulePath);
  const starting = WebAssembly.compile(
    job.initialMemoryMb ? prepareModule(bytes, job.initialMemoryMb) : bytes,
  ).then((module) => startInstance(module, job.env ?? {}));
  serve(process, (m) => process.send(m), starting);
  // the parent went away (or closed this instance): nothing left to serve
  process.on("disconnect", () => process.exit(0));
}
