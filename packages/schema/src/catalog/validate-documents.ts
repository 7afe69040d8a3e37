import { parseYaml, type YamlPosition } from "@homeops/core";
import type { SchemaCatalog } from "./schema-catalog.js";
import { type ObjectVerdict, type ValidateObjectOptions, validateObject } from "./validate-object.js";

/** Verdict for one YAML document, with source positions for the document and each violation. */
export interface DocumentVerdict extends ObjectVerdict {
  file: string;
  /** 0-based document index in the file */
  index: number;
  kind?: string;
  apiVersion?: string;
  name?: string;
  namespace?: string;
  /** position of the document start */
  position: YamlPosition;
  /** position of each violation, same order as `violations` */
  positions: YamlPosition[];
}

export interface ValidateDocumentsOptions extends ValidateObjectOptions {
  /** File name shown in results. */
  file: string;
}

/**
 * Validates every document of a YAML text (plain manifests, no kustomize). Empty documents are ignored;
 * a YAML syntax problem throws the `UserError` of `parseYaml`.
 */
export async function validateDocuments(
  catalog: SchemaCatalog,
  text: string,
  options: ValidateDocumentsOptions,
): Promise<DocumentVerdict[]> {
  const parsed = parseYaml(text, { file: options.file });
  const out: DocumentVerdict[] = [];
  for (const doc of parsed.documents) {
    if (doc.value === null || doc.value === undefined) continue;
    const verdict = await validateObject(catalog, doc.value, options);
    const value = (typeof doc.value === "object" ? doc.value : {}) as Record<string, unknown>;
    const metadata = (
      typeof value.metadata === "object" && value.metadata !== null ? value.metadata : {}
    ) as Record<string, unknown>;
    out.push({
      ...verdict,
      file: options.file,
      index: doc.index,
      ...(typeof value.kind === "string" ? { kind: value.kind } : {}),
      ...(typeof value.apiVersion === "string" ? { apiVersion: value.apiVersion } : {}),
      ...(typeof metadata.name === "string" ? { name: metadata.name } : {}),
      ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
      position: doc.start(),
      positions: verdict.violations.map((v) => {
        const at = v.keyword === "additionalProperties" ? doc.locateKey(v.path) : doc.locate(v.path);
        return { line: at.line, column: at.column };
      }),
    });
  }
  return out;
}
