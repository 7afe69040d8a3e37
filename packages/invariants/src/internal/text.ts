import type { YamlDocument, YamlPosition } from "@homeops/core";

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): YamlPosition {
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

export { entries, field, isRecord, list, str } from "@homeops/core";
