import { join } from "node:path";
import {
  type Finding,
  isUserError,
  type Logger,
  noopLogger,
  parseYaml,
  possibleProducer,
  type SourcePosition,
  sortFindings,
} from "@homeops/core";
import {
  type BuiltObject,
  type FluxSourceNode,
  type HelmReleaseNode,
  type ObjectPath,
  placeholderValue,
  type RepoGraph,
} from "@homeops/manifests";
import { type CachedChart, ChartCache } from "./cache.js";
import {
  type HelmEngine,
  loadHelmEngine,
  type RenderedDocument,
  type RenderRequest,
  type RenderResult,
  type ValuesSource,
} from "./engine.js";
import { type PostRenderInput, postRender } from "./internal/post-render.js";
import { type ChartSource, type PullOptions, pullChart, readRegistryConfig } from "./pull.js";
import { pickVersion } from "./version.js";

export interface RenderHelmReleasesOptions {
  /** Chart cache directory. Default `~/.cache/homeops/charts`. */
  cacheDir?: string;
  /** Pull charts missing from the cache (HTTP index + tgz, OCI registry API). Default false: fully offline. */
  allowNetwork?: boolean;
  /** Docker/Helm registry config with OCI credentials (`{"auths": …}`). */
  registryConfig?: string;
  /** Path of `helm-render.wasm`; default `.tools/wasm/helm-render.wasm` of this checkout. */
  modulePath?: string;
  /** An engine already loaded (shared across calls). */
  engine?: HelmEngine;
  /** `.Capabilities.KubeVersion`; default Helm's. */
  kubeVersion?: string;
  /** Extra `.Capabilities.APIVersions`. Default: the apiVersions (and `apiVersion/Kind`) of every CRD in the graph. */
  apiVersions?: string[];
  /** Injected for tests; default the global `fetch`. */
  fetch?: typeof fetch;
  logger?: Logger;
}

export type HelmReleaseStatus = "rendered" | "skipped" | "error";

/** What one HelmRelease renders to. */
export interface HelmReleaseRender {
  name: string;
  namespace: string;
  /** The HelmRelease's source position. */
  file: string;
  line: number;
  status: HelmReleaseStatus;
  /** Why it was skipped or failed. */
  reason?: string;
  chart?: { name: string; version: string; repository: string; digest?: string };
  /** For a release skipped because its chart is not cached: what to pull (`version` may be a range). */
  missing?: { repository: string; chart: string; version: string };
  releaseName: string;
  releaseNamespace: string;
  /** Rendered objects (CRDs per install.crds, manifests, hooks except tests), with provenance. */
  objects: BuiltObject[];
  notes?: string;
  findings: Finding[];
}

export interface HelmRenderReport {
  releases: HelmReleaseRender[];
  /** Every rendered object (the union of `releases[].objects`). */
  objects: BuiltObject[];
  findings: Finding[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Where a release's chart comes from, before the cache is consulted. */
type ChartPlan =
  | { kind: "local"; dir: string; label: string; valuesFiles?: string[]; ignoreMissing: boolean }
  | {
      kind: "remote";
      source: ChartSource;
      version: string;
      insecure: boolean;
      valuesFiles?: string[];
      ignoreMissing: boolean;
    }
  | { kind: "skip"; reason: string };

/**
 * Renders every HelmRelease of a repository graph the way helm-controller would: chart resolved from its source
 * (through the chart cache; pulled only with `allowNetwork`), values composed from `valuesFrom` and `values`,
 * Helm's own engine and values-schema validation (WebAssembly), Flux's origin labels. A chart not in the cache
 * is a skipped release with the reason, never an error.
 */
export async function renderHelmReleases(
  graph: RepoGraph,
  options: RenderHelmReleasesOptions = {},
): Promise<HelmRenderReport> {
  const logger = options.logger ?? noopLogger;
  const cache = new ChartCache(options.cacheDir === undefined ? {} : { dir: options.cacheDir });
  const credentials =
    options.registryConfig === undefined ? undefined : await readRegistryConfig(options.registryConfig);
  const apiVersions = options.apiVersions ?? crdApiVersions(graph);
  const releases: HelmReleaseRender[] = [];
  const pending: { render: HelmReleaseRender; request: RenderRequest; hr: HelmReleaseNode; spec: Obj }[] = [];
  let engineLoad: Promise<HelmEngine> | undefined;

  for (const hr of graph.helmReleases) {
    const spec = isObj(hr.object.object.spec) ? hr.object.object.spec : {};
    const target = str(spec.targetNamespace);
    const releaseName = str(spec.releaseName) ?? (target === undefined ? hr.name : `${target}-${hr.name}`);
    const render: HelmReleaseRender = {
      name: hr.name,
      namespace: hr.namespace,
      file: hr.object.provenance.file,
      line: hr.object.provenance.line,
      status: "skipped",
      releaseName,
      releaseNamespace: target ?? hr.namespace,
      objects: [],
      findings: [],
    };
    releases.push(render);
    const at = (path: ObjectPath) => position(hr.object, path);
    const plan = planChart(graph, hr, spec);
    if (plan.kind === "skip") {
      render.reason = plan.reason;
      continue;
    }
    let chart: RenderRequest["chart"];
    if (plan.kind === "local") {
      chart = { dir: plan.dir };
      render.chart = { name: plan.label, version: "", repository: "GitRepository flux-system/flux-system" };
    } else {
      let entry: CachedChart | undefined;
      try {
        entry = await resolveCached(cache, plan, options.allowNetwork === true, {
          ...(credentials === undefined ? {} : { credentials }),
          insecure: plan.insecure,
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        });
        if (entry === undefined) {
          render.reason = `chart ${plan.source.chart}@${plan.version} from ${plan.source.url} is not in the chart cache (run with --allow-network to pull it)`;
          render.missing = { repository: plan.source.url, chart: plan.source.chart, version: plan.version };
          continue;
        }
        chart = { archive: await cache.read(entry) };
      } catch (error) {
        if (!isUserError(error)) throw error;
        fail(render, error.message, at(["spec", "chart"]), "helm/chart-unavailable", error.hint);
        continue;
      }
      render.chart = {
        name: plan.source.chart,
        version: entry.version,
        repository: plan.source.url,
        digest: entry.digest,
      };
    }
    const valuesFrom = resolveValuesFrom(graph, hr, spec, render);
    if (valuesFrom === undefined) continue;
    const install = isObj(spec.install) ? spec.install : {};
    const request: RenderRequest = {
      id: `${hr.namespace}/${hr.name}`,
      chart,
      values: isObj(spec.values) ? spec.values : {},
      valuesFrom,
      release: { name: releaseName, namespace: render.releaseNamespace },
      skipSchemaValidation: install.disableSchemaValidation === true,
      includeCrds: false,
      apiVersions,
      ...(options.kubeVersion === undefined ? {} : { kubeVersion: options.kubeVersion }),
      ...(plan.valuesFiles === undefined ? {} : { valuesFiles: plan.valuesFiles }),
      ...(plan.ignoreMissing ? { ignoreMissingValuesFiles: true } : {}),
    };
    pending.push({ render, request, hr, spec });
    // the engine's instances start while the other releases are read (as many as the batch so far needs)
    engineLoad ??= options.engine
      ? Promise.resolve(options.engine)
      : loadHelmEngine(options.modulePath === undefined ? {} : { modulePath: options.modulePath });
    const count = pending.length;
    engineLoad.then((e) => e.prepare?.(count)).catch(() => {});
  }

  if (pending.length > 0 && engineLoad !== undefined) {
    logger.debug?.(`helm: rendering ${pending.length} HelmReleases`);
    const engine = await engineLoad;
    // each part's results are read as they come, while the engine renders the next parts (an engine that
    // does not hand parts on is read from its answer)
    const collected: Promise<void>[] = [];
    const taken = new Set<number>();
    const take = (i: number, result: RenderResult): void => {
      if (taken.has(i)) return;
      taken.add(i);
      const p = pending[i]!;
      collected.push(collect(p.render, p.hr, p.spec, result));
    };
    const results = await engine.render(
      pending.map((p) => p.request),
      {
        onResults: (from, part) => {
          for (const [j, r] of part.entries()) take(from + j, r);
        },
      },
    );
    for (const [i, r] of results.entries()) take(i, r);
    await Promise.all(collected);
  }

  const objects = releases.flatMap((r) => r.objects);
  const findings = sortFindings(releases.flatMap((r) => r.findings));
  return { releases, objects, findings };
}

function planChart(graph: RepoGraph, hr: HelmReleaseNode, spec: Obj): ChartPlan {
  const ref = isObj(spec.chartRef) ? spec.chartRef : undefined;
  if (ref !== undefined) {
    const kind = str(ref.kind) ?? "";
    const source = findSource(graph, kind, str(ref.name) ?? "", str(ref.namespace) ?? hr.namespace);
    if (source === undefined)
      return { kind: "skip", reason: `chartRef ${kind} ${str(ref.name)} is not in the repository` };
    if (kind === "OCIRepository") {
      const url = str(source.spec.url) ?? "";
      const r = isObj(source.spec.ref) ? source.spec.ref : {};
      return {
        kind: "remote",
        source: { type: "oci", url, chart: url.replace(/\/+$/, "").split("/").pop() ?? "" },
        version: str(r.digest) ?? str(r.semver) ?? str(r.tag) ?? "latest",
        insecure: source.spec.insecure === true,
        ignoreMissing: false,
      };
    }
    if (kind === "HelmChart") return planTemplate(graph, source.spec, source.namespace);
    return { kind: "skip", reason: `chartRef kind ${kind} is not supported (OCIRepository, HelmChart)` };
  }
  const chart = isObj(spec.chart) && isObj(spec.chart.spec) ? spec.chart.spec : undefined;
  if (chart === undefined)
    return { kind: "skip", reason: "HelmRelease has neither spec.chart.spec nor spec.chartRef" };
  return planTemplate(graph, chart, hr.namespace);
}

/** A HelmChart spec or a HelmRelease `chart.spec` (the same fields). */
function planTemplate(graph: RepoGraph, chart: Obj, namespace: string): ChartPlan {
  const sourceRef = isObj(chart.sourceRef) ? chart.sourceRef : {};
  const kind = str(sourceRef.kind) ?? "HelmRepository";
  const name = str(sourceRef.name) ?? "";
  const chartName = str(chart.chart) ?? "";
  const valuesFiles = Array.isArray(chart.valuesFiles)
    ? chart.valuesFiles.filter((f): f is string => typeof f === "string")
    : str(chart.valuesFile) === undefined
      ? undefined
      : [str(chart.valuesFile)!];
  const common = {
    ...(valuesFiles === undefined ? {} : { valuesFiles }),
    ignoreMissing: chart.ignoreMissingValuesFiles === true,
  };
  const source = findSource(graph, kind, name, str(sourceRef.namespace) ?? namespace);
  if (source === undefined) return { kind: "skip", reason: `${kind} ${name} is not in the repository` };
  if (kind === "HelmRepository") {
    const url = (str(source.spec.url) ?? "").replace(/\/+$/, "");
    const oci = source.spec.type === "oci" || url.startsWith("oci://");
    return {
      kind: "remote",
      source: oci
        ? { type: "oci", url: `${url}/${chartName}`, chart: chartName }
        : { type: "http", url, chart: chartName },
      version: str(chart.version) ?? "*",
      insecure: source.spec.insecure === true,
      ...common,
    };
  }
  if (kind === "GitRepository") {
    if (!source.isRepoRoot)
      return {
        kind: "skip",
        reason: `chart from GitRepository ${source.namespace}/${name}, which is not this repository`,
      };
    const rel = chartName.replace(/^\.?\//, "");
    return { kind: "local", dir: join(graph.root, rel), label: rel, ...common };
  }
  return { kind: "skip", reason: `charts from a ${kind} are not fetched` };
}

function findSource(
  graph: RepoGraph,
  kind: string,
  name: string,
  namespace: string,
): FluxSourceNode | undefined {
  return graph.sources.find((s) => s.kind === kind && s.name === name && s.namespace === namespace);
}

async function resolveCached(
  cache: ChartCache,
  plan: Extract<ChartPlan, { kind: "remote" }>,
  allowNetwork: boolean,
  pull: PullOptions,
): Promise<CachedChart | undefined> {
  const { source } = plan;
  if (allowNetwork) return pullChart(source, plan.version, cache, pull);
  const version = pickVersion(await cache.versions(source.url, source.chart), plan.version);
  if (version === undefined) return undefined;
  return cache.get({ repository: source.url, chart: source.chart, version });
}

/** `valuesFrom` against the repository's ConfigMaps/Secrets; undefined when a required one is missing (recorded). */
function resolveValuesFrom(
  graph: RepoGraph,
  hr: HelmReleaseNode,
  spec: Obj,
  render: HelmReleaseRender,
): ValuesSource[] | undefined {
  const out: ValuesSource[] = [];
  const refs = Array.isArray(spec.valuesFrom) ? spec.valuesFrom : [];
  for (const [i, ref] of refs.entries()) {
    if (!isObj(ref)) continue;
    const kind = str(ref.kind) ?? "";
    const name = str(ref.name) ?? "";
    const key = str(ref.valuesKey) ?? "values.yaml";
    const targetPath = str(ref.targetPath);
    const label = `${kind} chart values reference '${hr.namespace}/${name}' with key '${key}'`;
    const found = lookupData(graph, kind, name, hr.namespace, hr.object);
    const at = position(hr.object, ["spec", "valuesFrom", i]);
    if (found?.producer !== undefined) {
      // its keys are the operator's: rendered with a placeholder, never an error (homeops cannot tell)
      render.findings.push({
        ruleId: "helm/values-from-unknown",
        severity: "info",
        message: `${label}: no Secret in the repository, but ${found.producer} may produce it (an operator homeops does not know); rendered with a placeholder`,
        ...at,
      });
      if (targetPath !== undefined) out.push({ name: label, data: placeholderValue(key), targetPath });
      continue;
    }
    if (found === undefined || !(key in found.data)) {
      if (ref.optional === true) continue;
      fail(
        render,
        `could not resolve ${label}: ${found === undefined ? "resource not found in the repository" : "key not found"}`,
        at,
        "helm/values-from-missing",
        "add the ConfigMap/Secret to the repository (in the HelmRelease's namespace) or mark the reference optional",
      );
      return undefined;
    }
    if (found.placeholder && targetPath === undefined) {
      render.findings.push({
        ruleId: "helm/values-from-unknown",
        severity: "info",
        message: `${label}: the values live in an encrypted or externally produced Secret; rendered without them`,
        ...at,
      });
      continue;
    }
    out.push({ name: label, data: found.data[key]!, ...(targetPath === undefined ? {} : { targetPath }) });
  }
  return out;
}

function lookupData(
  graph: RepoGraph,
  kind: string,
  name: string,
  namespace: string,
  consumer: BuiltObject,
): { data: Record<string, string>; placeholder: boolean; producer?: string } | undefined {
  for (const o of graph.objects) {
    if (o.name !== name || (o.namespace ?? namespace) !== namespace) continue;
    const obj = o.object;
    if (kind === "Secret" && o.kind === "ExternalSecret") {
      const spec = isObj(obj.spec) ? obj.spec : {};
      const target = isObj(spec.target) ? spec.target : {};
      if ((str(target.name) ?? o.name) !== name) continue;
      const keys = new Set<string>();
      const template = isObj(target.template) ? target.template : {};
      if (isObj(template.data)) for (const k of Object.keys(template.data)) keys.add(k);
      for (const d of Array.isArray(spec.data) ? spec.data : [])
        if (isObj(d) && typeof d.secretKey === "string") keys.add(d.secretKey);
      return { data: Object.fromEntries([...keys].map((k) => [k, placeholderValue(k)])), placeholder: true };
    }
    if (o.kind !== kind || o.apiVersion !== "v1") continue;
    const data: Record<string, string> = {};
    if (kind === "ConfigMap") {
      for (const [k, v] of Object.entries(isObj(obj.data) ? obj.data : {})) data[k] = String(v ?? "");
      return { data, placeholder: false };
    }
    if (kind !== "Secret") return undefined;
    const encrypted = isObj(obj.sops);
    for (const [k, v] of Object.entries(isObj(obj.data) ? obj.data : {}))
      data[k] = encrypted ? placeholderValue(k) : Buffer.from(String(v ?? ""), "base64").toString("utf8");
    for (const [k, v] of Object.entries(isObj(obj.stringData) ? obj.stringData : {}))
      data[k] = encrypted ? placeholderValue(k) : String(v ?? "");
    return { data, placeholder: encrypted };
  }
  // an operator's resource (OnePasswordItem, …) or another release may write the Secret: its keys are unknown
  const producer = kind === "Secret" ? possibleProducer(graph.objects, namespace, name, consumer) : undefined;
  return producer === undefined
    ? undefined
    : {
        data: {},
        placeholder: true,
        producer: `${producer.kind} ${producer.namespace ?? namespace}/${producer.name}`,
      };
}

async function collect(
  render: HelmReleaseRender,
  hr: HelmReleaseNode,
  spec: Obj,
  result: RenderResult,
): Promise<void> {
  if (result.chart !== undefined && render.chart !== undefined) {
    render.chart.name = result.chart.name;
    if (render.chart.version === "") render.chart.version = result.chart.version;
  }
  if (result.error !== undefined) {
    if (result.error.stage === "schema") {
      render.status = "error";
      render.reason = "values don't meet the chart's values schema";
      render.findings.push(...schemaFindings(hr, result.chart?.name ?? "", result.error.message));
      return;
    }
    fail(render, result.error.message, position(hr.object, ["spec"]), `helm/${result.error.stage}`);
    return;
  }
  render.status = "rendered";
  if (result.notes !== "") render.notes = result.notes;
  const install = isObj(spec.install) ? spec.install : {};
  const crds = str(install.crds) ?? "Create";
  const chartLabel = `${render.chart?.name ?? "chart"}@${render.chart?.version ?? ""}`;
  const origin: SourcePosition = {
    file: hr.object.provenance.file,
    line: hr.object.provenance.line,
    column: hr.object.provenance.column,
  };
  // what a rendered field came from is the chart's business; the user's handle on it is the release's values
  const values = isObj(spec.values) ? position(hr.object, ["spec", "values"]) : origin;
  let unreadable = false;
  const read = (doc: RenderedDocument, hook: boolean): PostRenderInput[] => {
    let parsed: unknown[];
    try {
      parsed = parseYaml(doc.content, { file: doc.path, version: "1.1" }).documents.map((d) => d.value);
    } catch (error) {
      if (!isUserError(error)) throw error;
      fail(render, `${doc.path}: ${error.message}`, origin, "helm/render");
      unreadable = true;
      return [];
    }
    const template = doc.path.split("/").slice(1).join("/");
    return parsed.filter(isObj).map((value) => ({
      object: {
        apiVersion: String(value.apiVersion ?? ""),
        kind: String(value.kind ?? ""),
        name: String((isObj(value.metadata) ? value.metadata.name : undefined) ?? ""),
        object: value,
        provenance: {
          ...origin,
          chain: [
            ...hr.object.provenance.chain,
            `HelmRelease ${hr.namespace}/${hr.name}`,
            chartLabel,
            template,
          ],
        },
        locate: () => values,
      },
      yaml: doc.content,
      hook,
    }));
  };
  // the chart's crds/ are installed as they are: no post-renderer (origin labels included) sees them
  const crdObjects = crds === "Skip" ? [] : result.crds.flatMap((d) => read(d, false).map((i) => i.object));
  const streamed = [
    ...result.manifests.flatMap((d) => read(d, false)),
    ...result.hooks.flatMap((d) => read(d, true)),
  ];
  if (unreadable) return;
  const post = await postRender(streamed, {
    apiVersion: hr.object.apiVersion,
    name: hr.name,
    namespace: hr.namespace,
    spec,
    at: (path) => position(hr.object, path),
  });
  render.findings.push(...post.findings);
  if (post.failure !== undefined) {
    fail(render, post.failure.message, post.failure.at, "helm/post-render");
    return;
  }
  // tests are not part of what the release installs (`helm.sh/hook` as Helm sorts it after post-rendering)
  const objects = [...crdObjects, ...post.objects].filter((o) => !isTestHook(o.object));
  for (const o of objects) {
    const metadata = isObj(o.object.metadata) ? o.object.metadata : {};
    const kind = String(o.object.kind ?? "");
    const namespace =
      str(metadata.namespace) ?? (CLUSTER_SCOPED.has(kind) ? undefined : render.releaseNamespace);
    render.objects.push({
      apiVersion: String(o.object.apiVersion ?? ""),
      kind,
      name: String(metadata.name ?? ""),
      ...(namespace === undefined ? {} : { namespace }),
      object: o.object,
      provenance: o.provenance,
      locate: o.locate,
    });
  }
}

function isTestHook(value: Obj): boolean {
  const metadata = isObj(value.metadata) ? value.metadata : {};
  const hook = isObj(metadata.annotations) ? metadata.annotations["helm.sh/hook"] : undefined;
  return (
    typeof hook === "string" &&
    hook.split(",").some((e) => e.trim() === "test" || e.trim() === "test-success")
  );
}

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "APIService",
  "CSIDriver",
  "RuntimeClass",
  "GatewayClass",
  "ClusterIssuer",
]);

/** Helm's schema failure message → one finding per violation, at the HelmRelease values' file:line. */
export function schemaFindings(hr: HelmReleaseNode, chartName: string, message: string): Finding[] {
  const out: Finding[] = [];
  let chart = chartName;
  for (const line of message.split("\n").slice(1)) {
    const header = /^(\S.*):$/.exec(line);
    if (header) {
      chart = header[1]!;
      continue;
    }
    const m = /^- at '([^']*)': (.*)$/.exec(line);
    if (!m) continue;
    const pointer = m[1]!
      .split("/")
      .slice(1)
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const prefix = chart === chartName ? [] : [chart];
    const path = ["spec", "values", ...prefix, ...pointer];
    const shown = [...prefix, ...pointer].join(".") || "(values)";
    out.push({
      ruleId: "helm/values-schema",
      severity: "error",
      message: `HelmRelease ${hr.namespace}/${hr.name}: values ${shown}: ${m[2]} (schema of chart ${chart})`,
      hint: "fix the value to match the chart's values.schema.json, or set install.disableSchemaValidation",
      path: shown,
      ...position(hr.object, path),
    });
  }
  if (out.length === 0) {
    out.push({
      ruleId: "helm/values-schema",
      severity: "error",
      message: `HelmRelease ${hr.namespace}/${hr.name}: ${message.trim()}`,
      ...position(hr.object, ["spec", "values"]),
    });
  }
  return out;
}

/** The source position of the deepest part of `path` present in the object (array indexes as numbers). */
function position(obj: BuiltObject, path: readonly string[] | ObjectPath): SourcePosition {
  const present: (string | number)[] = [];
  let node: unknown = obj.object;
  for (const seg of path) {
    if (Array.isArray(node) && /^\d+$/.test(String(seg)) && Number(seg) < node.length) {
      present.push(Number(seg));
      node = node[Number(seg)];
    } else if (isObj(node) && String(seg) in node) {
      present.push(String(seg));
      node = node[String(seg)];
    } else break;
  }
  const p = obj.locate(present);
  return { file: p.file, line: p.line, column: p.column };
}

function fail(
  render: HelmReleaseRender,
  message: string,
  at: SourcePosition,
  ruleId: string,
  hint?: string,
): void {
  render.status = "error";
  render.reason = message;
  render.findings.push({
    ruleId,
    severity: "error",
    message: `HelmRelease ${render.namespace}/${render.name}: ${message}`,
    ...(hint === undefined ? {} : { hint }),
    file: at.file,
    line: at.line,
    column: at.column,
  });
}

/** `group/version` and `group/version/Kind` of every CRD the repository declares (Capabilities, as on a cluster that has them). */
function crdApiVersions(graph: RepoGraph): string[] {
  const out = new Set<string>();
  for (const o of graph.objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const spec = isObj(o.object.spec) ? o.object.spec : {};
    const group = str(spec.group);
    const kind = isObj(spec.names) ? str(spec.names.kind) : undefined;
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      const version = isObj(v) ? str(v.name) : undefined;
      if (group === undefined || version === undefined) continue;
      out.add(`${group}/${version}`);
      if (kind !== undefined) out.add(`${group}/${version}/${kind}`);
    }
  }
  return [...out].sort();
}
