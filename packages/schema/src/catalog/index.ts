// The strict offline schema catalog on its own entry (`@homeops/schema/catalog`): what validating manifests
// needs, without the config's zod schemas (loading those is most of the package's start-up).
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
} from "./schema-cache.js";
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
} from "./schema-catalog.js";
export {
  builtinCatalogDir,
  CATALOG_LAYOUT,
  expandSchemaLocation,
  type SchemaTemplateData,
  schemaTemplateData,
} from "./schema-location.js";
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
} from "./strict-schema.js";
export {
  type DocumentVerdict,
  type ValidateDocumentsOptions,
  validateDocuments,
} from "./validate-documents.js";
export {
  formatPath,
  type ObjectStatus,
  type ObjectVerdict,
  type SchemaViolation,
  type ValidateObjectOptions,
  validateObject,
} from "./validate-object.js";
export {
  type LocatedObject,
  type MissingSchema,
  type ObjectReport,
  type ValidateObjectsResult,
  type ValidationUnit,
  validateObjects,
} from "./validate-objects.js";
