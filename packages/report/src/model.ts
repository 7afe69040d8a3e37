import type { Finding, Report, SourcePosition } from "@homeops/core";
import type { ReadyState, StatusReport } from "@homeops/flux-bridge";
import type { BuiltObject, FluxKustomizationNode, FluxRoot, RepoGraph } from "@homeops/repo";
import { field, isRecord, list, str, walk } from "./internal/values.js";

/** A place in the repository. */
export interface RepoLocation {
  file: string;
  line: number;
}

export interface CatalogClaim extends Partial<RepoLocation> {
  name: string;
  /** where the volume comes from: `component <dir>`, `PVC <file>`, `NFS <server>:<path>`, or `not declared` */
  source: string;
}

export interface CatalogSecret extends Partial<RepoLocation> {
  name: string;
  /** `ExternalSecret <name> (store <store>, key <key>)`, `SOPS <file>`, `Secret <file>`, or `not in the repository` */
  producer: string;
}

/** One app: a Flux Kustomization that applies workloads, with what it needs. */
export interface CatalogApp extends RepoLocation {
  /** `Kustomization/<namespace>/<name>` (its graph node) */
  id: string;
  name: string;
  /** where its objects go (targetNamespace, else the Kustomization's namespace) */
  namespace: string;
  kustomization: string;
  charts: { release: string; chart: string; version: string }[];
  images: string[];
  /** hostnames as written (placeholders kept) */
  routes: string[];
  claims: CatalogClaim[];
  secrets: CatalogSecret[];
  dependsOn: string[];
  findings: number;
}

export interface GraphNode extends RepoLocation {
  /** `<Kind>/<namespace>/<name>` */
  id: string;
  kind: "Kustomization" | "HelmRelease";
  name: string;
  namespace: string;
  /** worst finding severity on this node's files, `none` without findings */
  severity: "error" | "warning" | "info" | "none";
  findings: number;
  /** live Ready state (only with live status) */
  state?: ReadyState;
  /** a dependsOn target the repository does not declare */
  missing?: boolean;
}

/** `from` depends on `to`. */
export interface GraphEdge {
  from: string;
  to: string;
}

export interface FindingGroup {
  ruleId: string;
  stage: string;
  severity: Finding["severity"];
  title?: string;
  findings: { message: string; severity: Finding["severity"]; file?: string; line?: number }[];
}

export interface LiveStatus {
  rows: StatusReport["rows"];
  ready: number;
  total: number;
}

/** Everything the page, the badges and the graphs show. Plain data (JSON-serialisable). */
export interface ReportModel {
  roots: string[];
  apps: CatalogApp[];
  nodes: GraphNode[];
  edges: GraphEdge[];
  findings: FindingGroup[];
  /** absent: no `--kubeconfig` */
  live?: LiveStatus;
}

export interface BuildReportModelInput {
  roots: readonly FluxRoot[];
  graphs: readonly RepoGraph[];
  /** stage reports (kubeconform, check) whose findings the page shows */
  reports: readonly Report[];
  /** live Flux status (flux-bridge's `getFluxStatus`) */
  status?: StatusReport;
  /** the repository's file texts (`Repository.files()`): hostnames are shown as written there */
  sources?: ReadonlyMap<string, string>;
}

const SEVERITY_RANK = { none: 0, info: 1, warning: 2, error: 3 } as const;

const isHelmRelease = (o: BuiltObject) =>
  o.kind === "HelmRelease" && o.apiVersion.startsWith("helm.toolkit.fluxcd.io/");
const isKs = (o: BuiltObject) =>
  o.kind === "Kustomization" && o.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/");

/** The report's model of built graphs and stage reports: pure, deterministic. */
export function buildReportModel(input: BuildReportModelInput): ReportModel {
  const kustomizations = new Map<string, FluxKustomizationNode>();
  for (const g of input.graphs)
    for (const k of g.kustomizations) kustomizations.set(`${k.namespace}/${k.name}`, k);
  const allObjects = indexObjects(input.graphs.flatMap((g) => g.objects));
  const findingsAll = input.reports.flatMap((r) => r.findings.map((f) => ({ f, stage: r.command })));
  const byFile = new Map<string, Finding[]>();
  for (const { f } of findingsAll) if (f.file) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const live = new Map<string, ReadyState>();
  for (const row of input.status?.rows ?? []) live.set(`${row.kind}/${row.namespace}/${row.name}`, row.state);

  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const nodeOf = (
    id: string,
    kind: GraphNode["kind"],
    name: string,
    namespace: string,
    at: RepoLocation,
    files: Set<string>,
  ) => {
    const fs = [...files].flatMap((f) => byFile.get(f) ?? []);
    let severity: GraphNode["severity"] = "none";
    for (const f of fs) if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[severity]) severity = f.severity;
    const state = live.get(id);
    nodes.set(id, {
      id,
      kind,
      name,
      namespace,
      ...at,
      severity,
      findings: fs.length,
      ...(state ? { state } : {}),
    });
  };

  const apps: CatalogApp[] = [];
  for (const k of kustomizations.values()) {
    const id = `Kustomization/${k.namespace}/${k.name}`;
    const own = new Set([k.file, ...k.objects.filter((o) => !isKs(o)).map((o) => o.provenance.file)]);
    nodeOf(id, "Kustomization", k.name, k.namespace, { file: k.file, line: k.line }, own);
    for (const d of k.dependsOn) edges.push({ from: id, to: `Kustomization/${d.namespace}/${d.name}` });
    if (k.objects.some(isKs) && !k.objects.some(isHelmRelease)) continue; // a parent, not an app
    apps.push(catalogApp(k, id, allObjects, nodes.get(id)!.findings, input.sources));
  }
  for (const g of input.graphs)
    for (const hr of g.helmReleases) {
      const id = `HelmRelease/${hr.namespace}/${hr.name}`;
      const p = hr.object.provenance;
      nodeOf(id, "HelmRelease", hr.name, hr.namespace, { file: p.file, line: p.line }, new Set([p.file]));
      for (const d of list(field(hr.object.object, "spec", "dependsOn"))) {
        const name = str(field(d, "name"));
        if (name)
          edges.push({ from: id, to: `HelmRelease/${str(field(d, "namespace")) ?? hr.namespace}/${name}` });
      }
    }
  for (const e of edges) {
    if (nodes.has(e.to)) continue;
    const [kind, namespace, name] = e.to.split("/") as [GraphNode["kind"], string, string];
    nodes.set(e.to, {
      id: e.to,
      kind,
      name,
      namespace,
      file: "",
      line: 0,
      severity: "error",
      findings: 0,
      missing: true,
    });
  }

  const groups = new Map<string, FindingGroup>();
  const titles = new Map(
    input.reports.flatMap((r) => (r.rules ?? []).map((rule) => [rule.id, rule.title] as const)),
  );
  for (const { f, stage } of findingsAll) {
    const key = `${stage}\0${f.ruleId}`;
    let g = groups.get(key);
    if (!g) {
      const title = titles.get(f.ruleId);
      g = { ruleId: f.ruleId, stage, severity: f.severity, ...(title ? { title } : {}), findings: [] };
      groups.set(key, g);
    }
    if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[g.severity]) g.severity = f.severity;
    g.findings.push({
      message: f.message,
      severity: f.severity,
      ...(f.file ? { file: f.file } : {}),
      ...(f.line ? { line: f.line } : {}),
    });
  }

  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const model: ReportModel = {
    roots: input.roots.map((r) => r.path),
    apps: apps.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
    nodes: [...nodes.values()].sort(byId),
    edges: edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
    findings: [...groups.values()].sort(
      (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.ruleId.localeCompare(b.ruleId),
    ),
  };
  if (input.status) {
    const flux = input.status.rows.filter((r) => r.kind === "Kustomization" || r.kind === "HelmRelease");
    model.live = {
      rows: input.status.rows,
      ready: flux.filter((r) => r.state === "ready").length,
      total: flux.length,
    };
  }
  return model;
}

function catalogApp(
  k: FluxKustomizationNode,
  id: string,
  all: ObjectIndex,
  findings: number,
  sources: ReadonlyMap<string, string> | undefined,
): CatalogApp {
  const namespace = str(k.spec.targetNamespace) ?? k.namespace;
  const objects = k.objects;
  const charts: CatalogApp["charts"] = [];
  const images = new Set<string>();
  const routes = new Set<string>();
  const claims = new Map<string, CatalogClaim>();
  const secrets = new Map<string, CatalogSecret>();
  const find = (kind: string, ns: string, name: string) =>
    all.named(kind, name).find((o) => (o.namespace ?? ns) === ns);

  const addClaim = (name: string) => {
    if (claims.has(name) || name.includes("{{")) return;
    const pvc = find("PersistentVolumeClaim", namespace, name);
    if (!pvc) return claims.set(name, { name, source: "not declared in the repository" });
    const component = pvc.provenance.file.match(/^(.*\/components\/[^/]+)\//)?.[1];
    claims.set(name, {
      name,
      source: component ? `component ${component}` : `PVC ${pvc.provenance.file}`,
      file: pvc.provenance.file,
      line: pvc.provenance.line,
    });
  };
  const addSecret = (name: string) => {
    if (secrets.has(name) || name.includes("{{")) return;
    const es = all
      .ofKind("ExternalSecret")
      .find(
        (o) =>
          (o.namespace ?? namespace) === namespace &&
          (str(field(o.object, "spec", "target", "name")) ?? o.name) === name,
      );
    if (es) {
      const store = str(field(es.object, "spec", "secretStoreRef", "name")) ?? "?";
      const keys = [
        ...list(field(es.object, "spec", "dataFrom")).map((d) => str(field(d, "extract", "key"))),
        ...list(field(es.object, "spec", "data")).map((d) => str(field(d, "remoteRef", "key"))),
      ].filter((x): x is string => x !== undefined);
      return secrets.set(name, {
        name,
        producer: `ExternalSecret ${es.name} (store ${store}${keys.length ? `, key ${[...new Set(keys)].join(", ")}` : ""})`,
        file: es.provenance.file,
        line: es.provenance.line,
      });
    }
    const secret = find("Secret", namespace, name);
    if (secret) {
      const sops = /\.sops\.ya?ml$/.test(secret.provenance.file);
      return secrets.set(name, {
        name,
        producer: `${sops ? "SOPS" : "Secret"} ${secret.provenance.file}`,
        file: secret.provenance.file,
        line: secret.provenance.line,
      });
    }
    secrets.set(name, { name, producer: "not in the repository" });
  };

  for (const o of objects) {
    if (isHelmRelease(o)) {
      charts.push(chartOf(o, all));
      const values = field(o.object, "spec", "values");
      walk(values, (v, path) => {
        const last = path[path.length - 1];
        if (last === "image" && isRecord(v) && typeof v.repository === "string") {
          images.add(`${v.repository}${v.tag !== undefined ? `:${String(v.tag)}` : ""}`);
        } else if (last === "hostnames" && Array.isArray(v)) {
          v.forEach((h, i) => {
            if (typeof h === "string")
              routes.add(asWritten(sources, o.locate(["spec", "values", ...path, i]), h));
          });
        } else if (last === "existingClaim" && typeof v === "string") {
          addClaim(v);
        } else if (isRecord(v) && v.type === "nfs" && typeof v.server === "string") {
          claims.set(String(last), {
            name: String(last),
            source: `NFS ${v.server}:${str(v.path) ?? ""}`,
            ...locate(o, path),
          });
        } else if (
          (last === "secretRef" || last === "secretKeyRef") &&
          isRecord(v) &&
          typeof v.name === "string"
        ) {
          addSecret(v.name);
        } else if (last === "existingSecret" && typeof v === "string") {
          addSecret(v);
        }
      });
    } else if (o.kind === "HTTPRoute" || o.kind === "GRPCRoute") {
      list(field(o.object, "spec", "hostnames")).forEach((h, i) => {
        if (typeof h === "string") routes.add(asWritten(sources, o.locate(["spec", "hostnames", i]), h));
      });
    } else if (o.kind === "Ingress") {
      list(field(o.object, "spec", "rules")).forEach((r, i) => {
        const h = str(field(r, "host"));
        if (h) routes.add(asWritten(sources, o.locate(["spec", "rules", i, "host"]), h));
      });
    } else {
      walk(o.object, (v, path) => {
        const last = path[path.length - 1];
        if ((last === "containers" || last === "initContainers") && Array.isArray(v)) {
          for (const c of v) {
            const image = str(field(c, "image"));
            if (image) images.add(image);
          }
        } else if (last === "persistentVolumeClaim" && isRecord(v) && typeof v.claimName === "string") {
          addClaim(v.claimName);
        } else if (
          (last === "secretRef" || last === "secretKeyRef") &&
          isRecord(v) &&
          typeof v.name === "string"
        ) {
          addSecret(v.name);
        } else if (last === "secret" && isRecord(v) && typeof v.secretName === "string") {
          addSecret(v.secretName);
        }
      });
    }
  }
  return {
    id,
    name: k.name,
    namespace,
    kustomization: `${k.namespace}/${k.name}`,
    file: k.file,
    line: k.line,
    charts,
    images: [...images].sort(),
    routes: [...routes].sort(),
    claims: [...claims.values()],
    secrets: [...secrets.values()],
    dependsOn: k.dependsOn.map((d) => `${d.namespace}/${d.name}`),
    findings,
  };
}

/**
 * A built scalar as its source file writes it, placeholders kept: the scalar at `at` when that text differs
 * from the built value only by Flux substitution (`${VAR}`), else the built value.
 */
export function asWritten(
  sources: ReadonlyMap<string, string> | undefined,
  at: SourcePosition,
  value: string,
): string {
  const line = sources ? linesOf(sources, at.file)?.[at.line - 1] : undefined;
  if (line === undefined) return value;
  const rest = line.slice(at.column - 1);
  let raw: string | undefined;
  if (rest.startsWith('"')) raw = /^"((?:[^"\\]|\\.)*)"/.exec(rest)?.[1]?.replace(/\\(.)/g, "$1");
  else if (rest.startsWith("'")) raw = /^'((?:[^']|'')*)'/.exec(rest)?.[1]?.replace(/''/g, "'");
  else {
    const plain = /^(.*?)(?:\s+#.*)?$/.exec(rest.replace(/^- /, ""))?.[1] ?? "";
    // inside a flow collection a plain scalar ends at the next `,` or `]`
    raw = trimFlowEnd(/[[{]/.test(line.slice(0, at.column - 1)) ? plain.split(/[,\]]/)[0]! : plain);
  }
  if (raw === undefined || raw === value || !raw.includes("${")) return value;
  // the placeholders' pattern must match the built value: otherwise the position is another scalar's
  const pattern = raw
    .split(/\$\{[^}]*\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`, "s").test(value) ? raw : value;
}

const splitLines = new WeakMap<ReadonlyMap<string, string>, Map<string, string[]>>();

/** `file`'s lines, split once per sources map (a page asks for many hostnames of the same files). */
function linesOf(sources: ReadonlyMap<string, string>, file: string): string[] | undefined {
  let files = splitLines.get(sources);
  if (!files) {
    files = new Map();
    splitLines.set(sources, files);
  }
  const known = files.get(file);
  if (known) return known;
  const lines = sources.get(file)?.split("\n");
  if (lines) files.set(file, lines);
  return lines;
}

/** A plain scalar without what ends its flow collection (`, ]`, an unbalanced `}`) and trailing blanks. */
function trimFlowEnd(text: string): string {
  let t = text.trimEnd();
  const count = (c: string) => t.split(c).length - 1;
  while (/[,\]]$/.test(t) || (t.endsWith("}") && count("}") > count("{"))) t = t.slice(0, -1).trimEnd();
  return t;
}

function locate(o: BuiltObject, path: (string | number)[]): Partial<RepoLocation> {
  const at = o.locate(["spec", "values", ...path]);
  return { file: at.file, line: at.line };
}

/** The built objects by kind and by kind + name (each list in build order), so lookups stay linear in N apps. */
interface ObjectIndex {
  ofKind(kind: string): readonly BuiltObject[];
  named(kind: string, name: string): readonly BuiltObject[];
}

function indexObjects(objects: readonly BuiltObject[]): ObjectIndex {
  const byKind = new Map<string, BuiltObject[]>();
  const byName = new Map<string, BuiltObject[]>();
  const add = (map: Map<string, BuiltObject[]>, key: string, o: BuiltObject) => {
    const list = map.get(key);
    if (list) list.push(o);
    else map.set(key, [o]);
  };
  for (const o of objects) {
    add(byKind, o.kind, o);
    add(byName, `${o.kind}/${o.name}`, o);
  }
  return {
    ofKind: (kind) => byKind.get(kind) ?? [],
    named: (kind, name) => byName.get(`${kind}/${name}`) ?? [],
  };
}

function chartOf(hr: BuiltObject, all: ObjectIndex): CatalogApp["charts"][number] {
  const spec = field(hr.object, "spec");
  const ns = hr.namespace ?? "default";
  const ref = field(spec, "chartRef");
  if (isRecord(ref)) {
    const kind = str(ref.kind) ?? "OCIRepository";
    const name = str(ref.name) ?? "";
    const src = all.named(kind, name).find((o) => (o.namespace ?? ns) === (str(ref.namespace) ?? ns));
    const url = str(field(src?.object, "spec", "url")) ?? `${kind} ${name}`;
    const version =
      str(field(src?.object, "spec", "ref", "tag")) ?? str(field(src?.object, "spec", "ref", "semver")) ?? "";
    return { release: hr.name, chart: url.replace(/^oci:\/\//, ""), version };
  }
  const chart = field(spec, "chart", "spec");
  return {
    release: hr.name,
    chart: `${str(field(chart, "sourceRef", "name")) ?? "?"}/${str(field(chart, "chart")) ?? "?"}`,
    version: str(field(chart, "version")) ?? "",
  };
}
