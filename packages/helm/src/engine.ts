import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { InternalError, UserError } from "@homeops/core";
import { loadWasi } from "./internal/wasi.js";

/** One resolved `valuesFrom` entry: the text of a ConfigMap key or of a decoded Secret key. */
export interface ValuesSource {
  /** Names the reference in Helm/Flux messages, e.g. `ConfigMap chart values reference 'ns/name' with key 'values.yaml'`. */
  name?: string;
  data: string;
  /** Flux `targetPath`: the whole data is set at this dotted path with Helm's `--set` parser. */
  targetPath?: string;
}

/** One chart × values render, the way `helm template` (and helm-controller's client-side render) does it. */
export interface RenderRequest {
  /** Echoed in the result. */
  id?: string;
  /** A chart directory or `.tgz` file on disk, or the `.tgz` bytes. */
  chart: { dir: string } | { archive: Uint8Array };
  /** Inline values (HelmRelease `spec.values`); merged last. */
  values?: Record<string, unknown>;
  /** Resolved `spec.valuesFrom`, in order (merged as fluxcd/pkg/chartutil does). */
  valuesFrom?: ValuesSource[];
  /** HelmChart `valuesFiles`: chart files whose merge replaces the chart's own values. */
  valuesFiles?: string[];
  ignoreMissingValuesFiles?: boolean;
  release: { name: string; namespace: string; revision?: number; isUpgrade?: boolean };
  /** `.Capabilities.KubeVersion`. Default: Helm's (its client-go minor + 1). */
  kubeVersion?: string;
  /** Extra `.Capabilities.APIVersions` (e.g. `monitoring.coreos.com/v1`). */
  apiVersions?: string[];
  skipSchemaValidation?: boolean;
  /** Prepend the chart's `crds/` files to `manifest` (they are always listed in `crds`). */
  includeCrds?: boolean;
  skipTests?: boolean;
  disableHooks?: boolean;
  subNotes?: boolean;
}

/** One YAML document Helm rendered, with the chart-relative template it came from. */
export interface RenderedDocument {
  /** e.g. `app-template/templates/common.yaml` */
  path: string;
  kind?: string;
  name?: string;
  /** Hook events (hooks only). */
  events?: string[];
  content: string;
}

/** The stage a render failed in; `schema` is a values-schema violation. */
export type RenderStage = "load" | "dependencies" | "kubeVersion" | "values" | "schema" | "render" | "sort";

export interface RenderResult {
  id?: string;
  chart?: { name: string; version: string; appVersion?: string; apiVersion: string; type?: string };
  /** Exactly what `helm template` prints for the same inputs (CRDs first with `includeCrds`). */
  manifest: string;
  manifests: RenderedDocument[];
  hooks: RenderedDocument[];
  crds: RenderedDocument[];
  notes: string;
  /** Set when this render failed; `message` is Helm's own. */
  error?: { stage: RenderStage; message: string };
}

export interface HelmEngineOptions {
  /** Path of `helm-render.wasm`. Default: `.tools/wasm/helm-render.wasm` of the homeops checkout this package runs from. */
  modulePath?: string;
  /** Run each batch in a child process (contains a crash of the WebAssembly runtime). Default: on Node < 22. */
  isolate?: boolean;
  /**
   * Module instances run at once for a large batch (child processes; worker threads sharing the compiled
   * module when not isolated, on Node >= 22 only: on Node 20 a worker's instance corrupted the worker's JS
   * heap). A batch is split only when every instance gets at least `minPerInstance` requests. Default 1: on
   * the shared 2-core machine two instances cost more CPU (a second Go start, and a compile per child) and
   * were not faster in wall time either.
   */
  parallel?: number;
  /** Default 40: an instance start (Go runtime init, and the module compile in a child) costs ~40 renders. */
  minPerInstance?: number;
}

/** Helm's engine (helm.sh/helm/v4 compiled to WASI), compiled once per process. */
export interface HelmEngine {
  readonly modulePath: string;
  /** Renders every request through one module instance; results are in request order. */
  render(requests: readonly RenderRequest[]): Promise<RenderResult[]>;
}

// The WebAssembly global is not in the ES/Node type libraries this workspace compiles with; this is the part we use.
interface WasmModule {
  readonly __wasmModule: unique symbol;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<object>;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const MODULE_NAME = "helm-render.wasm";
const compiled = new Map<string, Promise<WasmModule>>();

/** The default module location: `.tools/wasm/helm-render.wasm` in the nearest ancestor that has one. */
export function defaultHelmModulePath(
  from: string = dirname(fileURLToPath(import.meta.url)),
): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, ".tools", "wasm", MODULE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Loads (and compiles, once per process and path) Helm's WebAssembly module. */
export async function loadHelmEngine(options: HelmEngineOptions = {}): Promise<HelmEngine> {
  const modulePath = options.modulePath ?? defaultHelmModulePath();
  if (modulePath === undefined || !existsSync(modulePath)) {
    throw new UserError(
      "TOOL_MISSING",
      `Helm's WebAssembly module is missing${modulePath === undefined ? "" : ` (${modulePath})`}`,
      { hint: "run `bash scripts/setup.sh` (it builds .tools/wasm/helm-render.wasm from tools/helm-render)" },
    );
  }
  const isolate = options.isolate ?? isolated(process.versions.node);
  // a child compiles its own copy; only the in-process (and worker-thread) runs use this one
  const wasm = isolate ? undefined : await compileModule(modulePath);
  const parallel = Math.max(1, Math.min(options.parallel ?? 1, availableParallelism()));
  const workers = Number(process.versions.node.split(".")[0]) >= 22;
  const minPerInstance = Math.max(1, options.minPerInstance ?? 40);
  return {
    modulePath,
    render: async (requests) => {
      const shards = splitBatch(requests.length, batchLimit(process.versions.node), parallel, minPerInstance);
      const out: RenderResult[][] = [];
      for (let i = 0; i < shards.length; i += parallel) {
        const wave = shards.slice(i, i + parallel);
        const threaded = !isolate && wave.length > 1;
        // Node 20: parallel shards run in children (its worker threads are not safe, see `parallel`)
        const module = threaded && !workers ? undefined : wasm;
        out.push(
          ...(await Promise.all(
            wave.map(([from, to]) =>
              renderWith(module, modulePath, isolate, threaded, requests.slice(from, to)),
            ),
          )),
        );
      }
      return out.flat();
    },
  };
}

function compileModule(modulePath: string): Promise<WasmModule> {
  let module = compiled.get(modulePath);
  if (module === undefined) {
    module = readFile(modulePath).then((bytes) => compileLiftoff(prepareModule(bytes)));
    compiled.set(modulePath, module);
    module.catch(() => compiled.delete(modulePath));
  }
  return module;
}

/**
 * V8's options for Helm's module (children get them on their command line). `--liftoff-only`: V8's baseline
 * compiler only. Its default tier-up recompiles the hot Go functions (huge state machines) with TurboFan in
 * the background, which cost ~3x the CPU time of the renders themselves (150 app-template renders in one
 * instance, Node 20: 11.6 s CPU with tier-up, 3.7 s without); the faster code never pays that back here.
 */
export const V8_FLAGS = ["--liftoff-only"] as const;

/**
 * The Go runtime's environment inside the instance: no proportional GC (`GOGC=off`), collect only near a
 * 384 MiB heap (`GOMEMLIMIT`), below the linear memory the module starts with (`INITIAL_MEMORY_MB`), so
 * the heap never has to grow. A render's garbage is freed either way; ~20 % less CPU than `GOGC=100`.
 */
export const GO_ENV: Readonly<Record<string, string>> = { GOGC: "off", GOMEMLIMIT: "384MiB" };

/**
 * The linear memory the instance starts with (Go's linker declares runtime data + 1 MB, ~33 MB here, and Go
 * grows it as the heap needs). Each `memory.grow` made Node 20's V8 collect its own heap with the Go stack
 * on top (external-memory pressure, dozens of full GCs per batch), and that is what crashed it: 70 real
 * renders in one instance died in 8 of 8 runs (SIGSEGV while unwinding, or a corrupted JS closure after
 * return), 0 of 16 with the memory sized up front. Pages are reserved, not resident, until Go uses them.
 */
export const INITIAL_MEMORY_MB = 512;

/** Compiles with `V8_FLAGS` for this module only: V8 fixes a module's tiering when it compiles it. */
async function compileLiftoff(bytes: Uint8Array): Promise<WasmModule> {
  const already = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].includes(
    "--liftoff-only",
  );
  if (already) return WebAssembly.compile(bytes);
  setFlagsFromString("--liftoff-only");
  try {
    return await WebAssembly.compile(bytes);
  } finally {
    setFlagsFromString("--no-liftoff-only");
  }
}

/**
 * The module with its declared initial memory raised to `mb` MiB (when smaller): the memory section's
 * minimum, rewritten in place of the old section. Anything that is not a single memory without a maximum
 * is returned unchanged. (`wasi-run.mjs` carries the same function, plain JavaScript.)
 */
export function prepareModule(bytes: Uint8Array, mb: number = INITIAL_MEMORY_MB): Uint8Array {
  const uleb = (at: number): [number, number] => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, at];
  };
  const encode = (n: number): number[] => {
    const out: number[] = [];
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
    const id = bytes[at]!;
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

/**
 * Requests per module instance. Node 20's V8 died inside the module after a few dozen real renders while the
 * module grew its memory (see `INITIAL_MEMORY_MB`); with the memory sized up front 660 renders in one Node 20
 * instance were fine. Each extra instance costs one Go runtime start.
 */
export function batchLimit(_nodeVersion: string): number {
  return 1000;
}

/**
 * `[from, to)` ranges of a batch of `count`: at most `limit` each, and split further over up to `parallel`
 * instances only when each gets at least `minPerInstance` requests (contiguous, so each instance loads a
 * chart once for its neighbouring releases).
 */
export function splitBatch(
  count: number,
  limit: number,
  parallel: number,
  minPerInstance: number,
): Array<[number, number]> {
  if (count === 0) return [];
  const instances = Math.max(
    Math.ceil(count / limit),
    Math.min(parallel, Math.floor(count / minPerInstance)),
    1,
  );
  const size = Math.ceil(count / instances);
  const out: Array<[number, number]> = [];
  for (let from = 0; from < count; from += size) out.push([from, Math.min(count, from + size)]);
  return out;
}

interface WireRequest extends Omit<RenderRequest, "chart"> {
  chart?: string;
  archive?: string;
}

/** Encodes requests for the Go program; `dirs` maps a host directory to its WASI guest path. */
export function toWire(requests: readonly RenderRequest[], guestPath: (hostPath: string) => string): string {
  const wire: WireRequest[] = requests.map(({ chart, ...rest }) =>
    "archive" in chart
      ? { ...rest, archive: Buffer.from(chart.archive).toString("base64") }
      : { ...rest, chart: guestPath(chart.dir) },
  );
  return JSON.stringify({ requests: wire });
}

/** Decodes the Go program's stdout. */
export function fromWire(stdout: string, count: number): RenderResult[] {
  let parsed: { results?: RenderResult[] };
  try {
    parsed = JSON.parse(stdout) as { results?: RenderResult[] };
  } catch (cause) {
    throw new InternalError("helm-render wrote no JSON result", { cause });
  }
  const results = parsed.results ?? [];
  if (results.length !== count) {
    throw new InternalError(`helm-render returned ${results.length} results for ${count} requests`);
  }
  return results;
}

async function renderWith(
  module: WasmModule | undefined,
  modulePath: string,
  isolate: boolean,
  threaded: boolean,
  requests: readonly RenderRequest[],
): Promise<RenderResult[]> {
  if (requests.length === 0) return [];
  // Each chart directory's parent is preopened once; the guest sees /c<i>/<base>.
  const preopens: Record<string, string> = {};
  const guestOf = new Map<string, string>();
  const guestPath = (hostPath: string): string => {
    const abs = resolve(hostPath);
    const parent = dirname(abs);
    let guest = guestOf.get(parent);
    if (guest === undefined) {
      guest = `/c${guestOf.size}`;
      guestOf.set(parent, guest);
      preopens[guest] = parent;
    }
    return `${guest}/${abs.slice(parent.length + 1)}`;
  };
  const input = toWire(requests, guestPath);
  const work = await mkdtemp(join(tmpdir(), "homeops-helm-"));
  try {
    const inPath = join(work, "in.json");
    const outPath = join(work, "out.json");
    const errPath = join(work, "err.txt");
    await writeFile(inPath, input);
    const code =
      isolate || module === undefined
        ? await retryCrashed(() => runInChild(modulePath, { preopens, inPath, outPath, errPath }))
        : threaded
          ? await runInWorker(module, { preopens, inPath, outPath, errPath })
          : await runInProcess(module, preopens, inPath, outPath, errPath);
    if (code !== 0) {
      const err = (await readFile(errPath, "utf8")).trim();
      throw new InternalError(`helm-render exited with ${code}${err === "" ? "" : `: ${err}`}`);
    }
    return fromWire(await readFile(outPath, "utf8"), requests.length);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Whether each batch runs in a child process. Node 20's V8 can die (SIGSEGV/SIGTRAP) inside a Go WebAssembly
 * instance, killing the whole process (seen in CI even with small batches); a child contains that crash.
 */
export function isolated(nodeVersion: string): boolean {
  return Number(nodeVersion.split(".")[0]) < 22;
}

async function runInProcess(
  module: WasmModule,
  preopens: Record<string, string>,
  inPath: string,
  outPath: string,
  errPath: string,
): Promise<number> {
  const stdin = await open(inPath, "r");
  const stdout = await open(outPath, "w+");
  const stderr = await open(errPath, "w+");
  try {
    const { WASI } = loadWasi();
    const wasi = new WASI({
      version: "preview1",
      args: ["helm-render"],
      env: { ...GO_ENV },
      preopens,
      stdin: stdin.fd,
      stdout: stdout.fd,
      stderr: stderr.fd,
      returnOnExit: true,
    });
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    return wasi.start(instance as Parameters<typeof wasi.start>[0]);
  } finally {
    await Promise.all([stdin.close(), stdout.close(), stderr.close()]);
  }
}

/**
 * The child's script: beside `src/`/`dist/` in this package, or beside the bundle that contains this
 * module (the `homeops` executable copies it there).
 */
function childScript(): string {
  const beside = fileURLToPath(new URL("../wasi-run.mjs", import.meta.url));
  const bundled = fileURLToPath(new URL("./wasi-run.mjs", import.meta.url));
  return existsSync(beside) ? beside : bundled;
}

/** A child killed by a signal: V8's fault inside the WebAssembly runtime, not the batch's. */
export class ChildCrash extends InternalError {}

/**
 * Attempts per batch: Node 20's crash is not a function of the input (the same batch renders in a new
 * child), and a render is a pure function of its files, so a crashed batch is run again, twice at most.
 */
export async function retryCrashed<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ChildCrash) || attempt >= attempts) throw error;
    }
  }
}

interface Job {
  preopens: Record<string, string>;
  inPath: string;
  outPath: string;
  errPath: string;
}

// A worker thread's script (no file to locate in a bundle): one WASI run of the module it is sent.
const WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const { closeSync, openSync } = require("node:fs");
const emit = process.emitWarning;
process.emitWarning = (w, ...rest) =>
  String(w?.message ?? w).startsWith("WASI ") ? undefined : emit.call(process, w, ...rest);
const { WASI } = require("node:wasi");
process.emitWarning = emit;
const { module, job, env } = workerData;
const fds = [openSync(job.inPath, "r"), openSync(job.outPath, "w+"), openSync(job.errPath, "w+")];
const wasi = new WASI({ version: "preview1", args: ["helm-render"], env, preopens: job.preopens,
  stdin: fds[0], stdout: fds[1], stderr: fds[2], returnOnExit: true });
WebAssembly.instantiate(module, wasi.getImportObject()).then((instance) => {
  const code = wasi.start(instance);
  for (const fd of fds) closeSync(fd);
  parentPort.postMessage(code);
});
`;

/** One batch in a worker thread (the compiled module is shared, not compiled again): for parallel shards. */
function runInWorker(module: WasmModule, job: Job): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { module, job, env: { ...GO_ENV } } });
    let code: number | undefined;
    worker.on("message", (c: number) => {
      code = c;
    });
    worker.on("error", (cause) =>
      reject(new InternalError("the helm-render worker thread failed", { cause })),
    );
    worker.on("exit", (exit) =>
      code === undefined
        ? reject(new InternalError(`the helm-render worker thread exited with ${exit}`))
        : resolvePromise(code),
    );
  });
}

function runInChild(modulePath: string, job: Job): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        ...V8_FLAGS,
        childScript(),
        JSON.stringify({ modulePath, env: GO_ENV, initialMemoryMb: INITIAL_MEMORY_MB, ...job }),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const err: Buffer[] = [];
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (cause) =>
      reject(new InternalError("could not start the helm-render child process", { cause })),
    );
    child.on("close", (code, signal) => {
      if (signal !== null) {
        const detail = Buffer.concat(err).toString("utf8").trim();
        reject(
          new ChildCrash(
            `helm-render died with ${signal} (Node ${process.versions.node}'s WebAssembly runtime)${detail === "" ? "" : `: ${detail}`}`,
          ),
        );
      } else resolvePromise(code ?? 1);
    });
  });
}
