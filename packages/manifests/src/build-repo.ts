import { resolve } from "node:path";
import {
  externalSecretKeys,
  externalSecretTarget,
  type Finding,
  isRemoteReference,
  noopLogger,
  sortFindings,
} from "@homeops/core";
import { buildKey, findBuild, recordBuild, restoreBuild, variablesHash } from "./internal/build-cache.js";
import { fetchRemoteText } from "./internal/fetch-remote.js";
import { FileStore } from "./internal/files.js";
import { type BuildContext, buildTopLevel, type KustomizationOverride } from "./internal/kustomize.js";
import {
  getKind,
  getName,
  getNamespace,
  groupVersion,
  isObj,
  meta,
  type Obj,
  type Res,
  toBuiltObject,
} from "./internal/res.js";
import { scopeResolver } from "./internal/scope.js";
import { toSelector } from "./internal/select.js";
import { invalidVariableNames, isSubstitutionDisabled, substituteObject } from "./internal/substitute.js";
import type {
  BuildRepoOptions,
  BuiltObject,
  FluxKustomizationNode,
  FluxSourceNode,
  HelmReleaseNode,
  ObjectRef,
  RepoGraph,
  SourcePosition,
  SourceRef,
  SubstitutionSource,
} from "./types.js";

export const KS_GROUP = "kustomize.toolkit.fluxcd.io";
export const SOURCE_GROUP = "source.toolkit.fluxcd.io";
const HELM_GROUP = "helm.toolkit.fluxcd.io";
const SOURCE_KINDS = new Set([
  "GitRepository",
  "OCIRepository",
  "HelmRepository",
  "Bucket",
  "HelmChart",
  "ExternalArtifact",
]);

/** The default when nothing is said: Flux 2.9 controllers substitute strictly. */
const DEFAULTS = { clusterRoot: "kubernetes/flux", strict: true, allowNetwork: false } as const;

/** A Flux Kustomization to build: its object as its parent's build produced it. */
export interface QueueItem {
  name: string;
  namespace: string;
  spec: Obj;
  object: Obj;
  at: SourcePosition;
  locate?: (path: (string | number)[]) => SourcePosition;
  parent?: string;
  /** the object it was declared as in its parent's build (absent for the implicit root) */
  declared?: BuiltObject;
}

/** `https://github.com/o/r.git`, `ssh://git@github.com/o/r`, `git@github.com:o/r` → `github.com/o/r`. */
export function normalizeGitUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z+]+:\/\//, "")
    .replace(/^[^@/]+@/, "")
    .replace(/^([^/:]+):(?!\d)/, "$1/")
    .replace(/\.git$|\/+$/g, "")
    .replace(/\.git$/, "");
}

/** Value given to a key of a SOPS-encrypted or ExternalSecret-produced Secret (never the real value). */
export function placeholderValue(key: string): string {
  return `x-${key.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

/** Normalizes a Flux `spec.path` to a repo-relative posix directory. */
export function normalizeFluxPath(path: unknown): string {
  const p = typeof path === "string" ? path : "";
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return parts.length === 0 ? "." : parts.join("/");
}

/** The `KustomizationOverride` Flux's generator derives from a Kustomization spec. */
export function fluxOverride(
  spec: Obj,
  origin: SourcePosition,
  locate?: (path: (string | number)[]) => SourcePosition,
): { override: KustomizationOverride; findings: Finding[] } {
  const findings: Finding[] = [];
  const override: KustomizationOverride = { origin };
  if (typeof spec.targetNamespace === "string" && spec.targetNamespace)
    override.namespace = spec.targetNamespace;
  if (typeof spec.namePrefix === "string" && spec.namePrefix) override.namePrefix = spec.namePrefix;
  if (typeof spec.nameSuffix === "string" && spec.nameSuffix) override.nameSuffix = spec.nameSuffix;
  if (Array.isArray(spec.patches)) {
    override.patches = spec.patches.flatMap((p, i) => {
      if (!isObj(p)) return [];
      const target = p.target === undefined ? undefined : toSelector(p.target);
      const at = locate?.(["spec", "patches", i, "patch"]);
      return [
        {
          patch: typeof p.patch === "string" ? p.patch : "",
          ...(target ? { target } : {}),
          ...(at ? { at } : {}),
        },
      ];
    });
  }
  if (Array.isArray(spec.components)) {
    override.components = [];
    for (const c of spec.components) {
      if (typeof c !== "string") continue;
      if (isRemoteReference(c) || c.startsWith("/")) {
        findings.push({
          ruleId: "flux/invalid-component",
          severity: "error",
          message: `component path '${c}' must be local and relative`,
          ...origin,
        });
        continue;
      }
      override.components.push(c);
    }
  }
  if (Array.isArray(spec.images)) {
    override.images = spec.images.filter(isObj).map((i) => ({
      name: String(i.name ?? ""),
      ...(typeof i.newName === "string" && i.newName ? { newName: i.newName } : {}),
      ...(i.newTag !== undefined && String(i.newTag) ? { newTag: String(i.newTag) } : {}),
      ...(typeof i.digest === "string" && i.digest ? { digest: i.digest } : {}),
    }));
  }
  return { override, findings };
}

const RAW_SOURCE_FILE = /\.ya?ml(\.j2|\.tmpl|\.tpl)?$/;

/** What a `substituteFrom` lookup found: the data, whether its keys are complete, where it came from. */
export interface LookupResult {
  data: Record<string, string>;
  complete: boolean;
  file: string;
  producedBy?: string;
}

/** A build's `substituteFrom` lookups, in order: kind, name, namespace and what was found (null: nothing). */
export type LookupEntry = [kind: string, name: string, namespace: string, result: LookupResult | null];

/** Where `postBuild.substituteFrom` sources are looked up. */
export interface VariableLookup {
  lookupSource(kind: string, name: string, namespace: string): Promise<LookupResult | undefined>;
}

/** The lookups each node's build made (a graph snapshot keeps them). */
const LOOKUPS = new WeakMap<FluxKustomizationNode, LookupEntry[]>();

/** The `substituteFrom` lookups the build of `node` made, in order. */
export function lookupsOf(node: FluxKustomizationNode): readonly LookupEntry[] {
  return LOOKUPS.get(node) ?? [];
}

class VariableSources implements VariableLookup {
  private rawIndex: Promise<{ obj: Obj; file: string; template: boolean }[]> | undefined;

  constructor(
    private readonly files: FileStore,
    private readonly built: () => BuiltObject[],
    /** the Flux Kustomization (`namespace/name`) that produced a built object */
    private readonly producerOf: (o: BuiltObject) => string | undefined = () => undefined,
  ) {}

  /** The data keys/values a ConfigMap/Secret named `name` in `namespace` offers, or undefined. */
  async lookup(kind: string, name: string, namespace: string): Promise<Record<string, string> | undefined> {
    return (await this.lookupSource(kind, name, namespace))?.data;
  }

  /** As `lookup`, and whether the keys are complete (an ExternalSecret with `dataFrom` may provide more). */
  async lookupSource(kind: string, name: string, namespace: string): Promise<LookupResult | undefined> {
    for (const o of this.built()) {
      const found = this.extract(o.object, kind, name, namespace, false);
      const producedBy = this.producerOf(o);
      if (found)
        return {
          data: found,
          complete: this.complete(o.object),
          file: o.provenance.file,
          ...(producedBy ? { producedBy } : {}),
        };
    }
    for (const { obj, file, template } of await this.raw()) {
      const found = this.extract(obj, kind, name, namespace, true, template);
      if (found) return { data: found, complete: this.complete(obj), file };
    }
    return undefined;
  }

  private complete(o: Obj): boolean {
    return getKind(o) !== "ExternalSecret" || externalSecretKeys(o).complete;
  }

  private extract(
    o: Obj,
    kind: string,
    name: string,
    namespace: string,
    raw: boolean,
    template = false,
  ): Record<string, string> | undefined {
    const ns = getNamespace(o);
    const nsOk = ns === namespace || (raw && ns === "");
    // a ClusterExternalSecret (cluster-scoped) writes its Secret into the namespaces it selects; the
    // selectors are runtime labels, so every namespace is taken as selected
    const cluster = getKind(o) === "ClusterExternalSecret";
    if (kind === "Secret" && (getKind(o) === "ExternalSecret" || cluster) && (nsOk || cluster)) {
      const outer = isObj(o.spec) ? o.spec : {};
      const es = cluster
        ? {
            metadata: {
              name:
                typeof outer.externalSecretName === "string" && outer.externalSecretName
                  ? outer.externalSecretName
                  : getName(o),
            },
            spec: isObj(outer.externalSecretSpec) ? outer.externalSecretSpec : {},
          }
        : o;
      if (externalSecretTarget(es) !== name) return undefined;
      const { keys } = externalSecretKeys(es);
      return Object.fromEntries([...keys].sort().map((k) => [k, placeholderValue(k)]));
    }
    if (
      getKind(o) !== kind ||
      getName(o) !== name ||
      !nsOk ||
      groupVersion(String(o.apiVersion ?? "")).group !== ""
    )
      return undefined;
    const out: Record<string, string> = {};
    // a template's values (and SOPS ciphertext) are only known once its tool has run: keys, not values
    const encrypted = isObj(o.sops) || template;
    if (kind === "ConfigMap") {
      for (const [k, v] of Object.entries(isObj(o.data) ? o.data : {})) out[k] = String(v ?? "");
      return out;
    }
    for (const [k, v] of Object.entries(isObj(o.data) ? o.data : {})) {
      out[k] = encrypted ? placeholderValue(k) : Buffer.from(String(v ?? ""), "base64").toString("utf8");
    }
    for (const [k, v] of Object.entries(isObj(o.stringData) ? o.stringData : {})) {
      out[k] = encrypted ? placeholderValue(k) : String(v ?? "");
    }
    return out;
  }

  /**
   * ConfigMaps, Secrets and ExternalSecrets written anywhere in the repository, for sources no Flux
   * Kustomization builds: applied by hand or by a bootstrap task, which may render them from a template
   * (`resources.yaml.j2`, `.tmpl`, `.tpl`) that is still YAML.
   */
  private raw(): Promise<{ obj: Obj; file: string; template: boolean }[]> {
    this.rawIndex ??= (async () => {
      const out: { obj: Obj; file: string; template: boolean }[] = [];
      const walk = async (rel: string): Promise<void> => {
        for (const e of await this.files.list(rel)) {
          if (e.name.startsWith(".") || e.name === "node_modules") continue;
          const child = rel === "." ? e.name : `${rel}/${e.name}`;
          if (e.dir) await walk(child);
          else if (RAW_SOURCE_FILE.test(e.name)) {
            const buf = await this.files.bytes(child);
            if (
              !buf ||
              !/kind:\s*(ConfigMap|Secret|ExternalSecret|ClusterExternalSecret)\b/.test(buf.toString("utf8"))
            )
              continue;
            const loaded = await this.files.yaml(child);
            if (!loaded.ok) continue;
            const template = RAW_SOURCE_FILE.exec(e.name)?.[1] !== undefined;
            for (const d of loaded.file.documents)
              if (isObj(d.value)) out.push({ obj: d.value, file: child, template });
          }
        }
      };
      await walk(".");
      return out;
    })();
    return this.rawIndex;
  }
}

/** What a graph's build knew beyond the graph itself (a snapshot of it keeps it for a changed-only run). */
export interface BuildState {
  files: FileStore;
  /** the item each node was built from, by `namespace/name` */
  items: Map<string, QueueItem>;
  /** the GitRepositories (`namespace/name`) that are this repository */
  repoSources: ReadonlySet<string>;
  strict: boolean;
}

const BUILD_STATES = new WeakMap<RepoGraph, BuildState>();

/** The build state of a graph `buildRepoGraph` returned. */
export function buildStateOf(graph: RepoGraph): BuildState | undefined {
  return BUILD_STATES.get(graph);
}

/** The file store of a Flux build: the repository as source-controller packs it, through the caller's reads. */
export function artifactStore(
  absRoot: string,
  options: Pick<BuildRepoOptions, "contents" | "maxFileBytes" | "contentsInsideRoot">,
): FileStore {
  return new FileStore(absRoot, options.contents, true, options.maxFileBytes, options.contentsInsideRoot);
}

/** The build context of a repository build (the file store's reads, no network unless allowed). */
export function buildContext(files: FileStore, allowNetwork: boolean): BuildContext {
  return {
    files,
    allowNetwork,
    fetchRemote: fetchRemoteText,
    findings: [],
    skipped: [],
    dirCache: new Map(),
  };
}

/**
 * Builds the whole repository as Flux would: starting from the cluster root (an implicit
 * `flux-system/flux-system` Kustomization over `clusterRoot`), every Flux Kustomization found in a
 * build is built in turn, breadth-first.
 */
export async function buildRepoGraph(root: string, options: BuildRepoOptions = {}): Promise<RepoGraph> {
  const clusterRoot = normalizeFluxPath(options.clusterRoot ?? DEFAULTS.clusterRoot);
  const strict = options.strict ?? DEFAULTS.strict;
  const logger = options.logger ?? noopLogger;
  const absRoot = resolve(root);
  const files = artifactStore(absRoot, options);
  const sourceIgnore = await findSourceIgnore(files, clusterRoot);
  if (sourceIgnore !== undefined) files.setSourceIgnore(sourceIgnore);
  const ctx = buildContext(files, options.allowNetwork ?? DEFAULTS.allowNetwork);
  const items = new Map<string, QueueItem>();
  const nodes: FluxKustomizationNode[] = [];
  const findings: Finding[] = [];
  const skippedRemote: RepoGraph["skippedRemote"] = [];
  const allObjects: BuiltObject[] = [];
  const producers = new WeakMap<BuiltObject, string>();
  const vars = new VariableSources(
    files,
    () => allObjects,
    (o) => producers.get(o),
  );

  const seen = new Set<string>();
  const queue: QueueItem[] = [];
  const repoUrls = new Set<string>(options.repositoryUrl ? [normalizeGitUrl(options.repositoryUrl)] : []);
  const repoSources = new Set<string>(["flux-system/flux-system", ...(options.repositorySources ?? [])]);
  if ((await files.kind(clusterRoot)) !== "dir") {
    findings.push({
      ruleId: "flux/missing-cluster-root",
      severity: "error",
      message: `cluster root '${clusterRoot}' is not a directory`,
      file: clusterRoot,
    });
  } else {
    const spec: Obj = {
      interval: "10m",
      path: `./${clusterRoot === "." ? "" : clusterRoot}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
    };
    queue.push({
      name: "flux-system",
      namespace: "flux-system",
      spec,
      object: {
        apiVersion: `${KS_GROUP}/v1`,
        kind: "Kustomization",
        metadata: { name: "flux-system", namespace: "flux-system" },
        spec,
      },
      at: { file: clusterRoot, line: 1, column: 1 },
    });
    seen.add("flux-system/flux-system");
  }

  // A substituteFrom source that another Kustomization writes (an ExternalSecret in a sibling that
  // dependsOn orders first) exists when the controller reconciles this one: a Kustomization that failed
  // for want of a source is built again, in its place, once the others are built.
  const waiting: { item: QueueItem; index: number }[] = [];
  let retrying = false;
  for (;;) {
    // Breadth-first, one level at a time; the Kustomizations of a level are built concurrently (their
    // results are consumed in queue order, so the output stays deterministic).
    while (queue.length > 0) {
      const level = queue.splice(0, queue.length);
      const built = level.map((item) => {
        logger.debug(`building Kustomization ${item.namespace}/${item.name}`);
        return buildNode(item, ctx, vars, strict, repoSources);
      });
      for (let i = 0; i < level.length; i++) {
        await processNode(level[i]!, await built[i]!);
      }
    }
    if (retrying || waiting.length === 0) break;
    retrying = true;
    for (const { item, index } of waiting) {
      const missing = missingSources(nodes[index]!);
      const found = await Promise.all(missing.map((m) => vars.lookupSource(m.kind, m.name, item.namespace)));
      if (found.some((f) => f === undefined)) continue;
      const again = await buildNode(item, ctx, vars, strict, repoSources);
      if (missingSources(again).length > 0) continue;
      const old = nodes[index]!;
      for (const f of old.findings) findings.splice(findings.indexOf(f), 1);
      const stale = new Set(old.objects);
      allObjects.splice(0, allObjects.length, ...allObjects.filter((o) => !stale.has(o)));
      await processNode(item, again, index);
    }
  }

  function missingSources(node: FluxKustomizationNode): SubstitutionSource[] {
    return (node.substitutionSources ?? []).filter((s) => !s.found && !s.optional);
  }

  async function processNode(item: QueueItem, first: FluxKustomizationNode, replace?: number): Promise<void> {
    let node = first;
    if (item.parent === undefined) {
      // The implicit root stands in for the flux-system Kustomization; when Git declares it, use the real one.
      const real = node.objects.find(
        (o) =>
          o.kind === "Kustomization" &&
          groupVersion(o.apiVersion).group === KS_GROUP &&
          o.name === "flux-system" &&
          (o.namespace ?? "flux-system") === "flux-system",
      );
      if (real && isObj(real.object.spec)) {
        const replaced = await buildNode(
          {
            name: "flux-system",
            namespace: "flux-system",
            spec: real.object.spec,
            object: real.object,
            at: { file: real.provenance.file, line: real.provenance.line, column: real.provenance.column },
            locate: (p) => real.locate(p),
            declared: real,
          },
          ctx,
          vars,
          strict,
          repoSources,
        );
        if (replaced.status === "built") node = replaced;
      }
    }
    items.set(`${node.namespace}/${node.name}`, item);
    if (replace === undefined) {
      nodes.push(node);
      if (!retrying && missingSources(node).length > 0) waiting.push({ item, index: nodes.length - 1 });
    } else nodes[replace] = node;
    findings.push(...node.findings);
    allObjects.push(...node.objects);
    for (const o of node.objects) producers.set(o, `${node.namespace}/${node.name}`);
    // a GitRepository of this repository's URL under another name is this repository too
    for (const obj of node.objects) {
      if (obj.kind !== "GitRepository" || groupVersion(obj.apiVersion).group !== SOURCE_GROUP) continue;
      const url = isObj(obj.object.spec) ? obj.object.spec.url : undefined;
      const namespace = obj.namespace ?? node.namespace;
      if (obj.name === "flux-system" && namespace === "flux-system" && typeof url === "string") {
        repoUrls.add(normalizeGitUrl(url));
      }
      if (typeof url === "string" && repoUrls.has(normalizeGitUrl(url)))
        repoSources.add(`${namespace}/${obj.name}`);
    }
    for (const obj of node.objects) {
      const o = obj.object;
      if (getKind(o) !== "Kustomization" || groupVersion(obj.apiVersion).group !== KS_GROUP) continue;
      const namespace = obj.namespace ?? node.namespace;
      const key = `${namespace}/${obj.name}`;
      if (seen.has(key)) {
        // a Kustomization that applies itself (as flux-system does) is declared once, by its parent
        if (key !== "flux-system/flux-system" && key !== `${node.namespace}/${node.name}`) {
          findings.push({
            ruleId: "flux/duplicate-kustomization",
            severity: "error",
            message: `Kustomization ${key} is declared more than once`,
            file: obj.provenance.file,
            line: obj.provenance.line,
          });
        }
        continue;
      }
      seen.add(key);
      queue.push({
        name: obj.name,
        namespace,
        spec: isObj(o.spec) ? o.spec : {},
        object: o,
        at: { file: obj.provenance.file, line: obj.provenance.line, column: obj.provenance.column },
        locate: (p) => obj.locate(p),
        parent: `${node.namespace}/${node.name}`,
        declared: obj,
      });
    }
  }

  findings.push(...namespaceFindings(nodes, scopeResolver(allObjects)));
  const { sources, helmReleases } = graphSourcesAndReleases(nodes, repoSources);
  if (!sources.some((s) => s.isRepoRoot)) {
    sources.unshift({
      kind: "GitRepository",
      name: "flux-system",
      namespace: "flux-system",
      spec: {},
      isRepoRoot: true,
    });
  }
  for (const node of nodes) skippedRemote.push(...node.skippedRemote);
  const uniqueSkipped = dedupe(skippedRemote, (s) => `${s.url}|${s.kustomization}|${s.line}`);

  const graph: RepoGraph = {
    root: absRoot,
    clusterRoot,
    kustomizations: nodes,
    sources,
    helmReleases,
    objects: allObjects,
    files: files.parsed,
    ...(files.tree ? { tree: files.tree } : {}),
    skippedRemote: uniqueSkipped,
    findings: sortFindings(dedupeFindings(findings)),
  };
  BUILD_STATES.set(graph, { files, items, repoSources, strict });
  return graph;
}

/** Findings once each (the graph's identity of a finding: rule, place and message). */
export function dedupeFindings(findings: Finding[]): Finding[] {
  return dedupe(findings, (f) => `${f.ruleId}|${f.file}|${f.line}|${f.column}|${f.message}`);
}

/**
 * kustomize-controller refuses to apply a namespaced object without a namespace ("namespace not
 * specified"): a finding on each such object, added to its node (which becomes `error`); returns them.
 */
export function namespaceFindings(
  nodes: readonly FluxKustomizationNode[],
  namespaced: (apiVersion: string, kind: string) => boolean | undefined,
): Finding[] {
  const out: Finding[] = [];
  for (const node of nodes) {
    for (const obj of node.objects) {
      if (obj.namespace !== undefined || namespaced(obj.apiVersion, obj.kind) !== true) continue;
      const finding: Finding = {
        ruleId: "flux/namespace-not-specified",
        severity: "error",
        message: `Kustomization ${node.namespace}/${node.name}: ${obj.kind}/${obj.name} namespace not specified (kustomize-controller fails to apply it)`,
        hint: "set metadata.namespace, a `namespace:` in the kustomization.yaml, or spec.targetNamespace",
        file: obj.provenance.file,
        line: obj.provenance.line,
        column: obj.provenance.column,
      };
      node.findings.push(finding);
      out.push(finding);
      node.status = "error";
    }
  }
  return out;
}

/** The Flux sources and HelmReleases of the nodes' objects. */
export function graphSourcesAndReleases(
  nodes: readonly FluxKustomizationNode[],
  repoSources: ReadonlySet<string>,
): { sources: FluxSourceNode[]; helmReleases: HelmReleaseNode[] } {
  const sources: FluxSourceNode[] = [];
  const helmReleases: HelmReleaseNode[] = [];
  for (const node of nodes) {
    for (const obj of node.objects) {
      const group = groupVersion(obj.apiVersion).group;
      if (group === SOURCE_GROUP && SOURCE_KINDS.has(obj.kind)) {
        const namespace = obj.namespace ?? node.namespace;
        sources.push({
          kind: obj.kind,
          name: obj.name,
          namespace,
          file: obj.provenance.file,
          line: obj.provenance.line,
          spec: isObj(obj.object.spec) ? obj.object.spec : {},
          isRepoRoot: obj.kind === "GitRepository" && repoSources.has(`${namespace}/${obj.name}`),
          producedBy: `${node.namespace}/${node.name}`,
        });
      } else if (group === HELM_GROUP && obj.kind === "HelmRelease") {
        helmReleases.push({
          name: obj.name,
          namespace: obj.namespace ?? node.namespace,
          kustomization: `${node.namespace}/${node.name}`,
          object: obj,
        });
      }
    }
  }
  return { sources, helmReleases };
}

/** `spec.ignore` of the flux-system GitRepository declared under the cluster root, if any. */
async function findSourceIgnore(files: FileStore, clusterRoot: string): Promise<string | undefined> {
  const walk = async (rel: string): Promise<string | undefined> => {
    for (const e of await files.list(rel)) {
      const child = rel === "." ? e.name : `${rel}/${e.name}`;
      if (e.dir) {
        const found = await walk(child);
        if (found !== undefined) return found;
        continue;
      }
      if (!/\.ya?ml$/.test(e.name)) continue;
      const buf = await files.bytes(child);
      if (!buf?.includes("GitRepository")) continue;
      const loaded = await files.yaml(child);
      if (!loaded.ok) continue;
      for (const d of loaded.file.documents) {
        const o = d.value;
        if (!isObj(o) || o.kind !== "GitRepository" || getName(o) !== "flux-system") continue;
        if (groupVersion(String(o.apiVersion ?? "")).group !== SOURCE_GROUP) continue;
        const spec = isObj(o.spec) ? o.spec : {};
        if (typeof spec.ignore === "string") return spec.ignore;
      }
    }
    return undefined;
  };
  return (await files.kind(clusterRoot)) === "dir" ? walk(clusterRoot) : undefined;
}

/**
 * Builds one Flux Kustomization object (as found in Git: apiVersion, kind, metadata, spec) against the
 * repository at `root`, without discovering others. substituteFrom sources are looked up in the repo files.
 */
export async function buildFluxKustomization(
  root: string,
  kustomization: Record<string, unknown>,
  options: Omit<BuildRepoOptions, "clusterRoot"> = {},
): Promise<FluxKustomizationNode> {
  const files = artifactStore(resolve(root), options);
  const ctx: BuildContext = {
    files,
    allowNetwork: options.allowNetwork ?? DEFAULTS.allowNetwork,
    findings: [],
    skipped: [],
    dirCache: new Map(),
  };
  const name = getName(kustomization);
  const namespace = getNamespace(kustomization) || "flux-system";
  const node = (await buildNode(
    {
      name,
      namespace,
      spec: isObj(kustomization.spec) ? kustomization.spec : {},
      object: kustomization,
      at: { file: ".", line: 1, column: 1 },
    },
    ctx,
    new VariableSources(files, () => []),
    options.strict ?? DEFAULTS.strict,
    new Set(["flux-system/flux-system"]),
  )) as NodeWithSkipped;
  return node;
}

type NodeWithSkipped = FluxKustomizationNode;

function noInputs(): FluxKustomizationNode["inputs"] {
  return { files: [], dirs: [], absent: [] };
}

function dedupe<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export async function buildNode(
  item: QueueItem,
  ctx: BuildContext,
  vars: VariableLookup,
  strict: boolean,
  repoSources: ReadonlySet<string>,
): Promise<FluxKustomizationNode> {
  const { spec, at } = item;
  const findings: Finding[] = [];
  const srcRef = isObj(spec.sourceRef) ? spec.sourceRef : {};
  const sourceRef: SourceRef = {
    kind: typeof srcRef.kind === "string" ? srcRef.kind : "GitRepository",
    name: typeof srcRef.name === "string" ? srcRef.name : "",
    namespace: typeof srcRef.namespace === "string" && srcRef.namespace ? srcRef.namespace : item.namespace,
  };
  const dependsOn: ObjectRef[] = (Array.isArray(spec.dependsOn) ? spec.dependsOn : [])
    .filter(isObj)
    .map((d) => ({
      name: String(d.name ?? ""),
      namespace: typeof d.namespace === "string" && d.namespace ? d.namespace : item.namespace,
    }));
  const path = normalizeFluxPath(spec.path);
  const base = {
    name: item.name,
    namespace: item.namespace,
    file: at.file,
    line: at.line,
    spec,
    path,
    sourceRef,
    dependsOn,
    ...(item.parent ? { parent: item.parent } : {}),
  };
  const label = `Kustomization ${item.namespace}/${item.name}`;
  const isRepo =
    sourceRef.kind === "GitRepository" &&
    (sourceRef.name === "flux-system" || repoSources.has(`${sourceRef.namespace}/${sourceRef.name}`));
  if (!isRepo) {
    findings.push({
      ruleId: "flux/external-source",
      severity: "info",
      message: `${label}: source ${sourceRef.kind} ${sourceRef.namespace}/${sourceRef.name} is not this repository; not built`,
      ...at,
    });
    return {
      ...base,
      objects: [],
      variables: {},
      skippedRemote: [],
      status: "skipped",
      findings,
      inputs: noInputs(),
    };
  }
  if ((await ctx.files.kind(path)) !== "dir") {
    findings.push({
      ruleId: "flux/path-not-found",
      severity: "error",
      message: `${label}: spec.path '${String(spec.path ?? "")}' is not a directory in the repository`,
      ...(item.locate ? item.locate(["spec", "path"]) : at),
    });
    return {
      ...base,
      objects: [],
      variables: {},
      skippedRemote: [],
      status: "error",
      findings,
      inputs: { files: [], dirs: [], absent: [path] },
    };
  }
  // a build of an earlier run, when the Kustomization and everything its build read are unchanged
  const key =
    ctx.allowNetwork || ctx.buildCache === false
      ? undefined
      : await buildKey(ctx.files, item, item.declared, [strict, isRepo, ctx.files.maxFileBytes]);
  const saved = key === undefined ? undefined : await findBuild(ctx.files, key);
  if (saved) {
    const loaded = isObj(spec.postBuild)
      ? await loadVariables(spec.postBuild, item.namespace, vars, at, label)
      : undefined;
    const restored =
      variablesHash(loaded) === saved.variables ? await restoreBuild(ctx.files, saved) : undefined;
    if (restored) {
      const node = { ...base, ...restored.part, objects: restored.objects };
      if (loaded) LOOKUPS.set(node, loaded.lookups);
      return node;
    }
  }
  const { override, findings: overrideFindings } = fluxOverride(spec, at, item.locate);
  findings.push(...overrideFindings);
  const built = await buildTopLevel(ctx, path, [label], override);
  findings.push(...built.findings);
  let ok = built.ok && overrideFindings.length === 0;
  let resources: Res[] = built.resources;
  for (const r of resources) {
    if (!r.obj.apiVersion || !r.obj.kind || !getName(r.obj)) {
      findings.push({
        ruleId: "build/invalid-resource",
        severity: "error",
        message: `${label}: failed to decode Kubernetes apiVersion, kind and name`,
        ...r.origin,
      });
      ok = false;
    }
  }

  let variables: Record<string, string> = {};
  let substitutionSources: SubstitutionSource[] | undefined;
  let resolved = variablesHash(undefined);
  let lookups: LookupEntry[] | undefined;
  if (isObj(spec.postBuild)) {
    const loaded = await loadVariables(spec.postBuild, item.namespace, vars, at, label);
    lookups = loaded.lookups;
    resolved = variablesHash(loaded);
    findings.push(...loaded.findings);
    variables = loaded.vars;
    substitutionSources = loaded.sources;
    if (loaded.failed) ok = false;
    const bad = invalidVariableNames(variables);
    if (bad.length > 0) {
      findings.push({
        ruleId: "build/invalid-variable-name",
        severity: "error",
        message: `${label}: '${bad[0]}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`,
        ...at,
      });
      ok = false;
    } else if (Object.keys(variables).length > 0 && !loaded.failed) {
      resources = resources.map((r) => {
        if (isSubstitutionDisabled(r.obj)) return r;
        const result = substituteObject(r.obj, variables, strict);
        const view = toBuiltObject(r);
        for (const e of result.errors) {
          const where = e.path ? view.locate(e.path) : r.origin;
          findings.push({
            ruleId:
              e.kind === "undefined-variable" ? "build/undefined-variable" : "build/substitution-failed",
            severity: "error",
            message:
              e.kind === "undefined-variable"
                ? `${label}: variable '${e.variable}' is not set and has no default (strict substitution)`
                : `${label}: ${e.message}`,
            ...(e.kind === "undefined-variable"
              ? {
                  hint: `set it in postBuild.substitute/substituteFrom or give a default: \${${e.variable}:=value}`,
                }
              : {}),
            file: where.file,
            line: where.line,
            column: where.column,
            ...(e.path ? { path: e.path.join(".") } : {}),
          });
          ok = false;
        }
        return { ...r, obj: result.value };
      });
    }
  }

  if (isObj(spec.commonMetadata)) {
    const labels = isObj(spec.commonMetadata.labels) ? spec.commonMetadata.labels : undefined;
    const annotations = isObj(spec.commonMetadata.annotations) ? spec.commonMetadata.annotations : undefined;
    for (const r of resources) {
      const m = meta(r.obj);
      if (labels) m.labels = { ...(isObj(m.labels) ? m.labels : {}), ...labels };
      if (annotations) m.annotations = { ...(isObj(m.annotations) ? m.annotations : {}), ...annotations };
    }
  }

  const part = {
    variables,
    ...(substitutionSources ? { substitutionSources } : {}),
    status: ok ? ("built" as const) : ("error" as const),
    findings,
    skippedRemote: built.skipped,
    inputs: {
      files: [...(built.inputs?.files ?? [])].sort(),
      dirs: [...(built.inputs?.dirs ?? [])].sort(),
      absent: [...(built.inputs?.absent ?? [])].sort(),
    },
  };
  if (key !== undefined) await recordBuild(ctx.files, key, built.inputs, resolved, part, resources);
  const node = { ...base, ...part, objects: resources.map(toBuiltObject) };
  if (lookups) LOOKUPS.set(node, lookups);
  return node;
}

async function loadVariables(
  postBuild: Obj,
  namespace: string,
  sources: VariableLookup,
  at: SourcePosition,
  label: string,
): Promise<{
  vars: Record<string, string>;
  findings: Finding[];
  failed: boolean;
  sources: SubstitutionSource[];
  lookups: LookupEntry[];
}> {
  const vars: Record<string, string> = {};
  const findings: Finding[] = [];
  const described: SubstitutionSource[] = [];
  const lookups: LookupEntry[] = [];
  let failed = false;
  for (const ref of Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []) {
    if (!isObj(ref)) continue;
    const kind = String(ref.kind ?? "");
    const name = String(ref.name ?? "");
    if (kind !== "ConfigMap" && kind !== "Secret") continue;
    const source = await sources.lookupSource(kind, name, namespace);
    lookups.push([kind, name, namespace, source ?? null]);
    const data = source?.data;
    described.push({
      kind,
      name,
      optional: ref.optional === true,
      found: source !== undefined,
      keys: Object.keys(data ?? {}).sort(),
      complete: source?.complete ?? false,
      ...(source ? { file: source.file } : {}),
      ...(source?.producedBy ? { producedBy: source.producedBy } : {}),
    });
    if (!data) {
      if (ref.optional === true) continue;
      findings.push({
        ruleId: "build/missing-substitute-source",
        severity: "error",
        message: `${label}: substitute from '${kind}/${name}' error: ${kind} ${namespace}/${name} not found in the repository`,
        hint: "add the object to the repository or mark the reference `optional: true`",
        ...at,
      });
      failed = true;
      continue;
    }
    for (const [k, v] of Object.entries(data)) vars[k] = v.replaceAll("\n", "");
  }
  if (isObj(postBuild.substitute)) {
    for (const [k, v] of Object.entries(postBuild.substitute)) vars[k] = String(v ?? "").replaceAll("\n", "");
  }
  return { vars, findings, failed, sources: described, lookups };
}
