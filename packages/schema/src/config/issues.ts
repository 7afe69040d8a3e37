import { formatYamlPath, type YamlPath } from "@homeops/core";
import { closest, distance } from "fastest-levenshtein";
import type * as z from "zod";
import { type ConfigIssue, valueAt } from "./internal/issue.js";
import { DERIVED_KEYS } from "./types.js";

type ZodIssue = z.core.$ZodIssue;

/** Turns zod issues into rule-tagged config issues; `raw` is the parsed input (for "got …" messages). */
export function issuesFromZod(issues: readonly ZodIssue[], schema: z.ZodType, raw: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const where = path.length === 0 ? "the config" : formatYamlPath(path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = objectKeysAt(schema, path);
        for (const key of issue.keys) {
          if (DERIVED_KEYS.includes(key)) {
            out.push({
              ruleId: "config/derived-key",
              path: [...path, key],
              at: "key",
              message: `${formatYamlPath([...path, key])} is derived by homeops (see ClusterConfig.derived) and cannot be set; remove it`,
            });
            continue;
          }
          const suggestion = suggest(key, allowed);
          out.push({
            ruleId: "config/unknown-key",
            path: [...path, key],
            at: "key",
            message: `unknown key ${JSON.stringify(key)} in ${where}${suggestion ? ` — did you mean ${suggestion}?` : allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : ""}`,
          });
        }
        break;
      }
      case "invalid_type": {
        const value = valueAt(raw, path);
        if (value === undefined) {
          out.push({
            ruleId: "config/missing-field",
            path,
            at: "key",
            message: `${where} is required (${describeExpected(issue.expected)})`,
          });
        } else if (path.length === 1 && path[0] === "version") {
          out.push({
            ruleId: "config/unsupported-version",
            path,
            message: `version must be a number, got ${describeValue(value)}`,
          });
        } else {
          out.push({
            ruleId: "config/invalid-type",
            path,
            message: `${where} must be ${describeExpected(issue.expected)}, got ${describeValue(value)}`,
          });
        }
        break;
      }
      case "invalid_value": {
        const value = valueAt(raw, path);
        const options = issue.values.map((v) => String(v));
        const suggestion = typeof value === "string" ? suggest(value, options) : undefined;
        out.push({
          ruleId:
            path.length === 1 && path[0] === "version" ? "config/unsupported-version" : "config/invalid-enum",
          path,
          message: `${where} must be one of ${options.join(", ")}, got ${describeValue(value)}${suggestion ? ` — did you mean ${suggestion}?` : ""}`,
        });
        break;
      }
      case "too_small": {
        if (issue.origin === "array") {
          out.push({
            ruleId: "config/empty-list",
            path,
            message: `${where} needs at least ${issue.minimum} entry`,
          });
        } else {
          out.push({ ruleId: "config/invalid-type", path, message: `${where} must not be empty` });
        }
        break;
      }
      case "custom": {
        const params = (issue.params ?? {}) as { ruleId?: string; at?: "key" | "value" };
        out.push({
          ruleId: params.ruleId ?? "config/invalid-type",
          path,
          message: issue.message,
          ...(params.at ? { at: params.at } : {}),
        });
        break;
      }
      default:
        out.push({ ruleId: "config/invalid-type", path, message: `${where}: ${issue.message}` });
    }
  }
  return out;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    case "boolean":
      return "true or false";
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** The closest allowed name, also matching snake_case or case slips (`node_cidr` → `nodeCidr`). */
export function suggest(key: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  const exact = allowed.find((a) => norm(a) === norm(key));
  if (exact) return exact;
  const best = closest(key, [...allowed]);
  return distance(key, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** The parts of a zod 4 schema definition this walk reads. */
interface SchemaDef {
  type?: string;
  innerType?: unknown;
  in?: unknown;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
}

const defOf = (schema: unknown): SchemaDef | undefined =>
  (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** Strips optional/default/prefault/pipe wrappers. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let def = defOf(current); def; def = defOf(current)) {
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === "pipe") current = def.in;
    else break;
  }
  return current;
}

/** Keys of the object schema reached by `path` (through optional/default/array/record wrappers). */
export function objectKeysAt(schema: z.ZodType, path: YamlPath): string[] {
  let node: unknown = schema;
  for (const segment of path) {
    const def = defOf(unwrap(node));
    if (def?.type === "object") node = def.shape?.[String(segment)];
    else if (def?.type === "array") node = def.element;
    else if (def?.type === "record") node = def.valueType;
    else return [];
  }
  const def = defOf(unwrap(node));
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}
