import type { YamlDocument } from "@homeops/core";

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Index of the document of `documents` that contains `line` (the last one starting at or before it). */
export function documentAtLine(documents: readonly YamlDocument[], line: number): number {
  let found = 0;
  for (let i = 0; i < documents.length; i++) {
    if (documents[i]!.start().line <= line) found = i;
  }
  return found;
}

/** true for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value[key]` when `value` is a record, else undefined. */
export function field(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isRecord(current)) return undefined;
      current = current[key];
    }
  }
  return current;
}

/** `value` when it is a string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** `value` when it is an array, else `[]`. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Entries of `value` when it is a record, else `[]`. */
export function entries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}
