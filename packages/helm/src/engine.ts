import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { InternalError, UserError } from "@homeops/core";

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
  /**
   * Run the module instance in a child process (contains a crash of the WebAssembly runtime, and gets V8's
   * `--liftoff-only` on its command line). Default: on Node < 22, and on newer Node unless this process was
   * started with `--liftoff-only` (see `isolated`).
   */
  isolate?: boolean;
  /**
   * Module instances run at once for a large batch (child processes; worker threads sharing the compiled
   * module when not isolated, on Node >= 22 only: on Node 20 a worker's instance corrupted the worker's JS
   * heap). A batch is split only when every instance gets at least `minPerInstance` requests. Default 2 (or
   * the available parallelism when lower): on an idle 2-core machine 150 app-template releases render
   * in ~0.9 s instead of ~1.6 s, for ~0.6 s more CPU (a second Go start and module compile); on a loaded
   * machine the wall time gain shrinks to nothing (see the package README).
   */
  parallel?: number;
  /** Default 40: an instance start (Go runtime init, and the module compile in a child) costs ~40 renders. */
  minPerInstance?: number;
}

export interface RenderBatchOptions {
  /**
   * Receives each part of the batch as soon as its instance has rendered it (`from`: the index of its first
   * request), so the caller reads the first results while the instances render the rest.
   */
  onResults?: (from: number, results: RenderResult[]) => void;
}

/** Helm's engine (helm.sh/helm/v4 compiled to WASI), compiled once per process. */
export interface HelmEngine {
  readonly modulePath: string;
  /**
   * Renders every request; results are in request order. The module instances stay alive between calls
   * (shared by every engine of the same module and mode in this process), so Go's init and the parse of a
   * chart's templates are paid once per instance.
   */
  render(requests: readonly RenderRequest[], options?: RenderBatchOptions): Promise<RenderResult[]>;
  /**
   * Starts, in the background, the instances a batch of `count` requests will use that are not running yet,
   * so that their start (module compile, Go's init) overlaps what the caller does before `render`. Called
   * again as the count grows, it starts only what the larger batch adds; a failed start fails that `render`.
   */
  prepare?(count: number): void;
  /** Ends this module's instances (children, worker threads, the in-process one); a later render starts new ones. */
  close(): Promise<void>;
}

// The WebAssembly global is not in the ES/Node type libraries this workspace compiles with; this is the part we use.
interface WasmModule {
  readonly __wasmModule: unique symbol;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** `wasi-run.mjs`, the one host of the module (in this thread, a child process or a worker thread). */
interface Host {
  prepareModule(bytes: Uint8Array, mb: number): Uint8Array;
  startInstance(module: WasmModule, env: Record<string, string>): Promise<{ render(batch: string): string }>;
}

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
  // a child compiles its own copy; only the in-process (and worker-thread) instances use this one
  if (!isolate) await compileModule(modulePath);
  const parallel = Math.max(1, Math.min(options.parallel ?? 2, availableParallelism()));
  const workers = Number(process.versions.node.split(".")[0]) >= 22;
  const minPerInstance = Math.max(1, options.minPerInstance ?? 40);
  const limit = batchLimit(process.versions.node);
  const plan = (count: number) => {
    const shards = splitBatch(count, limit, parallel, minPerInstance);
    const threaded = !isolate && shards.length > 1;
    // Node 20: parallel shards run in children (its worker threads are not safe, see `parallel`)
    const kind: InstanceKind = isolate || (threaded && !workers) ? "child" : threaded ? "worker" : "thread";
    return { shards, kind };
  };
  return {
    modulePath,
    prepare: (count) => {
      const { shards, kind } = plan(count);
      // a thread instance would start on this thread, blocking the caller: it starts with the render
      if (kind === "thread") return;
      for (let i = 0; i < Math.min(shards.length, parallel); i++) slotOf(modulePath, kind, i).start();
    },
    render: async (requests, batch = {}) => {
      const { shards, kind } = plan(requests.length);
      const out: RenderResult[] = new Array(requests.length);
      // an instance renders its shard in parts, one after another; each part's answer is handed on as it
      // comes, so the caller reads it while another instance (or this one, in a child) renders on
      const parts = shards.flatMap(([from, to], i) => {
        const slot = slotOf(modulePath, kind, i % parallel);
        return chunks(from, to, PART_SIZE).map(async ([a, b]) => {
          const results = await slot.run(requests.slice(a, b), limit);
          for (const [j, r] of results.entries()) out[a + j] = r;
          batch.onResults?.(a, results);
        });
      });
      await Promise.all(parts);
      return out;
    },
    close: () => closeInstances(modulePath),
  };
}

function compileModule(modulePath: string): Promise<WasmModule> {
  let module = compiled.get(modulePath);
  if (module === undefined) {
    module = Promise.all([readFile(modulePath), loadHost()]).then(([bytes, host]) =>
      compileLiftoff(host.prepareModule(bytes, INITIAL_MEMORY_MB)),
    );
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
 * (`prepareModule` in `wasi-run.mjs` rewrites the module's memory section.)
 */
export const INITIAL_MEMORY_MB = 512;

/**
 * Compiles with `V8_FLAGS` for this module only: Node 20's V8 fixes a module's tiering when it compiles it.
 * (Node 24's ignores the flag set at run time: see `isolated`.)
 */
async function compileLiftoff(bytes: Uint8Array): Promise<WasmModule> {
  if (liftoffOnCommandLine()) return WebAssembly.compile(bytes);
  setFlagsFromString("--liftoff-only");
  try {
    return await WebAssembly.compile(bytes);
  } finally {
    setFlagsFromString("--no-liftoff-only");
  }
}

/**
 * Renders per module instance before it is replaced by a new one. Node 20's V8 died inside the module after
 * a few dozen real renders while the module grew its memory (see `INITIAL_MEMORY_MB`); with the memory sized
 * up front 660 renders in one Node 20 instance were fine. Each new instance costs one Go runtime start.
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
  return chunks(0, count, Math.ceil(count / instances));
}

/**
 * Requests per call into an instance: small enough that the caller reads one part while the next renders
 * (a loaded chart and its parsed templates stay cached in the instance across calls), large enough that the
 * per-call encoding and message cost stays small.
 */
const PART_SIZE = 25;

/** `[from, to)` split into consecutive ranges of at most `size`. */
function chunks(from: number, to: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = from; a < to; a += size) out.push([a, Math.min(to, a + size)]);
  return out;
}

interface WireRequest extends Omit<RenderRequest, "chart"> {
  chart?: string;
  archive?: string;
}

/** Encodes requests for the Go program; `guestPath` maps a host path to the path the program opens. */
export function toWire(requests: readonly RenderRequest[], guestPath: (hostPath: string) => string): string {
  const wire: WireRequest[] = requests.map(({ chart, ...rest }) =>
    "archive" in chart
      ? { ...rest, archive: Buffer.from(chart.archive).toString("base64") }
      : { ...rest, chart: guestPath(chart.dir) },
  );
  return JSON.stringify({ requests: wire });
}

/** Decodes the Go program's answer. */
export function fromWire(answer: string, count: number): RenderResult[] {
  let parsed: { results?: RenderResult[] };
  try {
    parsed = JSON.parse(answer) as { results?: RenderResult[] };
  } catch (cause) {
    throw new InternalError("helm-render wrote no JSON result", { cause });
  }
  const results = parsed.results ?? [];
  if (results.length !== count) {
    throw new InternalError(`helm-render returned ${results.length} results for ${count} requests`);
  }
  return results;
}

/**
 * Whether the instance runs in a child process by default. Node 20's V8 can die (SIGSEGV/SIGTRAP) inside a Go
 * WebAssembly instance, killing the whole process (seen in CI even with small batches); a child contains
 * that crash. Newer V8s (Node 24) ignore `--liftoff-only` set at run time (`setFlagsFromString`) and tier the
 * module up with TurboFan, which cost a first render of 150 releases ~3 s more CPU than Liftoff in a child
 * (whose command line carries the flag), so they run in-process only when this process was started with it.
 */
export function isolated(nodeVersion: string, liftoffOnly: boolean = liftoffOnCommandLine()): boolean {
  return Number(nodeVersion.split(".")[0]) < 22 || !liftoffOnly;
}

function liftoffOnCommandLine(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].includes("--liftoff-only");
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

/** Where an instance runs: this thread, a worker thread (sharing the compiled module), a child process. */
type InstanceKind = "thread" | "worker" | "child";

/** One live module instance: renders a batch (request JSON → answer JSON) at a time. */
interface Instance {
  render(batch: string): Promise<string>;
  /** Renders served so far: an instance is replaced once it has served `batchLimit`. */
  served: number;
  close(): void;
}

/** A slot runs its batches one after another on one instance, replacing it when it fails or is used up. */
interface Slot {
  run(requests: readonly RenderRequest[], limit: number): Promise<RenderResult[]>;
  /** Starts the instance now when none is running (its failure is left to the next `run`). */
  start(): void;
  close(): void;
}

const slots = new Map<string, Map<string, Slot>>();

function slotOf(modulePath: string, kind: InstanceKind, index: number): Slot {
  let ofModule = slots.get(modulePath);
  if (ofModule === undefined) {
    ofModule = new Map();
    slots.set(modulePath, ofModule);
  }
  const key = `${kind}:${index}`;
  let slot = ofModule.get(key);
  if (slot === undefined) {
    slot = newSlot(modulePath, kind);
    ofModule.set(key, slot);
  }
  return slot;
}

async function closeInstances(modulePath: string): Promise<void> {
  for (const slot of slots.get(modulePath)?.values() ?? []) slot.close();
  slots.delete(modulePath);
}

function newSlot(modulePath: string, kind: InstanceKind): Slot {
  let current: Promise<Instance> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const retire = () => {
    const dead = current;
    current = undefined;
    dead?.then(
      (i) => i.close(),
      () => {},
    );
  };
  const once = async (batch: string, count: number, limit: number): Promise<string> => {
    current ??= startInstance(modulePath, kind);
    try {
      const live = await current;
      const answer = await live.render(batch);
      live.served += count;
      if (live.served >= limit) retire();
      return answer;
    } catch (error) {
      retire();
      throw error;
    }
  };
  return {
    start: () => {
      current ??= startInstance(modulePath, kind);
      current.catch(() => {});
    },
    run: (requests, limit) => {
      const batch = toWire(requests, (p) => resolve(p));
      const job = queue.then(() =>
        kind === "child"
          ? retryCrashed(() => once(batch, requests.length, limit))
          : once(batch, requests.length, limit),
      );
      queue = job.catch(() => {});
      return job.then((answer) => fromWire(answer, requests.length));
    },
    close: retire,
  };
}

async function startInstance(modulePath: string, kind: InstanceKind): Promise<Instance> {
  if (kind === "child") return startChild(modulePath);
  const module = await compileModule(modulePath);
  if (kind === "worker") return startWorker(module);
  const host = await loadHost();
  let live: { render(batch: string): string };
  try {
    live = await host.startInstance(module, { ...GO_ENV });
  } catch (cause) {
    throw new InternalError("helm-render could not start", { cause });
  }
  return {
    served: 0,
    render: async (batch) => {
      try {
        return live.render(batch);
      } catch (cause) {
        throw new InternalError(cause instanceof Error ? cause.message : String(cause), { cause });
      }
    },
    close: () => {},
  };
}

/**
 * `wasi-run.mjs`: beside `src/`/`dist/` in this package, or beside the bundle that contains this module (the
 * `homeops` executable copies it there).
 */
function hostScript(): string {
  const beside = fileURLToPath(new URL("../wasi-run.mjs", import.meta.url));
  const bundled = fileURLToPath(new URL("./wasi-run.mjs", import.meta.url));
  return existsSync(beside) ? beside : bundled;
}

let host: Promise<Host> | undefined;
function loadHost(): Promise<Host> {
  host ??= import(pathToFileURL(hostScript()).href) as Promise<Host>;
  return host;
}

type Reply = { id: number; answer?: string; error?: string };

/**
 * Request/reply over a message channel (a child's IPC, a worker's port). The channel holds the event loop
 * only while a batch is pending, so an idle instance never keeps the caller's process alive.
 */
function messaging(
  send: (message: { id: number; batch: string }) => void,
  hold: (busy: boolean) => void,
): {
  render(batch: string): Promise<string>;
  reply(message: Reply): void;
  fail(error: Error): void;
} {
  const pending = new Map<number, { resolve(answer: string): void; reject(error: Error): void }>();
  let next = 0;
  let failed: Error | undefined;
  const settle = (id: number) => {
    const waiting = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) hold(false);
    return waiting;
  };
  return {
    render: (batch) =>
      new Promise((resolvePromise, reject) => {
        if (failed !== undefined) return reject(failed);
        const id = next++;
        pending.set(id, { resolve: resolvePromise, reject });
        hold(true);
        send({ id, batch });
      }),
    reply: ({ id, answer, error }) => {
      const waiting = settle(id);
      if (error !== undefined) waiting?.reject(new InternalError(error));
      else waiting?.resolve(answer ?? "");
    },
    fail: (error) => {
      failed ??= error;
      for (const id of [...pending.keys()]) settle(id)?.reject(failed);
    },
  };
}

/** A worker thread hosting one instance of the module it is sent (compiled once, shared). */
function startWorker(module: WasmModule): Instance {
  const worker = new Worker(hostScript(), { workerData: { helmHost: { module, env: { ...GO_ENV } } } });
  const channel = messaging(
    (message) => worker.postMessage(message),
    (busy) => (busy ? worker.ref() : worker.unref()),
  );
  worker.unref();
  worker.on("message", channel.reply);
  worker.on("error", (cause) =>
    channel.fail(new InternalError("the helm-render worker thread failed", { cause })),
  );
  worker.on("exit", (code) =>
    channel.fail(new InternalError(`the helm-render worker thread exited with ${code}`)),
  );
  return {
    served: 0,
    render: channel.render,
    close: () => void worker.terminate(),
  };
}

/** A child process hosting one instance (it compiles its own copy of the module). */
function startChild(modulePath: string): Instance {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--disable-warning=ExperimentalWarning",
      ...V8_FLAGS,
      hostScript(),
      JSON.stringify({ modulePath, env: GO_ENV, initialMemoryMb: INITIAL_MEMORY_MB }),
    ],
    { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced" },
  );
  const err: Buffer[] = [];
  let errBytes = 0;
  child.stderr?.on("data", (c: Buffer) => {
    err.push(c);
    errBytes += c.length;
    while (errBytes > 16384 && err.length > 1) errBytes -= err.shift()?.length ?? 0;
  });
  const stderrText = () => Buffer.concat(err).toString("utf8").trim();
  const handles = () =>
    [child, child.channel, child.stderr] as Array<{ ref?(): void; unref?(): void } | null | undefined>;
  const channel = messaging(
    (message) => child.send(message),
    (busy) => {
      for (const h of handles()) busy ? h?.ref?.() : h?.unref?.();
    },
  );
  for (const h of handles()) h?.unref?.();
  child.on("message", (message: Reply) => channel.reply(message));
  child.on("error", (cause) =>
    channel.fail(new InternalError("could not start the helm-render child process", { cause })),
  );
  child.on("exit", (code, signal) => {
    const detail = stderrText();
    channel.fail(
      signal !== null
        ? new ChildCrash(
            `helm-render died with ${signal} (Node ${process.versions.node}'s WebAssembly runtime)${detail === "" ? "" : `: ${detail}`}`,
          )
        : new InternalError(`helm-render exited with ${code}${detail === "" ? "" : `: ${detail}`}`),
    );
  });
  return {
    served: 0,
    render: channel.render,
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
