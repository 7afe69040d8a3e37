import { createHash } from "node:crypto";

// Kinds repeat each other: every PodSpec-embedding kind carries its own copy of PodSpec's definitions, and
// CRDs of one project embed the same inline subtrees (containers, affinity, TLS, …). ajv compiles a schema's
// local definitions once per schema, so each kind compiled those copies again, and ajv's code optimiser is
// superlinear in a function's size. Splitting a schema into content-addressed parts that one ajv holds lets
// every part compile once per process, into functions of bounded size.

/** The base of the parts' ids: a key for ajv only, never fetched. */
export const PART_ID_BASE = "https://parts.schemas.homeops.invalid/";

/**
 * Subschemas whose JSON is at least this long become parts of their own. Measured on the 47 kinds of
 * tyriis/home-ops: 200 compiles in about a third of the time of not splitting; 100 and 500 are no better.
 */
const MIN_PART_LENGTH = 200;

/** A schema split into parts: every `$ref` in `root` and `parts` names a part by its id. */
export interface SplitSchema {
  /** The schema without `definitions`, its `#/definitions/…` refs and large subschemas replaced by parts. */
  root: Record<string, unknown>;
  /** Part id → part. An id is the hash of what the part means, so equal ids are interchangeable. */
  parts: Map<string, Record<string, unknown>>;
}

type Node = Record<string, unknown>;

/** Draft-07 keywords whose value is a map of subschemas, a subschema, or a list of subschemas. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "dependencies"]);
const SCHEMA_VALUES = new Set([
  "additionalProperties",
  "items",
  "additionalItems",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "items"]);
const LOCAL_DEFINITION = "#/definitions/";

/**
 * Splits a standalone draft-07 schema (local `#/definitions/<name>` refs only, no `$id`) into parts that
 * mean the same wherever they appear: a definition's id is the hash of its name and of every definition it
 * reaches (its own copy in another schema gets the same id only when all of that is identical), a large
 * subschema's id the hash of its JSON once its refs name parts. `undefined` for any other schema (an `$id`,
 * a ref into something other than a definition, a missing definition): it is compiled as it is.
 */
export function splitSchema(schema: Record<string, unknown>): SplitSchema | undefined {
  const definitions = isNode(schema.definitions) ? schema.definitions : {};
  const names = Object.keys(definitions);
  const direct = new Map<string, Set<string>>();
  const rootRefs = new Set<string>();
  const { definitions: _, ...rest } = schema;
  if (!collectRefs(rest, rootRefs, definitions)) return undefined;
  for (const name of names) {
    const refs = new Set<string>();
    if (!collectRefs(definitions[name], refs, definitions)) return undefined;
    direct.set(name, refs);
  }
  const texts = new Map(names.map((name) => [name, JSON.stringify(definitions[name])]));
  const definitionIds = new Map<string, string>();
  for (const name of names) {
    const reached = new Set([name]);
    const stack = [name];
    while (stack.length > 0) {
      for (const ref of direct.get(stack.pop()!)!) {
        if (!reached.has(ref)) {
          reached.add(ref);
          stack.push(ref);
        }
      }
    }
    const closure = [...reached].sort().map((n) => [n, texts.get(n)]);
    definitionIds.set(name, `${PART_ID_BASE}d/${hash(JSON.stringify([name, closure]))}`);
  }

  const parts = new Map<string, Node>();
  const rewriteChildren = (node: Node): Node => {
    const out: Node = {};
    for (const [key, value] of Object.entries(node)) {
      if (SCHEMA_MAPS.has(key) && isNode(value)) {
        const map: Node = {};
        // `dependencies` may also map to a list of property names, which is no schema
        for (const [k, v] of Object.entries(value)) map[k] = Array.isArray(v) ? v : rewrite(v);
        out[key] = map;
      } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
        out[key] = value.map(rewrite);
      } else if (SCHEMA_VALUES.has(key)) {
        out[key] = rewrite(value);
      } else if (key === "$ref" && typeof value === "string") {
        out[key] = definitionIds.get(value.slice(LOCAL_DEFINITION.length));
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  const rewrite = (node: unknown): unknown => {
    if (!isNode(node)) return node;
    const out = rewriteChildren(node);
    const text = JSON.stringify(out);
    if (text.length < MIN_PART_LENGTH) return out;
    const id = `${PART_ID_BASE}s/${hash(text)}`;
    parts.set(id, out);
    return { $ref: id };
  };
  for (const name of names) parts.set(definitionIds.get(name)!, rewriteChildren(definitions[name] as Node));
  return { root: rewriteChildren(rest), parts };
}

/**
 * Adds the `$ref` targets below `node` to `refs`; false when the schema cannot be split (an `$id` or
 * `$schema`, a ref that is not a local definition, a definition name JSON Pointer would escape).
 */
function collectRefs(node: unknown, refs: Set<string>, definitions: Node): boolean {
  if (!isNode(node)) return true;
  // an `$id` moves the base of refs; a nested `$schema` would pick a dialect for the part it starts
  if ("$id" in node || "$schema" in node) return false;
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref") {
      if (typeof value !== "string" || !value.startsWith(LOCAL_DEFINITION)) return false;
      const name = value.slice(LOCAL_DEFINITION.length);
      if (/[~/%]/.test(name) || !Object.hasOwn(definitions, name)) return false;
      refs.add(name);
    } else if (SCHEMA_MAPS.has(key) && isNode(value)) {
      for (const v of Object.values(value)) if (!collectRefs(v, refs, definitions)) return false;
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      for (const v of value) if (!collectRefs(v, refs, definitions)) return false;
    } else if (SCHEMA_VALUES.has(key) && !collectRefs(value, refs, definitions)) {
      return false;
    }
  }
  return true;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
