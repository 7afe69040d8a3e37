import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { fixtureExpectations as expectations } from "./internal/fixture-expectations.js";
import { configRule, configRules } from "./rules.js";
import { validateClusterConfig } from "./validate.js";

const fixtures = new URL("../../test/fixtures/config/", import.meta.url);
const read = (dir: string, name: string) => readFileSync(new URL(`${dir}/${name}`, fixtures), "utf8");
const yamlFiles = (dir: string) =>
  readdirSync(new URL(`${dir}/`, fixtures))
    .filter((f) => f.endsWith(".yaml"))
    .sort();

describe("invalid fixtures: each reports its rule at the marked line, and nothing else", () => {
  for (const name of yamlFiles("invalid")) {
    test(name, () => {
      const text = read("invalid", name);
      const expected = expectations(text);
      expect(expected.length, "fixture has no `# expect:` marker").toBeGreaterThan(0);
      const result = validateClusterConfig(text, { file: name });
      const got = result.findings.map((f) => ({ ruleId: f.ruleId, line: f.line }));
      for (const e of expected) expect(got).toContainEqual(e);
      const unexpected = result.findings.filter(
        (f) => !expected.some((e) => e.ruleId === f.ruleId && e.line === f.line),
      );
      expect(unexpected).toEqual([]);
      for (const f of result.findings) {
        expect(f.file).toBe(name);
        expect(f.column).toBeGreaterThan(0);
        expect(f.message).not.toMatch(/undefined|\[object Object\]/);
      }
      expect(result.ok).toBe(!expected.some((e) => configRule(e.ruleId).severity === "error"));
    });
  }

  test("every rule has a fixture named after it", () => {
    const names = new Set(yamlFiles("invalid").map((f) => `config/${f.split(".")[0]}`));
    expect(configRules.map((r) => r.id).filter((id) => !names.has(id))).toEqual([]);
    expect(names.size).toBeGreaterThanOrEqual(25);
  });
});

describe("valid fixtures resolve to the expected defaulted config", () => {
  const files = yamlFiles("valid");
  test("there are at least 8", () => expect(files.length).toBeGreaterThanOrEqual(8));
  for (const name of files) {
    test(name, async () => {
      const result = validateClusterConfig(read("valid", name), { file: name });
      const errors = result.findings.filter((f) => f.severity === "error");
      expect(errors).toEqual([]);
      if (!name.startsWith("v0-")) expect(result.findings).toEqual([]);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      await expect(`${JSON.stringify(result.value, null, 2)}\n`).toMatchFileSnapshot(
        `../../test/fixtures/config/valid/${name.replace(/\.yaml$/, ".resolved.json")}`,
      );
    });
  }

  test("the version 0 fixture resolves like its version 1 twin apart from sourceVersion", () => {
    const v0 = validateClusterConfig(read("valid", "v0-migrated.yaml"), { file: "v0.yaml" });
    const v1Text = read("invalid", "multiple-documents.yaml").split("---\n")[0]!;
    const v1 = validateClusterConfig(v1Text, { file: "v1.yaml" });
    expect(v0.ok && v1.ok).toBe(true);
    if (!v0.ok || !v1.ok) return;
    expect(v0.value.derived.sourceVersion).toBe(0);
    expect({ ...v0.value, derived: { ...v0.value.derived, sourceVersion: 1 } }).toEqual(v1.value);
  });
});

describe("bootstrap/config.sample.yaml", () => {
  const bootstrap = new URL("../../../../bootstrap/", import.meta.url);
  const sample = readFileSync(new URL("config.sample.yaml", bootstrap), "utf8");

  test("is identical to bootstrap/config.yaml", () => {
    expect(readFileSync(new URL("config.yaml", bootstrap), "utf8")).toBe(sample);
  });

  test("points editors at the shipped JSON Schema", () => {
    expect(sample.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../packages/schema/config.schema.json",
    );
  });

  test("is valid and resolves to the expected config", async () => {
    const result = validateClusterConfig(sample, { file: "bootstrap/config.sample.yaml" });
    expect(result.findings).toEqual([]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    await expect(`${JSON.stringify(result.value, null, 2)}\n`).toMatchFileSnapshot(
      "../../test/fixtures/config/sample.resolved.json",
    );
  });
});

test("the README documents every rule", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  expect(configRules.filter((r) => !readme.includes(`| \`${r.id}\` |`)).map((r) => r.id)).toEqual([]);
});
