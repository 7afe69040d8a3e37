import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

// each import after resetModules is a new process as far as the parse cache knows: nothing in memory
async function freshParser() {
  vi.resetModules();
  return await import("./go-yaml.js");
}

const TEXT = `# a comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  annotations:
data:
  a: &a "1"
  b: *a
  flow: {x: , y}
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  ports:
    - port: 80
`;

type Parsed = ReturnType<Awaited<ReturnType<typeof freshParser>>["parseGoYaml"]>;

function snapshot(result: Parsed) {
  if (!result.ok) throw new Error("does not parse");
  return result.documents.map((d) => ({
    value: d.value,
    start: d.start(),
    at: d.locate(["data", "b"]),
    key: d.locateKey(["spec", "ports", 0, "port"]),
  }));
}

describe("the parse cache between runs", () => {
  it("restores an unchanged file's documents, with the same values, starts and positions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-parse-cache-"));
    const first = await freshParser();
    first.useParseCache(dir);
    const parsed = first.parseGoYaml(TEXT, "apps/app.yaml");
    const expected = snapshot(parsed);
    const empty = parsed.ok ? parsed.documents.map((d) => first.emptyValues(d)) : [];
    expect(empty[0]).toContainEqual(["metadata", "annotations"]);
    first.saveParseCache();
    expect(existsSync(join(dir, "parse.bin"))).toBe(true);

    const second = await freshParser();
    second.useParseCache(dir);
    const restored = second.parseGoYaml(TEXT, "apps/app.yaml");
    expect(second.parseCacheStats()).toMatchObject({ parses: 0, restored: 1 });
    expect(restored.ok && restored.documents.map((d) => second.emptyValues(d))).toEqual(empty);
    // values and starts come from the cache; a position inside a document parses the text again, once
    expect(restored.ok && restored.documents.map((d) => d.start())).toEqual(expected.map((e) => e.start));
    expect(snapshot(restored)).toEqual(expected);
    expect(second.parseCacheStats()).toMatchObject({ parses: 0, restored: 1 });

    // a changed text is parsed again; a kustomization file is kept like any other (a restored build reads none of its positions)
    second.parseGoYaml(`${TEXT}# changed\n`, "apps/app.yaml");
    second.parseGoYaml("resources: [app.yaml]\n", "apps/kustomization.yaml");
    second.saveParseCache();
    const third = await freshParser();
    third.useParseCache(dir);
    third.parseGoYaml("resources: [app.yaml]\n", "apps/kustomization.yaml");
    third.parseGoYaml(`${TEXT}# changed\n`, "apps/app.yaml");
    expect(third.parseCacheStats()).toMatchObject({ parses: 0, restored: 2 });
    third.parseGoYaml("resources: [app.yaml]\n# changed\n", "apps/kustomization.yaml");
    expect(third.parseCacheStats()).toMatchObject({ parses: 1, restored: 2 });
  });

  it("starts empty on a cache it cannot read, and a directory it cannot write only costs speed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-parse-cache-"));
    writeFileSync(join(dir, "parse.bin"), "not a cache");
    const parser = await freshParser();
    parser.useParseCache(dir);
    expect(parser.parseGoYaml(TEXT, "a.yaml").ok).toBe(true);
    expect(parser.parseCacheStats()).toMatchObject({ parses: 1, restored: 0 });
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const other = await freshParser();
    other.useParseCache(file);
    expect(other.parseGoYaml(TEXT, "a.yaml").ok).toBe(true);
    expect(() => other.saveParseCache()).not.toThrow();
  });
});
