/** Small readers over plain YAML values (the built objects are plain data). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function field(value: unknown, ...keys: (string | number)[]): unknown {
  let v = value;
  for (const k of keys) {
    if (typeof k === "number") v = Array.isArray(v) ? v[k] : undefined;
    else v = isRecord(v) ? v[k] : undefined;
  }
  return v;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
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
