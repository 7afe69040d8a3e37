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

function pick(at: YamlPosition): YamlPosition {
  return { line: at.line, column: at.column };
}

export interface ValidateDocumentsOptions extends ValidateObjectOptions {
  /** File name shown in results. */
  file: string;
}

/**
 * Validates every document of a YAML text (plain manifests, no kustomize); a `kind: List` document is
 * validated item by item, as kubeconform does. Empty documents are ignored;
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
    const value = doc.value as Record<string, unknown>;
    // like kubeconform, a `kind: List` stands for its items
    const targets: { object: unknown; prefix: (string | number)[] }[] =
      typeof value === "object" && value.kind === "List" && Array.isArray(value.items)
        ? value.items.map((item, i) => ({ object: item, prefix: ["items", i] }))
        : [{ object: value, prefix: [] }];
    for (const { object, prefix } of targets) {
      const verdict = await validateObject(catalog, object, options);
      const record = (typeof object === "object" && object !== null ? object : {}) as Record<string, unknown>;
      const metadata = (
        typeof record.metadata === "object" && record.metadata !== null ? record.metadata : {}
      ) as Record<string, unknown>;
      out.push({
        ...verdict,
        file: options.file,
        index: doc.index,
        ...(typeof record.kind === "string" ? { kind: record.kind } : {}),
        ...(typeof record.apiVersion === "string" ? { apiVersion: record.apiVersion } : {}),
        ...(typeof metadata.name === "string" ? { name: metadata.name } : {}),
        ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
        position: prefix.length === 0 ? doc.start() : pick(doc.locate(prefix)),
        positions: verdict.violations.map((v) => {
          const path = [...prefix, ...v.path];
          return pick(v.keyword === "additionalProperties" ? doc.locateKey(path) : doc.locate(path));
        }),
      });
    }
  }
  return out;
}
