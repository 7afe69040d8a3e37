import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "./errors.js";
import { formatYamlPath, loadYamlFile, parseYaml } from "./yaml.js";

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
        message: 'invalid YAML: Map keys must be unique: "a" is already defined at line 1',
        location: { file: "dup.yaml", line: 3, column: 1 },
      }),
    );
    // several problems: each line names its own location
    expect(() => parseYaml("a: 1\na: 2\nb: [\n", { file: "two.yaml" })).toThrowError(
      /two\.yaml:2:1: Map keys must be unique: "a" is already defined at line 1\n {2}two\.yaml:4:1/,
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

describe("YAML limits", () => {
  // the yaml package's own uniqueKeys check needs minutes for this mapping (quadratic): the timeout fails it
  it("finds a repeat in a 100k-key mapping in one pass (no quadratic unique-key check)", () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`key${i}: v${i}`);
    const text = `${lines.join("\n")}\n`;
    expect(Object.keys(parseYaml(text, { file: "big.yaml" }).documents[0]!.value as object)).toHaveLength(
      100_000,
    );
    expect(() => parseYaml(`${text}key7: again\n`, { file: "big.yaml" })).toThrowError(
      expect.objectContaining({
        message: 'invalid YAML: Map keys must be unique: "key7" is already defined at line 8',
        location: { file: "big.yaml", line: 100_001, column: 1 },
      }),
    );
  }, 120_000);

  it("keys are equal when their resolved scalars are (1 and '1' differ)", () => {
    expect(parseYaml('1: a\n"1": b\n', { file: "f" }).documents[0]!.value).toEqual({ 1: "b" });
    expect(() => parseYaml("1: a\n0x1: b\n", { file: "f" })).toThrowError(/"1" is already defined/);
  });

  it("refuses a billion laughs with file:line, as a user error", () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    try {
      parseYaml(`${levels.join("\n")}\n`, { file: "laughs.yaml" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({ code: "INPUT_LIMIT", location: { file: "laughs.yaml", line: 2 } });
      expect((error as UserError).message).toMatch(/billion laughs/);
    }
    // a few aliases are fine
    expect(parseYaml("a: &x [1]\nb: *x\n", { file: "f" }).documents[0]!.value).toEqual({ a: [1], b: [1] });
  });

  it("refuses a 50 MB file by its size before parsing it, naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-big-"));
    const path = join(dir, "huge.yaml");
    const line = `${"k".repeat(20)}: ${"v".repeat(40)}\n`;
    const handle = await open(path, "w");
    const chunk = Buffer.from(line.repeat(16_384));
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) await handle.write(chunk);
    await handle.close();
    await expect(loadYamlFile(path, { file: "huge.yaml" })).rejects.toMatchObject({
      code: "FILE_TOO_LARGE",
      message: expect.stringMatching(/^huge\.yaml: 50\.\d MiB is larger than the 8\.0 MiB limit/),
    });
    await rm(dir, { recursive: true, force: true });
  });
});

describe("YamlDocument.locate through aliases", () => {
  const text = [
    "defaults: &envFrom", // 1
    "  - secretRef:", // 2
    "      name: app-secret", // 3
    "base: &base", // 4
    "  image: nginx", // 5
    "spec:", // 6
    "  envFrom: *envFrom", // 7
    "  merged:", // 8
    "    <<: *base", // 9
    "    own: 1", // 10
  ].join("\n");
  const doc = parseYaml(text, { file: "a.yaml" }).documents[0]!;

  it("a path below an alias is located at the alias, exactly", () => {
    expect(doc.locate(["spec", "envFrom", 0, "secretRef", "name"])).toEqual({
      line: 7,
      column: 12,
      exact: true,
    });
    expect(doc.locateKey(["spec", "envFrom", 0, "secretRef", "name"])).toEqual({
      line: 7,
      column: 12,
      exact: true,
    });
    // the alias node itself
    expect(doc.locate(["spec", "envFrom"])).toEqual({ line: 7, column: 12, exact: true });
  });

  it("a key brought in by a merge key is located at its alias; the mapping's own keys stay where they are", () => {
    expect(doc.locate(["spec", "merged", "image"])).toEqual({ line: 9, column: 9, exact: true });
    expect(doc.locate(["spec", "merged", "own"])).toEqual({ line: 10, column: 10, exact: true });
  });

  it("a path that does not exist below an alias falls back to the alias, not exactly", () => {
    expect(doc.locate(["spec", "envFrom", 5])).toEqual({ line: 7, column: 12, exact: false });
  });

  it("the anchor's own document position is unchanged", () => {
    expect(doc.locate(["defaults", 0, "secretRef", "name"])).toEqual({ line: 3, column: 13, exact: true });
  });
});
