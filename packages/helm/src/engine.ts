import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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
  let module = compiled.get(modulePath);
  if (module === undefined) {
    module = readFile(modulePath).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(modulePath, module);
    module.catch(() => compiled.delete(modulePath));
  }
  const wasm = await module;
  const isolate = options.isolate ?? isolated(process.versions.node);
  return {
    modulePath,
    render: async (requests) => {
      const size = batchLimit(process.versions.node);
      const out: RenderResult[] = [];
      for (let i = 0; i < requests.length; i += size)
        out.push(...(await renderWith(wasm, modulePath, isolate, requests.slice(i, i + size))));
      return out;
    },
  };
}

/**
 * Requests per module instance. Node 20's V8 dies (SIGSEGV/SIGTRAP inside the module) after some hundred Helm
 * renders in one instance; Node 24 renders 600+ fine. Each extra instance costs one Go runtime start.
 */
export function batchLimit(nodeVersion: string): number {
  const major = Number(nodeVersion.split(".")[0]);
  return major < 22 ? 20 : 1000;
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
  module: WasmModule,
  modulePath: string,
  isolate: boolean,
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
    const code = isolate
      ? await retryCrashed(() => runInChild(modulePath, { preopens, inPath, outPath, errPath }))
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
      env: {},
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

function runInChild(
  modulePath: string,
  job: { preopens: Record<string, string>; inPath: string; outPath: string; errPath: string },
): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", childScript(), JSON.stringify({ modulePath, ...job })],
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
