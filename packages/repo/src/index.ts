// the model types of what a repository builds, for packages above repo (report) that may not import manifests
export type {
  BuiltObject,
  FluxKustomizationNode,
  FluxRoot,
  HelmReleaseNode,
  RepoGraph,
} from "@homeops/manifests";
export { applyBaseline, type CheckBaselineData, type CheckBaselineOptions } from "./baseline.js";
export {
  type ChangedOnlyOptions,
  type ChangedSelection,
  changedFiles,
  inSelection,
  selectChanged,
} from "./changes.js";
export {
  type CheckRepositoryData,
  type CheckRepositoryOptions,
  type CheckTimings,
  checkRepository,
  documentedRules,
  rootGraph,
} from "./check-repository.js";
export {
  type DiffAction,
  type DiffRepositoryData,
  type DiffRepositoryOptions,
  describeChanges,
  diffRepository,
  type FieldChange,
  type KustomizationDiff,
  type ObjectDiff,
} from "./diff-repository.js";
export {
  type FluxRootsOptions,
  type FoundFluxRoots,
  findFluxRoots,
  noFluxRoot,
  requireFluxRoots,
} from "./flux-roots.js";
export { type HelmRenderOptions, helmOrigin, renderHelmStage } from "./render-helm.js";
export {
  DEFAULT_CONFIG_FILE,
  type GraphOptions,
  type LoadedConfig,
  type OpenRepositoryOptions,
  openRepository,
  Repository,
  type RepositorySettings,
} from "./repository.js";
export {
  type KindSchemaRow,
  type ListSchemasData,
  listRepositorySchemas,
  type PullSchemasData,
  pullRepositorySchemas,
  type RepositorySchemasOptions,
} from "./schemas.js";
export {
  type TalosCommandsData,
  type TalosGenerateData,
  type TalosStageOptions,
  type TalosValidateData,
  talosCommandLines,
  talosGenerate,
  talosGensecret,
  talosStageReadiness,
  talosUrls,
  talosValidate,
} from "./talos.js";
export { type ValidateConfigData, type ValidateConfigOptions, validateConfig } from "./validate-config.js";
export {
  type ChangedOnlyData,
  collectManifestUnits,
  type ManifestUnits,
  repositoryCatalog,
  type ValidateManifestsData,
  type ValidateManifestsOptions,
  validateManifests,
} from "./validate-manifests.js";
