export {
  type ErrorCode,
  formatLocation,
  HomeopsError,
  type HomeopsErrorOptions,
  InternalError,
  isHomeopsError,
  isUserError,
  type SourceLocation,
  UserError,
} from "./errors.js";
export { findExecutable } from "./executables.js";
export {
  type ExternalSecretKeys,
  externalSecretKeys,
  externalSecretTarget,
  isExternalSecret,
} from "./external-secret.js";
export {
  countBySeverity,
  type Finding,
  failed,
  findingLocation,
  hasErrors,
  ok,
  type Result,
  type Severity,
  sortFindings,
} from "./finding.js";
export { coreBuildIdentity } from "./identity.js";
export { type Logger, noopLogger } from "./logger.js";
export {
  isPathInside,
  relativePath,
  type StageFileOptions,
  stageFileSync,
  syncFiles,
  toPosixPath,
  type WriteFileAtomicOptions,
  writeFileAtomic,
  writeFileAtomicSync,
} from "./paths.js";
export {
  type ApiObjectLike,
  apiGroup,
  isBuiltInApi,
  possibleProducer,
} from "./producers.js";
export {
  hasSopsMetadata,
  isRemoteReference,
  isSopsEncryptedText,
  isSopsPath,
  KUSTOMIZATION_FILES,
} from "./references.js";
export {
  assertNoSymlinkOnPath,
  createSymlinkGuard,
  DEFAULT_MAX_FILE_BYTES,
  decodeUtf8,
  fileTooLarge,
  fsUserError,
  isEnvironmentError,
  type ReadRepoFileOptions,
  readRepoFile,
  resolveInsideRoot,
  type SymlinkGuard,
} from "./repo-fs.js";
export type { CaseStatus, Report, ReportCase, ReportRule } from "./report.js";
export { type StringifyYamlOptions, stringifyYaml, stringifyYamlDocuments } from "./stringify.js";
export { entries, field, getOrCompute, isRecord, list, type MemoMap, str } from "./values.js";
export { listFiles, type WalkEntry, type WalkOptions, walkTree } from "./walk.js";
export {
  DEFAULT_MAX_ALIAS_COUNT,
  type DuplicateKey,
  findDuplicateKeys,
  formatYamlPath,
  loadYamlFile,
  type ParseYamlOptions,
  parseYaml,
  type RestoredYamlDocument,
  type SourcePosition,
  YamlDocument,
  type YamlFile,
  type YamlPath,
  type YamlPosition,
} from "./yaml.js";
