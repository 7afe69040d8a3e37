import { isRecord, str as text } from "@homeops/core";

export { field, isRecord, list } from "@homeops/core";

/** A string, or a number as written in YAML (`version: 1.2`, `tag: 20`), as text. */
export function str(value: unknown): string | undefined {
  return typeof value === "number" ? String(value) : text(value);
}

/** Calls `visit` for every value under `value` with its path. */
export function walk(
  value: unknown,
  visit: (v: unknown, path: (string | number)[]) => void,
  path: (string | number)[] = [],
): void {
  visit(value, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], visit, [...path, i]);
  } else if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(v, visit, [...path, k]);
}
