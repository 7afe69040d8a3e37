import type { BuiltObject, ObjectPath, RepoGraph, SourcePosition } from "@homeops/manifests";
import type { RepoFiles } from "../repo-files.js";
import { documentAtLine, isRecord } from "./text.js";

/**
 * Visits every value of `value` (depth first, parents before children) with its path, skipping a top-level
 * `status` and `sops`. `path` is one array, changed as the walk goes on: valid during the call, copy it
 * (`[...path]`) to keep it (an object per visited value was most of the rules' garbage).
 */
export function walkValues(
  value: unknown,
  visit: (value: unknown, path: readonly (string | number)[]) => void,
): void {
  const path: (string | number)[] = [];
  const walk = (v: unknown): void => {
    visit(v, path);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i]);
        path.pop();
      }
    } else if (isRecord(v)) {
      for (const k of Object.keys(v)) {
        if (path.length === 0 && (k === "status" || k === "sops")) continue;
        path.push(k);
        walk(v[k]);
        path.pop();
      }
    }
  };
  walk(value);
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
