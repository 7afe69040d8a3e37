export {
  type CatalogManifest,
  type CompiledSchema,
  loadCatalogManifest,
  SchemaCatalog,
  type SchemaCatalogOptions,
  type SchemaLookup,
} from "./catalog/schema-catalog.js";
export {
  builtinCatalogDir,
  CATALOG_LAYOUT,
  expandSchemaLocation,
  type SchemaTemplateData,
  schemaTemplateData,
} from "./catalog/schema-location.js";
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
