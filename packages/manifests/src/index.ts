export {
  type ExternalSecretKeys,
  externalSecretKeys,
  externalSecretTarget,
  isExternalSecret,
} from "@homeops/core";
export {
  type AffectedOptions,
  affectedKustomizations,
  type ChangedFile,
  declaringFiles,
} from "./affected.js";
export { buildKustomizationDir } from "./build-kustomization.js";
export { buildFluxKustomization, buildRepoGraph, placeholderValue } from "./build-repo.js";
export {
  affectsRootDiscovery,
  type DiscoverFluxRootsOptions,
  discoverFluxRoots,
  type FluxRoot,
  type FluxRootDiscovery,
  type FluxRootSource,
} from "./discover-roots.js";
export {
  type GraphSnapshot,
  type GraphUpdate,
  loadGraphRecord,
  snapshotRepoGraph,
  storeGraphRecord,
  type UpdateRepoGraphOptions,
  updateRepoGraph,
} from "./graph-snapshot.js";
export { buildCacheStats, saveBuildCache, useBuildCache } from "./internal/build-cache.js";
export { parseCacheStats, parseRepoYaml, saveParseCache, useParseCache } from "./internal/go-yaml.js";
export {
  type InlineKustomization,
  type KustomizeInput,
  type KustomizeObjectsOptions,
  type KustomizeObjectsResult,
  type KustomizeSelector,
  kustomizeObjects,
  SELECTOR_KEYS,
} from "./kustomize-objects.js";
export {
  directoriesBuiltBy,
  type FindStandaloneDirsOptions,
  findStandaloneKustomizationDirs,
  kustomizationFileName,
} from "./standalone-dirs.js";
export type {
  BuildKustomizationOptions,
  BuildRepoOptions,
  BuiltObject,
  FluxKustomizationNode,
  FluxKustomizationStatus,
  FluxSourceNode,
  HelmReleaseNode,
  KustomizationBuild,
  KustomizationInputs,
  ObjectPath,
  ObjectRef,
  ParsedFile,
  Provenance,
  RepoGraph,
  SkippedRemote,
  SourcePosition,
  SourceRef,
  SubstitutionSource,
} from "./types.js";
