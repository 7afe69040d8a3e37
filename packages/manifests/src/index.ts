export { buildKustomizationDir } from "./build-kustomization.js";
export { buildFluxKustomization, buildRepoGraph, placeholderValue } from "./build-repo.js";
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
  ObjectPath,
  ObjectRef,
  ParsedFile,
  Provenance,
  RepoGraph,
  SkippedRemote,
  SourcePosition,
  SourceRef,
} from "./types.js";
