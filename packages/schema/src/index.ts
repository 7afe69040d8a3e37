export {
  documentSeparators,
  findSchemaComments,
  kindSchemaTemplate,
  type PulledSchema,
  type PullSchemasOptions,
  pullSchemas,
  readSchemaCache,
  type SchemaCacheIndex,
  type SchemaComment,
  type StoredSchema,
  schemaCommentFor,
  storeSchemasInCache,
} from "./catalog/schema-cache.js";
export {
  type CatalogManifest,
  type CompiledSchema,
  crdSchemaConverter,
  loadCatalogManifest,
  PRECOMPILED_CATALOG_DIR,
  type PrecompileCatalogOptions,
  type PrecompiledCatalog,
  precompileCatalogValidators,
  type RepositoryCrd,
  SchemaCatalog,
  type SchemaCatalogOptions,
  type SchemaLookup,
  type SchemaOrigin,
  writePrecompiledCatalog,
} from "./catalog/schema-catalog.js";
export {
  builtinCatalogDir,
  CATALOG_LAYOUT,
  expandSchemaLocation,
  type SchemaTemplateData,
  schemaTemplateData,
} from "./catalog/schema-location.js";
export {
  type CrdSchema,
  crdToSchemas,
  isMetaDefinition,
  type JsonSchemaNode,
  KEPT_FORMATS,
  OBJECT_META,
  objectMetaDefinitions,
  prepareBuiltinDefinitions,
  SCHEMA_DRAFT,
  standaloneBuiltin,
  standaloneCrd,
  strictify,
  translateGoRegExp,
} from "./catalog/strict-schema.js";
export {
  type DocumentVerdict,
  type ValidateDocumentsOptions,
  validateDocuments,
} from "./catalog/validate-documents.js";
export {
  formatPath,
  type ObjectStatus,
  type ObjectVerdict,
  type SchemaViolation,
  type ValidateObjectOptions,
  validateObject,
} from "./catalog/validate-object.js";
export {
  type LocatedObject,
  type MissingSchema,
  type ObjectReport,
  type ValidateObjectsResult,
  type ValidationUnit,
  validateObjects,
} from "./catalog/validate-objects.js";
export {
  type Cidr,
  type CidrProblem,
  cidrContains,
  cidrsOverlap,
  hostCount,
  inspectCidr,
  ipv4ToNumber,
  isIpv4Address,
  nthHost,
  numberToIpv4,
  parseCidr,
} from "./config/cidr.js";
export { CONFIG_DEFAULTS, CONFIG_VERSION, VANILLA_SCHEMATIC_ID } from "./config/defaults.js";
export { isPlaceholder, KNOWN_SSH_HOSTS, RESERVED_NODE_NAMES } from "./config/fields.js";
export { createConfigJsonSchema, serializeConfigJsonSchema } from "./config/json-schema.js";
export {
  type ConfigMigration,
  configMigrations,
  type MigrationOutcome,
  migrateConfig,
} from "./config/migrations.js";
export { type ConfigRule, configRule, configRules } from "./config/rules.js";
export { type ConfigInput, configSchema } from "./config/schema.js";
export type {
  ClusterConfig,
  ClusterNode,
  DerivedValues,
  LiteralValue,
  PlaceholderValue,
} from "./config/types.js";
export {
  type LoadClusterConfigOptions,
  loadClusterConfig,
  type ValidateClusterConfigOptions,
  validateClusterConfig,
} from "./config/validate.js";
