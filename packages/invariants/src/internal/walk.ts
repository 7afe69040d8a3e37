import type { BuiltObject, ObjectPath, RepoGraph, SourcePosition } from "@homeops/manifests";
import type { RepoFiles } from "../repo-files.js";
import { documentAtLine, isRecord } from "./text.js";

/** Calls `visit` for every value of a plain object tree with its path (status is skipped). */
export function walkValues(
  value: unknown,
  visit: (value: unknown, path: (string | number)[]) => void,
  path: (string | number)[] = [],
): void {
  visit(value, path);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walkValues(v, visit, [...path, i]);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (path.length === 0 && (k === "status" || k === "sops")) continue;
      walkValues(v, visit, [...path, k]);
    }
  }
}

/**
 * Position of the map key at `path` of a built object, read from its source document when the path exists
 * there; else the object's own `locate` (which points at values).
 */
export function locateKey(
  graph: RepoGraph,
  files: RepoFiles,
  object: BuiltObject,
  path: ObjectPath,
): SourcePosition {
  const fallback = object.locate(path);
  const parsed = graph.files.get(fallback.file) ?? files.yaml(fallback.file);
  if (!parsed) return fallback;
  const doc = parsed.documents[documentAtLine(parsed.documents, object.provenance.line)];
  if (!doc) return fallback;
  const at = doc.locateKey(path);
  return at.exact ? { file: fallback.file, line: at.line, column: at.column } : fallback;
}

/** true for a name that is still a template (Helm `{{ }}` or an unsubstituted `${}`). */
export function isTemplated(name: string): boolean {
  return name.includes("{{") || name.includes("${");
}
