// Where Flux starts in a repository, found the way the cluster is bootstrapped: a FluxInstance's
// `spec.sync` (the Flux Operator creates a GitRepository and a Kustomization named after the instance's
// namespace, path `spec.sync.path`), the same block as values of the flux-instance Helm chart
// (`instance.sync`), the flux-system GitRepository + Kustomization pair `flux bootstrap` writes
// (gotk-sync.yaml), else the conventional `clusters/<name>/` trees, `kubernetes/flux`, and last the
// top-most directory whose kustomization lists Flux Kustomizations that nothing else references.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { KUSTOMIZATION_FILES, listFiles, walkTree } from "@homeops/core";
import { normalizeFluxPath, normalizeGitUrl } from "./build-repo.js";
import { parseGoYaml } from "./internal/go-yaml.js";
import { isObj, type Obj } from "./internal/res.js";

/** How a root was found, strongest first. */
export type FluxRootSource =
  | "FluxInstance"
  | "flux-instance values"
  | "flux bootstrap"
  | "clusters directory"
  | "kubernetes/flux"
  | "top-level Flux Kustomizations";

/** One Flux entry point of the repository (one cluster). */
export interface FluxRoot {
  /** Cluster label when the repository holds several roots (`main`, `staging`), else undefined. */
  cluster?: string;
  /** Repo-relative posix directory Flux builds first (the sync path). */
  path: string;
  source: FluxRootSource;
  /** One line for the output: which root and why. */
  reason: string;
  /** `spec.sync.url` (or the flux-system GitRepository's URL): pass as `repositoryUrl` to buildRepoGraph. */
  url?: string;
  /**
   * GitRepositories (`namespace/name`) declared anywhere in the repository with this repository's URL:
   * pass as `repositorySources` (a cluster keeps such a source even when no build declares it any more).
   */
  repositorySources?: string[];
  /** Where the root is declared (repo-relative file and 1-based line), when a file declares it. */
  file?: string;
  line?: number;
  /**
   * Strict post-build substitution as the repository's Flux runs it: from the
   * `StrictPostBuildSubstitutions` feature gate when the repository sets it, else from the Flux version
   * (strict from Flux 2.9 / kustomize-controller 1.9), undefined when neither is known.
   */
  strict?: boolean;
  /** Why `strict` has its value (`feature gate in …`, `Flux 2.7 (distribution.version "2.7.x")`). */
  strictReason?: string;
}

export interface FluxRootDiscovery {
  roots: FluxRoot[];
  /** What was looked for, for the error when nothing is found. */
  lookedFor: string[];
  /** Candidates left out, and why (an OCI sync, a path that does not exist, a path inside another root). */
  ignored: string[];
  /**
   * The files whose documents discovery used (a sync block, the flux-system pair, a GitRepository, the
   * feature gate, the Flux version): a change to one of them, or a file that `affectsRootDiscovery`, may
   * change what is found.
   */
  relevant: string[];
}

const MAY_DECLARE_ROOT = /FluxInstance|sync:|flux-system|kustomize\.toolkit\.fluxcd\.io/;

/** Whether a document of a file (with the file's text) is one discovery reads. */
function relevantDocument(v: Obj, text: string): boolean {
  const kind = v.kind;
  const apiVersion = typeof v.apiVersion === "string" ? v.apiVersion : "";
  const spec = isObj(v.spec) ? v.spec : {};
  return (
    kind === "FluxInstance" ||
    (kind === "HelmRelease" && isObj(spec.values) && isObj(spec.values.instance)) ||
    (kind === undefined && isObj(v.instance)) ||
    (kind === "Kustomization" &&
      apiVersion.startsWith("kustomize.toolkit.fluxcd.io/") &&
      nameOf(v) === "flux-system/flux-system") ||
    (kind === "GitRepository" && apiVersion.startsWith("source.toolkit.fluxcd.io/")) ||
    /StrictPostBuildSubstitutions=|^# Flux Version:/m.test(text)
  );
}

/**
 * Whether a file with this text holds a document root discovery reads (a FluxInstance, flux-instance
 * values, the flux-system Kustomization, a GitRepository, the feature gate or the Flux version).
 */
export function affectsRootDiscovery(file: string, text: string): boolean {
  if (!MAY_DECLARE_ROOT.test(text)) return false;
  const parsed = parseGoYaml(text, file);
  return parsed.ok && parsed.documents.some((d) => isObj(d.value) && relevantDocument(d.value, text));
}

const LOOKED_FOR = [
  "a FluxInstance (fluxcd.controlplane.io) with spec.sync.kind GitRepository and spec.sync.path",
  "flux-instance Helm chart values with instance.sync.path (HelmRelease spec.values or a values file)",
  "the flux-system GitRepository + Kustomization pair of `flux bootstrap` (gotk-sync.yaml)",
  "clusters/<name>/ or kubernetes/clusters/<name>/ directories",
  "kubernetes/flux",
  "a top-level directory whose kustomization lists Flux Kustomizations nothing else references",
];

const MAX_FILE = 1024 * 1024;

interface Doc {
  file: string;
  line: number;
  value: Obj;
  text: string;
}

interface Candidate {
  path: string;
  source: FluxRootSource;
  reason: string;
  file?: string;
  line?: number;
  /** Text of the declaring file, for the feature-gate and version search. */
  text?: string;
  url?: string;
}

export interface DiscoverFluxRootsOptions {
  /**
   * Reads a repo-relative file, undefined when it cannot be read. Default: the file system. The repo
   * layer passes its shared reads (inside the repository after every symlink), so the build that follows
   * reads no file a second time.
   */
  read?: (file: string) => Promise<Buffer | undefined>;
}

/**
 * Finds the Flux roots of the repository at `root` (a directory). Never throws on repository content;
 * an empty `roots` means nothing was found (`lookedFor` says what was tried).
 */
export async function discoverFluxRoots(
  root: string,
  options: DiscoverFluxRootsOptions = {},
): Promise<FluxRootDiscovery> {
  const absRoot = resolve(root);
  const read =
    options.read ??
    (async (file: string): Promise<Buffer | undefined> => {
      try {
        return readFileSync(join(absRoot, file));
      } catch {
        return undefined;
      }
    });
  const files = listYamlFiles(absRoot);
  const docs: Doc[] = [];
  // the kustomization files' texts, for the last way of finding a root
  const kustomizations = new Map<string, string>();
  for (const file of files) {
    const bytes = await read(file);
    // a file this large is no bootstrap manifest (and not worth parsing to find out)
    if (bytes === undefined || bytes.length > MAX_FILE) continue;
    const text = bytes.toString("utf8");
    if (KUSTOMIZATION_FILES.includes(posix.basename(file))) kustomizations.set(file, text);
    // only files that can declare a root are parsed
    if (!MAY_DECLARE_ROOT.test(text)) continue;
    const parsed = parseGoYaml(text, file);
    if (!parsed.ok) continue;
    for (const d of parsed.documents) {
      if (isObj(d.value)) docs.push({ file, line: d.start().line, value: d.value, text });
    }
  }
  const exists = (p: string): boolean => {
    try {
      return statSync(join(absRoot, p)).isDirectory();
    } catch {
      return false;
    }
  };
  const ignored: string[] = [];
  const candidates: Candidate[] = [];
  const addSync = (sync: unknown, source: FluxRootSource, what: string, d: Doc): void => {
    if (!isObj(sync) || typeof sync.path !== "string") return;
    const kind = typeof sync.kind === "string" ? sync.kind : "GitRepository";
    const at = `${d.file}:${d.line}`;
    if (kind !== "GitRepository") {
      ignored.push(`${what} at ${at}: sync.kind ${kind} (not this Git repository)`);
      return;
    }
    if (sync.path.includes("${")) {
      ignored.push(`${what} at ${at}: sync.path '${sync.path}' is substituted at runtime`);
      return;
    }
    const path = normalizeFluxPath(sync.path);
    if (!exists(path)) {
      ignored.push(`${what} at ${at}: sync.path '${sync.path}' is not a directory here`);
      return;
    }
    candidates.push({
      path,
      source,
      reason: `${what} at ${at} (sync.path ${sync.path})`,
      ...(typeof sync.url === "string" ? { url: sync.url } : {}),
      file: d.file,
      line: d.line,
      text: d.text,
    });
  };
  for (const d of docs) {
    const v = d.value;
    const kind = v.kind;
    const apiVersion = typeof v.apiVersion === "string" ? v.apiVersion : "";
    const spec = isObj(v.spec) ? v.spec : {};
    if (kind === "FluxInstance" && apiVersion.startsWith("fluxcd.controlplane.io/")) {
      addSync(spec.sync, "FluxInstance", `FluxInstance ${nameOf(v)}`, d);
    } else if (kind === "HelmRelease" && isObj(spec.values) && isObj(spec.values.instance)) {
      addSync(spec.values.instance.sync, "flux-instance values", `HelmRelease ${nameOf(v)} values`, d);
    } else if (kind === undefined && apiVersion === "" && isObj(v.instance) && isObj(v.instance.sync)) {
      addSync(v.instance.sync, "flux-instance values", "flux-instance values", d);
    } else if (
      kind === "Kustomization" &&
      apiVersion.startsWith("kustomize.toolkit.fluxcd.io/") &&
      nameOf(v) === "flux-system/flux-system" &&
      typeof spec.path === "string" &&
      isObj(spec.sourceRef) &&
      spec.sourceRef.kind === "GitRepository" &&
      spec.sourceRef.name === "flux-system" &&
      !spec.path.includes("${")
    ) {
      const path = normalizeFluxPath(spec.path);
      if (exists(path)) {
        candidates.push({
          path,
          source: "flux bootstrap",
          reason: `Kustomization flux-system/flux-system at ${d.file}:${d.line} (spec.path ${spec.path})`,
          file: d.file,
          line: d.line,
          text: d.text,
        });
      } else
        ignored.push(
          `flux-system Kustomization at ${d.file}:${d.line}: path '${spec.path}' is not a directory here`,
        );
    }
  }
  if (candidates.length === 0) {
    for (const base of ["clusters", "kubernetes/clusters"]) {
      for (const name of subdirectories(absRoot, base)) {
        const path = `${base}/${name}`;
        if (hasYaml(absRoot, path)) {
          candidates.push({
            path,
            source: "clusters directory",
            reason: `a ${base}/<name> tree`,
          });
        }
      }
    }
  }
  if (candidates.length === 0 && exists("kubernetes/flux")) {
    candidates.push({
      path: "kubernetes/flux",
      source: "kubernetes/flux",
      reason: "the conventional root",
    });
  }
  if (candidates.length === 0) {
    const top = topLevelFluxDirectory(kustomizations, docs);
    if (top)
      candidates.push({
        path: top,
        source: "top-level Flux Kustomizations",
        reason: "its kustomization lists Flux Kustomizations nothing else references",
      });
  }
  const roots = pickRoots(candidates, ignored);
  const gitRepos = docs.filter(
    (d) =>
      d.value.kind === "GitRepository" &&
      String(d.value.apiVersion ?? "").startsWith("source.toolkit.fluxcd.io/") &&
      isObj(d.value.spec) &&
      typeof d.value.spec.url === "string",
  );
  const flux = gitRepos.find((d) => nameOf(d.value) === "flux-system/flux-system");
  for (const r of roots) {
    const url = r.url ?? (flux ? String((flux.value.spec as Obj).url) : undefined);
    if (!url) continue;
    const same = gitRepos
      .filter((d) => normalizeGitUrl(String((d.value.spec as Obj).url)) === normalizeGitUrl(url))
      .map((d) => nameOf(d.value));
    r.url = url;
    if (same.length > 0) r.repositorySources = [...new Set(same)].sort();
  }
  const gate = featureGate(docs);
  for (const r of roots) {
    const c = candidates.find((x) => x.path === r.path);
    if (gate) {
      r.strict = gate.value;
      r.strictReason = `StrictPostBuildSubstitutions=${gate.value} at ${gate.at}`;
    } else {
      const version = fluxVersion(c?.text, docs);
      if (version) {
        r.strict = version.minor >= 9 || version.major > 2;
        r.strictReason = `Flux ${version.major}.${version.minor === 99 ? "x" : version.minor} (${version.at})`;
      }
    }
  }
  const relevant = [...new Set(docs.filter((d) => relevantDocument(d.value, d.text)).map((d) => d.file))];
  return { roots, lookedFor: LOOKED_FOR, ignored, relevant: relevant.sort() };
}

function nameOf(v: Obj): string {
  const m = isObj(v.metadata) ? v.metadata : {};
  return `${typeof m.namespace === "string" ? m.namespace : "flux-system"}/${typeof m.name === "string" ? m.name : ""}`;
}

/** Strongest source per path; a root inside another root's directory is dropped (the deeper one stays). */
function pickRoots(candidates: Candidate[], ignored: string[]): FluxRoot[] {
  const order: FluxRootSource[] = [
    "FluxInstance",
    "flux-instance values",
    "flux bootstrap",
    "clusters directory",
    "kubernetes/flux",
    "top-level Flux Kustomizations",
  ];
  const byPath = new Map<string, Candidate>();
  for (const c of [...candidates].sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source))) {
    if (!byPath.has(c.path)) byPath.set(c.path, c);
  }
  const paths = [...byPath.keys()];
  const kept = paths.filter((p) => {
    const deeper = paths.find((q) => q !== p && (p === "." || q.startsWith(`${p}/`)));
    if (deeper) ignored.push(`${byPath.get(p)!.reason}: contains the root ${deeper}`);
    return !deeper;
  });
  kept.sort();
  const labels = clusterLabels(kept);
  return kept.map((path, i) => {
    const c = byPath.get(path)!;
    return {
      ...(kept.length > 1 ? { cluster: labels[i]! } : {}),
      path,
      source: c.source,
      reason: c.reason,
      ...(c.url ? { url: c.url } : {}),
      ...(c.file ? { file: c.file } : {}),
      ...(c.line ? { line: c.line } : {}),
    };
  });
}

/** `kubernetes/main/flux`, `kubernetes/utility/flux` → `main`, `utility`: the first segment that differs. */
function clusterLabels(paths: string[]): string[] {
  const split = paths.map((p) => p.split("/"));
  return split.map((parts, i) => {
    const j = parts.findIndex((seg, k) => split.some((other, n) => n !== i && other[k] !== seg));
    return j < 0 ? paths[i]! : parts[j]!;
  });
}

/** `--feature-gates=…StrictPostBuildSubstitutions=true|false…` anywhere in the Flux set-up files. */
function featureGate(docs: Doc[]): { value: boolean; at: string } | undefined {
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(d.file)) continue;
    seen.add(d.file);
    const m = /StrictPostBuildSubstitutions=(true|false)/.exec(d.text);
    if (m) {
      const line = d.text.slice(0, m.index).split("\n").length;
      return { value: m[1] === "true", at: `${d.file}:${line}` };
    }
  }
  return undefined;
}

/**
 * The Flux version of the root: `distribution.version` of the declaring FluxInstance (values), else the
 * `# Flux Version: v2.x.y` header `flux bootstrap` writes into gotk-components.yaml. `2.x` and ranges
 * without an upper bound mean the newest, i.e. no lenient default.
 */
function fluxVersion(
  text: string | undefined,
  docs: Doc[],
): { major: number; minor: number; at: string } | undefined {
  const fromText = (t: string, what: string): { major: number; minor: number; at: string } | undefined => {
    const m = /version:\s*["']?[>=~^v]*(\d+)\.(\d+|x)/.exec(t);
    if (!m) return undefined;
    return { major: Number(m[1]), minor: m[2] === "x" ? 99 : Number(m[2]), at: what };
  };
  if (text) {
    const m = /distribution:[\s\S]{0,200}?version:\s*["']?([^"'\n]+)/.exec(text);
    if (m) return fromText(`version: ${m[1]}`, `distribution.version "${m[1]!.trim()}"`);
  }
  for (const d of docs) {
    const m = /^# Flux Version: v?(\d+)\.(\d+)/m.exec(d.text);
    if (m)
      return { major: Number(m[1]), minor: Number(m[2]), at: `${d.file}: Flux Version v${m[1]}.${m[2]}` };
  }
  return undefined;
}

/**
 * The shallowest directory whose kustomization lists a file declaring Flux Kustomizations, when no
 * kustomization lists that directory and no Flux Kustomization builds it.
 */
function topLevelFluxDirectory(kustomizations: ReadonlyMap<string, string>, docs: Doc[]): string | undefined {
  const fluxFiles = new Set(
    docs
      .filter(
        (d) =>
          d.value.kind === "Kustomization" &&
          String(d.value.apiVersion ?? "").startsWith("kustomize.toolkit.fluxcd.io/"),
      )
      .map((d) => d.file),
  );
  const fluxPaths = new Set(
    docs
      .filter((d) => fluxFiles.has(d.file) && isObj(d.value.spec) && typeof d.value.spec.path === "string")
      .map((d) => normalizeFluxPath((d.value.spec as Obj).path)),
  );
  const referenced = new Set<string>();
  const listing = new Map<string, string[]>();
  for (const [file, text] of kustomizations) {
    const dir = posix.dirname(file);
    const parsed = parseGoYaml(text, file);
    const k = parsed.ok ? parsed.documents[0]?.value : undefined;
    if (!isObj(k) || !Array.isArray(k.resources)) continue;
    const entries = k.resources
      .filter((r): r is string => typeof r === "string")
      .map((r) => normalizeFluxPath(posix.join(dir, r)));
    listing.set(dir, entries);
    for (const e of entries) referenced.add(e);
  }
  const candidates = [...listing]
    .filter(
      ([dir, entries]) =>
        entries.some((e) => fluxFiles.has(e)) && !referenced.has(dir) && !fluxPaths.has(dir),
    )
    .map(([dir]) => dir)
    .sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
  return candidates[0];
}

function subdirectories(absRoot: string, rel: string): string[] {
  try {
    return readdirSync(join(absRoot, rel), { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function hasYaml(absRoot: string, rel: string): boolean {
  return walkTree(absRoot, rel, { enter: () => true }).some((e) => /\.ya?ml$/.test(e.name));
}

/** Every `.yaml`/`.yml` file (repo-relative posix), without dot directories and node_modules. */
function listYamlFiles(absRoot: string): string[] {
  const enter = (_: string, name: string) => !name.startsWith(".") && name !== "node_modules";
  return listFiles(absRoot, ".", { enter }).filter(
    (path) => /\.ya?ml$/.test(path) || posix.basename(path) === "Kustomization",
  );
}
