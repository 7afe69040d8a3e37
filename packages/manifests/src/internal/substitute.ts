// Flux post-build substitution (fluxcd/pkg/kustomize kustomize_varsub.go) on the object model.
// Flux serializes each object to YAML, runs envsubst over the text and parses it back with YAML 1.1
// rules; so a plain scalar such as `${REPLICAS}` becomes a number after substitution while a string
// the serializer must quote (or a multi-line one) stays a string. We substitute per scalar and
// re-type exactly the scalars the serializer would have written plain.
import * as yaml from "yaml";
import { EnvsubstError, evalEnvsubst, InvalidUtf8Error, UnsetVariableError } from "./envsubst.js";
import { parseYaml11Value } from "./go-yaml.js";
import { isObj, type Obj } from "./res.js";

export const SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute";
const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
/** Most `${` one string may hold: real values hold a handful; the evaluator recurses per expression. */
export const MAX_SUBSTITUTIONS_PER_STRING = 1000;
/** Longest string a substitution may produce (a few variables repeated can multiply the input). */
export const MAX_SUBSTITUTED_LENGTH = 8 * 1024 * 1024;

export interface SubstitutionError {
  message: string;
  /** Path of the field whose text failed, when known. */
  path?: (string | number)[];
  variable?: string;
  kind: "undefined-variable" | "syntax" | "invalid-name" | "yaml" | "limit";
}

export function isSubstitutionDisabled(o: Obj): boolean {
  const m = isObj(o.metadata) ? o.metadata : {};
  const labels = isObj(m.labels) ? m.labels : {};
  const annotations = isObj(m.annotations) ? m.annotations : {};
  return labels[SUBSTITUTE_KEY] === "disabled" || annotations[SUBSTITUTE_KEY] === "disabled";
}

export function invalidVariableNames(vars: Record<string, string>): string[] {
  return Object.keys(vars).filter((k) => !VAR_NAME.test(k));
}

function isPlain(s: string): boolean {
  if (s.includes("\n")) return false;
  const out = yaml.stringify(s, { lineWidth: 0 });
  return !/^["'|>!]/.test(out);
}

function retype(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const parsed = parseYaml11Value(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if ((isObj(value) || Array.isArray(value)) && !/^\s*[[{]/.test(text)) {
    return { ok: false, message: `mapping values are not allowed in this context: ${JSON.stringify(text)}` };
  }
  return { ok: true, value };
}

/**
 * Substitutes `${…}` in every key and string value of `o` (a fresh object is returned). Collects every
 * error instead of stopping at the first.
 */
export function substituteObject(
  o: Obj,
  vars: Record<string, string>,
  strict: boolean,
): { value: Obj; errors: SubstitutionError[] } {
  const errors: SubstitutionError[] = [];
  const mapping = (name: string): [string, boolean] => {
    if (Object.hasOwn(vars, name)) return [vars[name]!, true];
    return strict ? ["", false] : ["", true];
  };
  // one path stack for the whole walk; an error keeps a copy of it
  const path: (string | number)[] = [];
  const subst = (s: string): string | undefined => {
    if (!s.includes("$")) return s;
    const expressions = s.split("${").length - 1;
    if (expressions > MAX_SUBSTITUTIONS_PER_STRING) {
      errors.push({
        kind: "limit",
        message: `${expressions} substitutions in one value (more than ${MAX_SUBSTITUTIONS_PER_STRING}): refused`,
        path: [...path],
      });
      return undefined;
    }
    try {
      const out = evalEnvsubst(s, mapping);
      if (out.length > MAX_SUBSTITUTED_LENGTH) {
        errors.push({
          kind: "limit",
          message: `substitution makes a value of ${out.length} characters (more than ${MAX_SUBSTITUTED_LENGTH}): refused`,
          path: [...path],
        });
        return undefined;
      }
      return out;
    } catch (e) {
      if (e instanceof RangeError) {
        // nesting deep enough to exhaust the stack, or a result longer than a string can be
        errors.push({
          kind: "limit",
          message: `substitution too large to evaluate (${e.message})`,
          path: [...path],
        });
        return undefined;
      }
      if (e instanceof UnsetVariableError) {
        errors.push({
          kind: "undefined-variable",
          message: e.message,
          variable: e.variable,
          path: [...path],
        });
      } else if (e instanceof InvalidUtf8Error) {
        errors.push({ kind: "yaml", message: `YAMLToJSON: ${e.message}`, path: [...path] });
      } else if (e instanceof EnvsubstError) {
        errors.push({ kind: "syntax", message: `${e.message} in ${JSON.stringify(s)}`, path: [...path] });
      } else throw e;
      return undefined;
    }
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      const out = subst(v);
      if (out === undefined || out === v) return v;
      if (!isPlain(v)) return out;
      const typed = retype(out);
      if (typed.ok && typeof typed.value === "number" && !Number.isFinite(typed.value)) {
        errors.push({
          kind: "yaml",
          message: `json: unsupported value: ${typed.value} (from ${JSON.stringify(out)})`,
          path: [...path],
        });
        return out;
      }
      if (!typed.ok) {
        errors.push({ kind: "yaml", message: `YAMLToJSON: ${typed.message}`, path: [...path] });
        return out;
      }
      return typed.value;
    }
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        out[i] = walk(v[i]);
        path.pop();
      }
      return out;
    }
    if (isObj(v)) {
      const out: Obj = {};
      for (const [key, value] of Object.entries(v)) {
        path.push(key);
        const k = subst(key) ?? key;
        out[k] = walk(value);
        path.pop();
      }
      return out;
    }
    return v;
  };
  return { value: walk(o) as Obj, errors };
}
