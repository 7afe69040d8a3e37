// What every stage of a kustomize build shares: the kustomization being built, positions, findings.
import { type Finding, parseYaml, type YamlDocument } from "@homeops/core";
import type { SourcePosition } from "../../types.js";
import type { Obj } from "../res.js";

/** One kustomization file (or the one Flux generates) of a build. */
export interface Kustomization {
  dir: string;
  file: string;
  doc: YamlDocument;
  k: Obj;
  generated: boolean;
}

export function posKey(doc: YamlDocument, path: (string | number)[]): SourcePosition {
  return lazyPosition(doc.file, () => doc.locateKey(path));
}

export function pos(doc: YamlDocument, path: (string | number)[]): SourcePosition {
  return lazyPosition(doc.file, () => doc.locate(path));
}

/**
 * A position worked out when its line or column is first read: most entries' positions are only read
 * for a finding, and locating inside a restored parse means parsing its text again.
 */
function lazyPosition(file: string, locate: () => { line: number; column: number }): SourcePosition {
  let at: { line: number; column: number } | undefined;
  return {
    file,
    get line() {
      at ??= locate();
      return at.line;
    },
    get column() {
      at ??= locate();
      return at.column;
    },
  };
}

export function err(ruleId: string, message: string, at?: SourcePosition, hint?: string): Finding {
  return {
    ruleId,
    severity: "error",
    message,
    ...(at ? { file: at.file, line: at.line, column: at.column } : {}),
    ...(hint ? { hint } : {}),
  };
}

export function asStringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

export function syntheticDoc(file: string): YamlDocument {
  // A generated kustomization has no file; findings about it point at the directory, line 1.
  return parseYaml("{}", { file }).documents[0]!;
}
