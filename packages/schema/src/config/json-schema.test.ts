import { readdirSync, readFileSync } from "node:fs";
import { parseYaml } from "@homeops/core";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, test } from "vitest";
import { fixtureExpectations as expectations } from "./internal/fixture-expectations.js";
import { createConfigJsonSchema, serializeConfigJsonSchema } from "./json-schema.js";
import { configRule } from "./rules.js";

const schemaFile = new URL("../../config.schema.json", import.meta.url);
const fixtures = new URL("../../test/fixtures/config/", import.meta.url);
const committed = JSON.parse(readFileSync(schemaFile, "utf8")) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(committed);
const firstDocument = (text: string, file: string) => parseYaml(text, { file }).documents[0]?.value;
const yamlFiles = (dir: string) =>
  readdirSync(new URL(`${dir}/`, fixtures)).filter((f) => f.endsWith(".yaml"));

test("config.schema.json is up to date", () => {
  expect(
    readFileSync(schemaFile, "utf8"),
    "packages/schema/config.schema.json is stale: run `pnpm --filter @homeops/schema generate:config-schema` and commit the result",
  ).toBe(serializeConfigJsonSchema(createConfigJsonSchema()));
});

test("is draft 2020-12 and compiles in ajv strict mode", () => {
  expect(committed.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  expect(typeof validate).toBe("function");
});

test("accepts the sample config", () => {
  const sample = readFileSync(new URL("../../../../bootstrap/config.sample.yaml", import.meta.url), "utf8");
  expect(validate(firstDocument(sample, "config.sample.yaml")), JSON.stringify(validate.errors)).toBe(true);
});

describe("accepts every valid fixture of the current version", () => {
  for (const name of yamlFiles("valid").filter((f) => !f.startsWith("v0-"))) {
    test(name, () => {
      const value = firstDocument(readFileSync(new URL(`valid/${name}`, fixtures), "utf8"), name);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    });
  }
});

describe("rejects an invalid fixture exactly when it breaks a rule JSON Schema can express", () => {
  for (const name of yamlFiles("invalid")) {
    const text = readFileSync(new URL(`invalid/${name}`, fixtures), "utf8");
    const expressible = expectations(text).some((e) => configRule(e.ruleId).jsonSchema);
    test(`${name} (${expressible ? "rejected" : "accepted"})`, () => {
      expect(validate(firstDocument(text, name)), JSON.stringify(validate.errors)).toBe(!expressible);
    });
  }
});
