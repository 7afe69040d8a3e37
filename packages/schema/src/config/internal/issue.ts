import type { YamlPath } from "@homeops/core";

/** A problem before it gets a location: the rule, the path of the offending value, the message. */
export interface ConfigIssue {
  ruleId: string;
  path: YamlPath;
  message: string;
  /** point at the key at `path` instead of its value (unknown keys, missing fields, whole sections) */
  at?: "key" | "value";
}

/** Reads the value at `path` of a plain JS value; `undefined` when any step is missing. */
export function valueAt(root: unknown, path: YamlPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
