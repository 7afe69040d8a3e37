// The conversion of Kubernetes OpenAPI (swagger definitions, CRD openAPIV3Schema) into the strict,
// standalone draft-07 schemas of the catalog. One implementation: `scripts/generate-catalog.mjs` uses it
// for the bundled catalog, and `SchemaCatalog` uses it for the CRDs a repository carries.

/** A JSON value as read from an OpenAPI document. */
export type JsonSchemaNode = { [key: string]: unknown };

/** Formats both our validator and kubeconform's assert identically; every other `format` is dropped. */
export const KEPT_FORMATS: readonly string[] = ["date-time"];
export const SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#";
const DEF_PREFIX = "#/definitions/";
const META_PREFIX = "io.k8s.apimachinery.pkg.apis.meta.v1.";
/** The definition CRD `metadata` is validated as (the API server validates it as ObjectMeta). */
export const OBJECT_META = `${META_PREFIX}ObjectMeta`;
const NULLABLE = ".nullable";

/** One strict schema made from a CRD: one per served version. */
export interface CrdSchema {
  group: string;
  version: string;
  kind: string;
  /** `group/version` */
  apiVersion: string;
  schema: JsonSchemaNode;
}

/**
 * Built-in definitions, made strict; `<name>.nullable` copies are made on demand when referenced (optional
 * fields may be null). Quantity and IntOrString accept numbers in YAML; swagger says `string`.
 */
export function prepareBuiltinDefinitions(
  definitions: Record<string, unknown>,
): Record<string, JsonSchemaNode> {
  const defs: Record<string, JsonSchemaNode> = {};
  for (const [name, def] of Object.entries(definitions)) defs[name] = strictify(def) as JsonSchemaNode;
  defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = { type: ["string", "number"] };
  defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = { type: ["string", "integer"] };
  return defs;
}

/** Whether a swagger definition name belongs to the apimachinery meta types (no kind schema of its own). */
export function isMetaDefinition(name: string): boolean {
  return name.startsWith(META_PREFIX);
}

/** A built-in kind's schema: its definition at the root plus every definition it reaches. */
export function standaloneBuiltin(name: string, defs: Record<string, JsonSchemaNode>): JsonSchemaNode {
  const root = structuredClone(defs[name]!);
  const definitions: Record<string, JsonSchemaNode> = {};
  collectRefs(root, defs, definitions);
  return finish(root, definitions);
}

/** The definitions `ObjectMeta` reaches (strict), as needed to turn CRDs into standalone schemas. */
export function objectMetaDefinitions(defs: Record<string, JsonSchemaNode>): Record<string, JsonSchemaNode> {
  const out: Record<string, JsonSchemaNode> = {};
  collectRefs({ $ref: `${DEF_PREFIX}${OBJECT_META}` }, defs, out);
  const bases = new Set(
    Object.keys(out).map((name) => (name.endsWith(NULLABLE) ? name.slice(0, -NULLABLE.length) : name)),
  );
  return Object.fromEntries([...bases].sort().map((name) => [name, defs[name]!]));
}

/** A CRD version's `openAPIV3Schema` as a standalone strict schema (`metadata` as ObjectMeta). */
export function standaloneCrd(openapi: unknown, metaDefs: Record<string, JsonSchemaNode>): JsonSchemaNode {
  const root = strictify(openapi) as JsonSchemaNode;
  const properties = (root.properties ?? {}) as JsonSchemaNode;
  // CRD schemas leave metadata open; validate it as ObjectMeta like the API server does.
  properties.metadata = { $ref: `${DEF_PREFIX}${OBJECT_META}${NULLABLE}` };
  // apiVersion and kind are always allowed at the root, declared or not (some CRDs, e.g. Multus' and
  // ObjectBucketClaim's, declare only spec/status)
  properties.apiVersion ??= { type: ["string", "null"] };
  properties.kind ??= { type: ["string", "null"] };
  root.properties = properties;
  root.type = "object";
  const definitions: Record<string, JsonSchemaNode> = {};
  collectRefs(root, metaDefs, definitions);
  return finish(root, definitions);
}

/**
 * The strict schemas of a `CustomResourceDefinition` object: one per served version with an
 * `openAPIV3Schema`. Anything that is not a CRD (or lacks group/kind) gives none.
 */
export function crdToSchemas(crd: unknown, metaDefs: Record<string, JsonSchemaNode>): CrdSchema[] {
  if (!isRecord(crd) || crd.kind !== "CustomResourceDefinition" || !isRecord(crd.spec)) return [];
  const spec = crd.spec;
  const names = isRecord(spec.names) ? spec.names : {};
  if (typeof spec.group !== "string" || typeof names.kind !== "string") return [];
  const out: CrdSchema[] = [];
  for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
    if (!isRecord(v) || v.served === false || typeof v.name !== "string") continue;
    const openapi = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isRecord(openapi)) continue;
    out.push({
      group: spec.group,
      version: v.name,
      kind: names.kind,
      apiVersion: `${spec.group}/${v.name}`,
      schema: standaloneCrd(openapi, metaDefs),
    });
  }
  return out;
}

function finish(root: JsonSchemaNode, definitions: Record<string, JsonSchemaNode>): JsonSchemaNode {
  const schema: JsonSchemaNode = { $schema: SCHEMA_DRAFT, ...root };
  delete schema.definitions;
  const names = Object.keys(definitions).sort();
  if (names.length > 0) schema.definitions = Object.fromEntries(names.map((n) => [n, definitions[n]]));
  return schema;
}

/** Copies every definition reachable from `node` into `out` (nullable variants made on demand). */
function collectRefs(
  node: unknown,
  defs: Record<string, JsonSchemaNode>,
  out: Record<string, JsonSchemaNode>,
) {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      stack.push(...current);
      continue;
    }
    if (!isRecord(current)) continue;
    if (typeof current.$ref === "string") {
      const ref = current.$ref.slice(DEF_PREFIX.length);
      if (!(ref in out)) {
        const nullable = ref.endsWith(NULLABLE);
        const base = nullable ? ref.slice(0, -NULLABLE.length) : ref;
        const def = defs[base];
        if (!def) throw new Error(`unresolved $ref ${current.$ref}`);
        const copy = structuredClone(def);
        if (nullable) allowNull(copy);
        out[ref] = copy;
        stack.push(copy);
      }
    }
    for (const value of Object.values(current)) if (value && typeof value === "object") stack.push(value);
  }
}

function allowNull(schema: JsonSchemaNode): void {
  if (schema.type === undefined) return;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes("null")) schema.type = [...types, "null"];
}

const DROPPED = new Set([
  "description",
  "default",
  "example",
  "title",
  "externalDocs",
  "readOnly",
  "nullable",
]);

/**
 * One schema node, made strict: `additionalProperties: false` where `properties` exist and unknown fields
 * are not preserved; int-or-string as a type union; optional properties accept null; OpenAPI-only
 * keywords and annotations (`x-*`) dropped; refs rewritten to local `#/definitions/` (nullable variant
 * `<name>.nullable`). Inside anyOf/oneOf/allOf/not (`branch`) `properties` only constrain values, as in
 * Kubernetes structural schemas, so they get no strictness.
 */
export function strictify(node: unknown, branch = false): unknown {
  if (Array.isArray(node)) return node.map((n) => strictify(n, branch));
  if (!isRecord(node)) return node;
  const out: JsonSchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key.startsWith("x-")) continue;
    if (key === "format") {
      if (KEPT_FORMATS.includes(value as string)) out.format = value;
      continue;
    }
    if (key === "$ref") {
      out.$ref = `${DEF_PREFIX}${String(value).replace(/^#\/definitions\//, "")}`;
      continue;
    }
    if (key === "properties" && isRecord(value)) {
      const properties: JsonSchemaNode = {};
      const required = new Set(Array.isArray(node.required) ? node.required : []);
      for (const [prop, schema] of Object.entries(value)) {
        let child = strictify(schema, branch) as JsonSchemaNode;
        if (!required.has(prop) && !branch) {
          if (typeof child.$ref === "string") child = { ...child, $ref: `${child.$ref}${NULLABLE}` };
          else allowNull(child);
        }
        properties[prop] = child;
      }
      out.properties = properties;
      continue;
    }
    if (key === "enum" || key === "required" || key === "pattern") {
      out[key] = value;
      continue;
    }
    if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      // OpenAPI 3.0 booleans become draft-07 numbers
      const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
      if (value === true && typeof node[bound] === "number") out[key] = node[bound];
      else if (typeof value === "number") out[key] = value;
      continue;
    }
    if (
      (key === "minimum" || key === "maximum") &&
      node[key === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true
    ) {
      continue;
    }
    const junction = key === "anyOf" || key === "oneOf" || key === "allOf" || key === "not";
    if (value && typeof value === "object") out[key] = strictify(value, branch || junction);
    else out[key] = value;
  }
  if (node.nullable === true) allowNull(out);
  if (node["x-kubernetes-int-or-string"] === true) {
    delete out.anyOf;
    delete out.oneOf;
    out.type = ["integer", "string"];
  }
  if (
    !branch &&
    out.properties &&
    node.additionalProperties === undefined &&
    node["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  if (out.pattern !== undefined) out.pattern = checkPattern(translateGoRegExp(String(out.pattern)));
  return out;
}

/** Every kept pattern must be a JavaScript unicode-mode regular expression with Go's meaning. */
function checkPattern(pattern: string): string {
  try {
    new RegExp(pattern, "u");
  } catch (error) {
    throw new Error(
      `pattern ${JSON.stringify(pattern)} has no JavaScript equivalent: ${(error as Error).message}`,
    );
  }
  return pattern;
}

/** Go (RE2) syntax JavaScript spells differently: `\pL`/`\PC` classes, `[[:space:]]`, inline `(?i)`. */
export function translateGoRegExp(pattern: string): string {
  const unicodeClasses = pattern.replace(/(?<!\\)((?:\\\\)*)\\([pP])([A-Za-z])/g, "$1\\$2{$3}");
  return translateCaseInsensitive(unicodeClasses.replace(/\[:(\^?)([a-z]+):\]/g, posixClass));
}

/** RE2's ASCII classes inside brackets (`[^[:space:]]`), spelled as JavaScript ranges. */
const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

function posixClass(whole: string, negated: string, name: string): string {
  const ranges = POSIX_CLASSES[name];
  if (ranges === undefined || negated) throw new Error(`unsupported RE2 class ${whole}`);
  return ranges;
}

/**
 * Go's inline `(?i)` (case-insensitive for the rest of the group) has no JavaScript form: spell it out
 * as `[aA]` classes so Go (kubeconform) and JavaScript (ajv) read the same language.
 */
function translateCaseInsensitive(pattern: string): string {
  if (!pattern.includes("(?i)")) return pattern;
  const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
  const isLetter = (c: string) => /[A-Za-z]/.test(c);
  const groups = [false];
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const ci = groups[groups.length - 1]!;
    if (pattern.startsWith("(?i)", i)) {
      groups[groups.length - 1] = true;
      i += 3;
    } else if (c === "\\") {
      out += c + (pattern[i + 1] ?? "");
      i++;
    } else if (c === "(") {
      groups.push(ci);
      out += c;
    } else if (c === ")") {
      groups.pop();
      out += c;
    } else if (c === "[") {
      let j = i + 1;
      let head = "[";
      if (pattern[j] === "^") {
        head += "^";
        j++;
      }
      let body = "";
      let extra = "";
      if (pattern[j] === "]") {
        body += "]";
        j++;
      }
      for (; j < pattern.length && pattern[j] !== "]"; j++) {
        if (pattern[j] === "\\") {
          body += pattern[j]! + (pattern[j + 1] ?? "");
          j++;
          continue;
        }
        body += pattern[j];
        if (ci && isLetter(pattern[j]!)) extra += swap(pattern[j]!);
        else if (ci && pattern[j] === "-" && isLetter(pattern[j - 1] ?? "") && isLetter(pattern[j + 1] ?? ""))
          extra += "-";
      }
      out += `${head}${body}${extra}]`;
      i = j;
    } else if (ci && isLetter(c)) {
      out += `[${c}${swap(c)}]`;
    } else {
      out += c;
    }
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
