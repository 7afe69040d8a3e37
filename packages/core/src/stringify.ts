import { Document } from "yaml";

export interface StringifyYamlOptions {
  /** Sort map keys alphabetically. Default `false`: keys keep insertion order, which is deterministic. */
  sortKeys?: boolean;
}

/**
 * The one YAML stringifier: 2-space indent, no line folding, no anchors, trailing newline.
 * Same input ⇒ byte-identical output.
 */
export function stringifyYaml(value: unknown, options: StringifyYamlOptions = {}): string {
  // YAML 1.1 quoting rules: `on`, `Yes`, `1:20`, `0644`… stay strings for Go readers (sigs.k8s.io/yaml) too
  const doc = new Document(value, {
    version: "1.1",
    aliasDuplicateObjects: false,
    sortMapEntries: options.sortKeys ?? false,
  });
  return doc.toString({
    indent: 2,
    indentSeq: true,
    lineWidth: 0,
    minContentWidth: 0,
    nullStr: "null",
    trueStr: "true",
    falseStr: "false",
  });
}

/** Several documents, each introduced by `---`. */
export function stringifyYamlDocuments(
  values: readonly unknown[],
  options: StringifyYamlOptions = {},
): string {
  return values.map((value) => `---\n${stringifyYaml(value, options)}`).join("");
}
