export {
  type ApplyFs,
  type ApplyRenderOptions,
  type ApplyResult,
  applyRenderPlan,
  BACKUP_SUFFIX,
  createApplyFs,
} from "./apply.js";
export { formatPlanDiff } from "./diff.js";
export {
  type DiscoverTemplatesOptions,
  discoverTemplates,
  type TemplateInputs,
  type TemplateSource,
} from "./discover.js";
export { TEMPLATE_TAGS, TemplateEngine, TemplateError } from "./engine.js";
export {
  base64,
  defaultTo,
  get,
  has,
  indent,
  nindent,
  nthHost,
  quote,
  type TemplateHelpers,
  templateHelpers,
  toYaml,
} from "./helpers.js";
export { LOCK_PATH, lockRepository, type RepositoryLock } from "./lock.js";
export {
  emptyManifest,
  formatOwnershipManifest,
  hashContent,
  OWNERSHIP_MANIFEST_PATH,
  type OwnedFile,
  type OwnershipManifest,
  readOwnershipManifest,
} from "./manifest.js";
export {
  DEFAULT_TEMPLATE_ROOTS,
  isPlanClean,
  type PlanEntry,
  type PlanFromRenderedOptions,
  type PlanRenderOptions,
  planFromRendered,
  planRender,
  type RenderAction,
  type RenderPlan,
  STALE_TEMP,
  summarizePlan,
} from "./plan.js";
export { type RenderedFile, type RenderTemplatesOptions, renderTemplates } from "./render-tree.js";
export {
  createSopsEncryptor,
  decryptSops,
  type EncryptPlaintextOptions,
  encryptPlaintextSopsFiles,
  encryptSopsFileInPlace,
  type FindSopsOptions,
  findSops,
  isSopsEncrypted,
  isSopsPath,
  readAgeRecipients,
  type SopsEncryptor,
  type SopsOptions,
} from "./sops.js";
