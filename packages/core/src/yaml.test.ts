import { describe, expect, it } from "vitest";
import { UserError } from "./errors.js";
import { formatYamlPath, parseYaml } from "./yaml.js";

describe("parseYaml", () => {
  const text = ["cluster:", "  name: home", "nodes:", "  - name: k8s-0", "    address: 10.0.0.10", ""].join(
    "\n",
  );

  it("keeps the line and column of every node", () => {
    const [doc] = parseYaml(text, { file: "config.yaml" }).documents;
    expect(doc!.value).toEqual({
      cluster: { name: "home" },
      nodes: [{ name: "k8s-0", address: "10.0.0.10" }],
    });
    expect(doc!.locate(["nodes", 0, "address"])).toEqual({ line: 5, column: 14, exact: true });
    expect(doc!.locateKey(["nodes", 0, "address"])).toEqual({ line: 5, column: 5, exact: true });
    expect(doc!.locate(["cluster", "missing"])).toEqual({ line: 2, column: 3, exact: false });
  });

  it("parses every document of a stream", () => {
    const file = parseYaml("---\na: 1\n---\nb: 2\n", { file: "x.yaml" });
    expect(file.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(file.documents[1]!.locate(["b"]).line).toBe(4);
  });

  it("rejects duplicate keys with file:line:col", () => {
    expect(() => parseYaml("a: 1\nb: 2\na: 3\n", { file: "dup.yaml" })).toThrowError(
      expect.objectContaining({
        message: "invalid YAML: Map keys must be unique",
        location: { file: "dup.yaml", line: 3, column: 1 },
      }),
    );
    // several problems: each line names its own location
    expect(() => parseYaml("a: 1\na: 2\nb: [\n", { file: "two.yaml" })).toThrowError(
      /two\.yaml:2:1: Map keys must be unique\n {2}two\.yaml:4:1/,
    );
  });

  it("throws a UserError for broken syntax", () => {
    try {
      parseYaml("a: [1, 2\nb: 3\n", { file: "broken.yaml" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe("YAML_SYNTAX");
      expect((error as UserError).location?.file).toBe("broken.yaml");
    }
  });

  it("reads yes/on as booleans only in YAML 1.1 mode", () => {
    expect(parseYaml("a: yes\n", { file: "f" }).documents[0]!.value).toEqual({ a: "yes" });
    expect(parseYaml("a: yes\n", { file: "f", version: "1.1" }).documents[0]!.value).toEqual({ a: true });
  });
});

describe("formatYamlPath", () => {
  it("renders keys and indexes", () => {
    expect(formatYamlPath(["nodes", 2, "address"])).toBe("nodes[2].address");
    expect(formatYamlPath(["metadata", "annotations", "a.b/c"])).toBe('metadata.annotations["a.b/c"]');
  });
});

describe("parseYaml: the library's warnings", () => {
  it("never reach process warnings (a `{{ .X }}` template in a data file reads as a collection key)", () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on("warning", listener);
    const original = process.emitWarning;
    process.emitWarning = ((w: string | Error) => {
      warnings.push(String(w));
    }) as typeof process.emitWarning;
    try {
      const file = parseYaml("chat: {{ .TELEGRAM_CHAT_ID }}\n", { file: "config.yaml" });
      expect(file.documents).toHaveLength(1);
    } finally {
      process.emitWarning = original;
      process.off("warning", listener);
    }
    expect(warnings).toEqual([]);
  });
});
