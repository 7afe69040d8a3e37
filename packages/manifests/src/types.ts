import type { Finding, Logger, SourcePosition, WalkEntry, YamlDocument } from "@homeops/core";

/** A position inside a repository file (repo-relative posix path, 1-based line/column): core's one type. */
export type { SourcePosition };

/** Where a built object came from. */
export interface Provenance extends SourcePosition {
  /**
   * What produced the object, outermost first: Flux Kustomizations (`Kustomization flux-system/cluster-apps`),
   * kustomization files (`kubernetes/apps/default/kustomization.yaml`), components and patches
   * (`patch kubernetes/apps/kustomization.yaml:12`) that changed it.
   */
  chain: string[];
}

/** A path into an object: map keys and sequence indexes, e.g. `["spec", "template", "spec", "containers", 0]`. */
export type ObjectPath = readonly (string | number)[];

/** One object after kustomize build (and, inside a Flux Kustomization, after Flux's post-build steps). */
export interface BuiltObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects and objects that got no namespace. */
  namespace?: string;
  /** The plain object as Flux would apply it. Treat as read-only. */
  object: Record<string, unknown>;
  provenance: Provenance;
  /**
   * Source position of a field of the object: where the value came from in the source YAML when it was
   * taken from the source file (or from a patch that set it), else the object's document start.
   */
  locate(path: ObjectPath): SourcePosition;
}

/** A Flux source object (GitRepository, OCIRepository, HelmRepository, Bucket, HelmChart). */
export interface FluxSourceNode {
  kind: string;
  name: string;
  namespace: string;
  /** repo-relative file of the object; `undefined` for the implicit `flux-system` GitRepository. */
  file?: string;
  line?: number;
  spec: Record<string, unknown>;
  /** true for a GitRepository that is this repository (the `flux-system` one, even when absent from Git). */
  isRepoRoot: boolean;
  /** The Flux Kustomization whose build produced this object (`namespace/name`), if any. */
  producedBy?: string;
}

/** A cross-object reference, namespace already defaulted. */
export interface ObjectRef {
  name: string;
  namespace: string;
}

export interface SourceRef {
  kind: string;
  name: string;
  namespace: string;
}

export type FluxKustomizationStatus = "built" | "error" | "skipped";

/** A Flux `Kustomization` (kustomize.toolkit.fluxcd.io) and what it builds. */
export interface FluxKustomizationNode {
  name: string;
  namespace: string;
  /** repo-relative posix file that declares it (after the parent build: the source file of the object). */
  file: string;
  line: number;
  /** `spec` as the controller sees it: after the parent's patches and substitution. */
  spec: Record<string, unknown>;
  /** `spec.path` resolved to a repo-relative posix directory (`.` for the root). */
  path: string;
  sourceRef: SourceRef;
  /** `spec.dependsOn` with namespaces defaulted to this Kustomization's namespace. */
  dependsOn: ObjectRef[];
  /** The Flux Kustomization whose build produced this one (`namespace/name`); undefined for roots. */
  parent?: string;
  /** Objects after kustomize build, Flux patches/targetNamespace, substitution and commonMetadata. */
  objects: BuiltObject[];
  /** The resolved substitution variables (substituteFrom in order, then substitute). Empty without postBuild. */
  variables: Record<string, string>;
  /** `postBuild.substituteFrom`, in order, with what the repository tells of each (absent without postBuild). */
  substitutionSources?: SubstitutionSource[];
  /** Remote inputs of this build that were not fetched (its objects are missing from `objects`). */
  skippedRemote: SkippedRemote[];
  /** `built`: objects are complete; `error`: see findings (objects may be partial); `skipped`: source not in this repo. */
  status: FluxKustomizationStatus;
  /** Findings of this Kustomization's build (also included in `RepoGraph.findings`). */
  findings: Finding[];
  /** What the build read from the repository (see `KustomizationInputs`): what a change must touch to change it. */
  inputs: KustomizationInputs;
}

/**
 * The repository paths one Flux Kustomization's build depended on (repo-relative posix, sorted): a change
 * to none of them leaves its kustomize build unchanged (see `affectedKustomizations` for the rest).
 */
export interface KustomizationInputs {
  /** files whose bytes the build used (kustomization files, resources, patches, generator inputs, components) */
  files: string[];
  /** directories it listed (an entry added or removed there changes it) */
  dirs: string[];
  /** paths it looked for and did not find (creating one changes it) */
  absent: string[];
}

/** One `postBuild.substituteFrom` entry of a Flux Kustomization and what the repository tells of it. */
export interface SubstitutionSource {
  kind: string;
  name: string;
  optional: boolean;
  /** false when no ConfigMap/Secret (or ExternalSecret targeting it) of that name is in the repository. */
  found: boolean;
  /** Keys it provides, as far as known. */
  keys: string[];
  /** false when it may provide more keys than `keys` (an ExternalSecret with `dataFrom`/`templateFrom`). */
  complete: boolean;
  /** The file that declares the object found, when found. */
  file?: string;
  /** The Flux Kustomization (`namespace/name`) whose build produced the object found, when it came from a build. */
  producedBy?: string;
}

/** A HelmRelease found in some Flux Kustomization's output. */
export interface HelmReleaseNode {
  name: string;
  namespace: string;
  /** `namespace/name` of the Flux Kustomization that applies it. */
  kustomization: string;
  object: BuiltObject;
}

/** A remote kustomize input that was not fetched. */
export interface SkippedRemote {
  url: string;
  /** The kustomization file (repo-relative) that references it. */
  kustomization: string;
  line: number;
}

/** The offline model of a repository as Flux would apply it. */
export interface RepoGraph {
  /** Absolute repository root. */
  root: string;
  /** The cluster root directory, repo-relative (`kubernetes/flux`). */
  clusterRoot: string;
  /** Every Flux Kustomization, breadth-first from the cluster root. */
  kustomizations: FluxKustomizationNode[];
  sources: FluxSourceNode[];
  helmReleases: HelmReleaseNode[];
  /** Every object applied by any Flux Kustomization (the union of `kustomizations[].objects`). */
  objects: BuiltObject[];
  /** Each parsed YAML file once, by repo-relative posix path. */
  files: ReadonlyMap<string, ParsedFile>;
  /**
   * Every entry of the repository as the build's one walk read it (dot directories included, `.git` and
   * `node_modules` not entered), for callers that would walk it again; absent when the build did not walk.
   */
  tree?: readonly WalkEntry[];
  /** Remote resources that were not fetched. */
  skippedRemote: SkippedRemote[];
  /** All findings, sorted. */
  findings: Finding[];
}

/** A YAML file read once and shared by every build that uses it. */
export interface ParsedFile {
  /** repo-relative posix path */
  file: string;
  text: string;
  documents: YamlDocument[];
}

export interface BuildRepoOptions {
  /** Directory (repo-relative) holding the Flux entry points. Default `kubernetes/flux`. */
  clusterRoot?: string;
  /** Strict substitution (undefined variable without default fails), like Flux 2.9 controllers. Default true. */
  strict?: boolean;
  /** Fetch remote resources. Default false: remote inputs are skipped and reported. */
  allowNetwork?: boolean;
  /** Largest file read, in bytes: a larger one is an error finding where it is used. Default 8 MiB (core's `DEFAULT_MAX_FILE_BYTES`). */
  maxFileBytes?: number;
  /**
   * Reads a repository file (repo-relative posix path) through the caller, so that a caller that reads
   * the files too reads each once; `undefined` = read from disk. Default: every file is read from disk.
   */
  contents?: (file: string) => Promise<Buffer | undefined> | Buffer | undefined;
  /**
   * `contents` gives only bytes it read inside the repository after every symlink (core's `readRepoFile`),
   * so the build does not resolve those paths again. Default false: each is checked here too.
   */
  contentsInsideRoot?: boolean;
  /** Progress/debug messages. Default: no-op. */
  logger?: Logger;
  /**
   * URL of this repository (a FluxInstance's `spec.sync.url`); a GitRepository with this URL (or the
   * flux-system GitRepository's), whatever its name, is this repository. Default: the flux-system one's.
   */
  repositoryUrl?: string;
  /** GitRepositories (`namespace/name`) that are this repository besides `flux-system/flux-system`. */
  repositorySources?: readonly string[];
}

export interface BuildKustomizationOptions {
  /** Fetch remote resources. Default false. */
  allowNetwork?: boolean;
  /** Largest file read, in bytes. Default 8 MiB (core's `DEFAULT_MAX_FILE_BYTES`). */
  maxFileBytes?: number;
  /**
   * Reads a repository file (repo-relative posix path) through the caller, so that a caller that reads
   * the files too reads each once; `undefined` = read from disk. Default: every file is read from disk.
   */
  contents?: (file: string) => Promise<Buffer | undefined> | Buffer | undefined;
  /** Progress/debug messages. Default: no-op. */
  logger?: Logger;
}

/** Result of building one kustomization directory with plain kustomize semantics. */
export interface KustomizationBuild {
  /** repo-relative posix directory */
  dir: string;
  objects: BuiltObject[];
  skippedRemote: SkippedRemote[];
  findings: Finding[];
  /** false when an error finding stopped the build (objects may be partial). */
  ok: boolean;
}
