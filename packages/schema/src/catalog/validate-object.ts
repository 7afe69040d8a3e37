import { formatYamlPath } from "@homeops/core";
import type { ErrorObject } from "ajv";
import type { SchemaCatalog, SchemaOrigin } from "./schema-catalog.js";

/** Per-object status, as kubeconform reports it. */
export type ObjectStatus = "valid" | "invalid" | "error" | "skipped";

/** One schema violation inside an object. */
export interface SchemaViolation {
  /** Path of the offending field (for an unknown field: the field itself), e.g. `["spec", "interval"]`. */
  path: (string | number)[];
  message: string;
  /** JSON Schema keyword that failed (`additionalProperties`, `type`, `required`, `pattern`, …). */
  keyword: string;
}

/** Verdict for one object. */
export interface ObjectVerdict {
  status: ObjectStatus;
  /** Why it was skipped, or what went wrong for `error`. */
  reason?: string;
  /** Set for `invalid`. */
  violations: SchemaViolation[];
  /** The schema used (file or URL), when one was found. */
  schema?: string;
  /** Where that schema came from (catalog, repository CRD, cache, user location). */
  origin?: SchemaOrigin;
  /** Set when the object was skipped because no schema of its kind was found. */
  missingSchema?: boolean;
  /**
   * Fields the CRD schema does not declare, reported as warnings instead of violations
   * (`crdUnknownFields: "warn"`); the object's status does not count them.
   */
  warnings?: SchemaViolation[];
  /** Document schemas (named by `$schema=` URL) the object was also validated against. */
  documentSchemas?: string[];
  /** Document schemas that are cached but could not be used (they do not compile). */
  documentSchemaProblems?: string[];
  /** Violations on values that hold unresolved substitutions (`unresolvedVariables: "defer"`). */
  deferred?: SchemaViolation[];
}

export interface ValidateObjectOptions {
  /** Kinds not validated (status skipped): `Kind` or `apiVersion/Kind`. Default `["Secret"]`. */
  skipKinds?: readonly string[];
  /**
   * An object whose kind has no schema is an `error` instead of `skipped (no schema)`. Default false (a
   * missing schema is a gap in what the tool knows, not a defect of the object).
   */
  requireSchemas?: boolean;
  /** @deprecated missing schemas are skipped by default; kept for kubeconform's flag. No effect. */
  ignoreMissingSchemas?: boolean;
  /**
   * Fields a custom resource's schema does not declare: `error` (default: what Flux's server-side apply
   * does when the cluster's CRD is that schema — see the package README), `warn` (what a create/update does:
   * the API server prunes them), or `auto`: `error` when the schema is the repository's own CRD or a user
   * location, `warn` when it is the bundled catalog's or the cache's (the cluster may run another version
   * or a fork of that CRD). Built-in kinds always get errors.
   */
  crdUnknownFields?: "error" | "warn" | "auto";
  /**
   * Violations on a string that still holds a Flux substitution (`${VAR}`, `${VAR:=default}`) after the
   * offline build (its variables come from a Secret or ConfigMap the build could not read): `error`
   * (default) or `defer` — reported in `deferred`, not counted, since the applied value is unknown.
   */
  unresolvedVariables?: "error" | "defer";
  /**
   * URLs of schemas the document names itself (`# yaml-language-server: $schema=<url>`); each one the
   * schema cache holds is validated too, and its violations count. Default none.
   */
  documentSchemas?: readonly string[];
}

/** Validates one plain object against the catalog. Never throws for bad input: see `status`. */
export async function validateObject(
  catalog: SchemaCatalog,
  object: unknown,
  options: ValidateObjectOptions = {},
): Promise<ObjectVerdict> {
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    return { status: "error", reason: "not a YAML mapping", violations: [] };
  }
  const record = object as Record<string, unknown>;
  const signatureProblem = checkSignature(record);
  if (signatureProblem) return { status: "error", reason: signatureProblem, violations: [] };
  const kind = record.kind as string;
  const apiVersion = record.apiVersion as string;
  const skipKinds = options.skipKinds ?? ["Secret"];
  if (skipKinds.includes(kind) || skipKinds.includes(`${apiVersion}/${kind}`)) {
    return { status: "skipped", reason: `kind ${kind} is skipped`, violations: [] };
  }
  const lookup = await catalog.lookup(apiVersion, kind);
  if (lookup.found === "error") return { status: "error", reason: lookup.message, violations: [] };
  if (lookup.found === false) {
    if (options.requireSchemas) {
      return { status: "error", reason: `could not find schema for ${apiVersion} ${kind}`, violations: [] };
    }
    return { status: "skipped", reason: "no schema", missingSchema: true, violations: [] };
  }
  const { validate, source, origin } = lookup.schema;
  let violations = validate(record) ? [] : describeErrors(validate.errors ?? [], record);
  const documentSchemas: string[] = [];
  const documentSchemaProblems: string[] = [];
  for (const url of options.documentSchemas ?? []) {
    if (url === source) continue;
    const named = catalog.lookupUrl(url);
    if (named.found === "error") documentSchemaProblems.push(named.message);
    if (named.found !== true) continue;
    documentSchemas.push(url);
    if (!named.schema.validate(record))
      violations = mergeViolations(violations, describeErrors(named.schema.validate.errors ?? [], record));
  }
  let deferred: SchemaViolation[] = [];
  if (options.unresolvedVariables === "defer") {
    deferred = violations.filter(
      (v) => v.keyword !== "additionalProperties" && holdsVariable(record, v.path),
    );
    violations = violations.filter((v) => !deferred.includes(v));
  }
  let warnings: SchemaViolation[] = [];
  const mode = options.crdUnknownFields ?? "error";
  const warn = mode === "warn" || (mode === "auto" && (origin === "catalog" || origin === "cache"));
  if (warn && catalog.isCustomResource(apiVersion, kind)) {
    warnings = violations.filter((v) => v.keyword === "additionalProperties");
    violations = violations.filter((v) => v.keyword !== "additionalProperties");
  }
  return {
    status: violations.length === 0 ? "valid" : "invalid",
    violations,
    schema: source,
    origin,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(documentSchemas.length > 0 ? { documentSchemas } : {}),
    ...(deferred.length > 0 ? { deferred } : {}),
    ...(documentSchemaProblems.length > 0 ? { documentSchemaProblems } : {}),
  };
}

/** Flux's `${var}` (not the `$${var}` escape), as it survives a build that could not resolve it. */
const FLUX_VARIABLE = /(?<!\$)\$\{[_a-zA-Z#][^}]*\}/;

function holdsVariable(root: unknown, path: readonly (string | number)[]): boolean {
  const value = valueAt(root, path);
  return typeof value === "string" && FLUX_VARIABLE.test(value);
}

function mergeViolations(a: SchemaViolation[], b: SchemaViolation[]): SchemaViolation[] {
  const seen = new Set(a.map((v) => `${JSON.stringify(v.path)}\0${v.message}`));
  return [...a, ...b.filter((v) => !seen.has(`${JSON.stringify(v.path)}\0${v.message}`))].sort(
    (x, y) => formatPath(x.path).localeCompare(formatPath(y.path)) || x.message.localeCompare(y.message),
  );
}

/**
 * The fields that identify an object must have the right shape before a schema can be chosen; like
 * kubeconform, a problem there is an `error`, not an `invalid` verdict.
 */
function checkSignature(record: Record<string, unknown>): string | undefined {
  const { kind, apiVersion, metadata } = record;
  for (const [field, value] of [
    ["kind", kind],
    ["apiVersion", apiVersion],
  ] as const) {
    if (value !== undefined && value !== null && typeof value !== "string")
      return `'${field}' is not a string`;
  }
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== "object" || Array.isArray(metadata)) return "'metadata' is not a mapping";
    for (const field of ["name", "namespace", "generateName"]) {
      const value = (metadata as Record<string, unknown>)[field];
      if (value !== undefined && value !== null && typeof value !== "string")
        return `'metadata.${field}' is not a string`;
    }
  }
  if (typeof kind !== "string" || kind === "") return "missing 'kind' key";
  if (typeof apiVersion !== "string" || apiVersion === "") return "missing 'apiVersion' key";
  return undefined;
}

/** ajv errors → violations with object paths and kubeconform-like messages, deduplicated and sorted. */
export function describeErrors(errors: readonly ErrorObject[], root: unknown): SchemaViolation[] {
  const seen = new Set<string>();
  const out: SchemaViolation[] = [];
  for (const error of errors) {
    const path = toPath(error.instancePath, root);
    let message: string;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case "additionalProperties":
        path.push(String(params.additionalProperty));
        message = `unknown field "${String(params.additionalProperty)}"`;
        break;
      case "required":
        message = `missing required field "${String(params.missingProperty)}"`;
        break;
      case "type":
        message = `got ${typeName(valueAt(root, path))}, want ${wantedTypes(params.type)}`;
        break;
      case "pattern":
        message = `${JSON.stringify(valueAt(root, path))} does not match pattern ${String(params.pattern)}`;
        break;
      case "enum":
        message = `${JSON.stringify(valueAt(root, path))} is not one of ${(params.allowedValues as unknown[])
          .map((v) => JSON.stringify(v))
          .join(", ")}`;
        break;
      case "format":
        message = `${JSON.stringify(valueAt(root, path))} is not a valid ${String(params.format)}`;
        break;
      default:
        message = error.message ?? error.keyword;
    }
    const key = `${JSON.stringify(path)}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message, keyword: error.keyword });
  }
  return out.sort(
    (a, b) => formatPath(a.path).localeCompare(formatPath(b.path)) || a.message.localeCompare(b.message),
  );
}

/** `/spec/containers/0/image` → `["spec", "containers", 0, "image"]` (numbers where the value is a list). */
function toPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node =
        node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** `string,integer,null` → `string or integer` (null only matters when it is all that is allowed). */
function wantedTypes(type: unknown): string {
  const all = (Array.isArray(type) ? type : String(type).split(",")).map(String);
  const shown = all.length > 1 ? all.filter((t) => t !== "null") : all;
  return shown.join(" or ");
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value === "object" ? "object" : typeof value;
}

/** `spec.containers[0].image` (the same rendering as core's `formatYamlPath`). */
export const formatPath: (path: readonly (string | number)[]) => string = formatYamlPath;
