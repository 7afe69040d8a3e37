// Shared parts and the precompiled catalog must not change a verdict: every corpus object (and mutants of
// the valid ones) gets the same result and the same errors from them as from its schema compiled whole by
// an ajv of its own, the way validators were compiled before parts were shared.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYaml } from "@homeops/core";
import type { ErrorObject, ValidateFunction } from "ajv";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import {
  loadCatalogManifest,
  SchemaCatalog,
  saveValidatorCodeCache,
  writePrecompiledCatalog,
} from "./schema-catalog.js";
import { builtinCatalogDir } from "./schema-location.js";
import { splitSchema } from "./shared-subschemas.js";

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => void;
const corpus = join(import.meta.dirname, "../../test/fixtures/kubeconform-corpus");

/** The schema compiled whole, by a fresh ajv with the validator's options. */
function compileAlone(schema: Record<string, unknown>): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true });
  addFormats(ajv, ["date-time"]);
  const { $schema: _, ...rest } = schema;
  return ajv.compile(rest);
}

/** What a verdict is made of: the result and every error (not where in the schema it was raised). */
function outcome(validate: ValidateFunction, object: unknown): { valid: boolean; errors: string[] } {
  const valid = validate(object) as boolean;
  const errors = (validate.errors ?? []).map((e: ErrorObject) =>
    JSON.stringify([e.instancePath, e.keyword, e.params, e.message]),
  );
  return { valid, errors: errors.sort() };
}

/** Unknown-field, wrong-type and bad-value variants of an object, at most `limit` of each. */
function mutants(object: Record<string, unknown>, limit: number): unknown[] {
  const objects: Record<string, unknown>[] = [];
  const scalars: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) {
        if (v !== null && typeof v === "object") walk(v);
        else scalars.push([node, i]);
      }
    } else if (node !== null && typeof node === "object") {
      objects.push(node as Record<string, unknown>);
      for (const [k, v] of Object.entries(node)) {
        if (v !== null && typeof v === "object") walk(v);
        else scalars.push([node as Record<string, unknown>, k]);
      }
    }
  };
  walk(object);
  const spread = <T>(all: T[]) =>
    all.length <= limit
      ? all
      : Array.from({ length: limit }, (_, i) => all[Math.floor((i * all.length) / limit)]!);
  const out: unknown[] = [];
  const variant = (apply: () => () => void) => {
    const undo = apply();
    out.push(structuredClone(object));
    undo();
  };
  for (const node of spread(objects)) {
    variant(() => {
      node.zzUnknown = "x";
      return () => delete node.zzUnknown;
    });
  }
  for (const [parent, key] of spread(scalars)) {
    const record = parent as Record<string | number, unknown>;
    const before = record[key];
    for (const value of [
      { not: "a scalar" },
      typeof before === "string" ? "not valid ~ 10 minutes" : "12",
      null,
    ]) {
      variant(() => {
        record[key] = value;
        return () => {
          record[key] = before;
        };
      });
    }
  }
  return out;
}

function corpusObjects(): Record<string, unknown>[] {
  return ["valid.yaml", "valid-more.yaml", "valid-crds.yaml", "invalid.yaml"].flatMap((file) =>
    parseYaml(readFileSync(join(corpus, file), "utf8"), { file })
      .documents.map((d) => d.value as Record<string, unknown>)
      .filter((o) => o !== null && typeof o === "object" && typeof o.kind === "string"),
  );
}

describe("shared parts and the precompiled catalog", () => {
  const manifest = loadCatalogManifest();
  const objects = corpusObjects();
  const keyOf = (o: Record<string, unknown>) => `${String(o.apiVersion)}/${String(o.kind)}`;
  // the corpus' kinds plus the PodSpec-embedding built-ins, which share the most
  const kinds = [
    ...new Set([
      ...objects.map(keyOf),
      "apps/v1/DaemonSet",
      "apps/v1/ReplicaSet",
      "batch/v1/Job",
      "v1/Pod",
      "v1/PodTemplate",
    ]),
  ]
    .filter((k) => manifest.schemas[k] !== undefined)
    .sort();
  const schemaOf = (kind: string) =>
    JSON.parse(readFileSync(join(builtinCatalogDir(), manifest.schemas[kind]!), "utf8")) as Record<
      string,
      unknown
    >;

  // every kind compiled twice (precompiled and fresh): 13–18 s on an idle 2-core machine, over 20 s on a busy one
  it("give every object the verdict and errors of a fresh per-schema compile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-precompiled-"));
    writePrecompiledCatalog(dir, { kinds });
    expect(readdirSync(dir).length).toBeGreaterThan(20); // a module per API group
    const shared = new SchemaCatalog({ precompiled: false });
    const precompiled = new SchemaCatalog({ precompiled: dir });
    let checked = 0;
    let invalid = 0;
    for (const kind of kinds) {
      const alone = compileAlone(schemaOf(kind));
      const slash = kind.lastIndexOf("/");
      const split = await shared.lookup(kind.slice(0, slash), kind.slice(slash + 1));
      const pre = await precompiled.lookup(kind.slice(0, slash), kind.slice(slash + 1));
      if (split.found !== true || pre.found !== true) throw new Error(`${kind}: no schema`);
      // ajv's own functions carry their schema; standalone (precompiled) ones do not
      expect(split.schema.validate.schema, kind).toBeDefined();
      expect(pre.schema.validate.schema, kind).toBeUndefined();
      const own = objects.filter((o) => keyOf(o) === kind);
      const base =
        own.length > 0
          ? own
          : [
              {
                apiVersion: kind.slice(0, slash),
                kind: kind.slice(slash + 1),
                metadata: { name: "x" },
                spec: {},
              },
            ];
      for (const object of [...base, ...base.flatMap((o) => mutants(o, 25))]) {
        const expected = outcome(alone, object);
        expect(outcome(split.schema.validate, object), `${kind} ${JSON.stringify(object)}`).toEqual(expected);
        expect(outcome(pre.schema.validate, object), `${kind} ${JSON.stringify(object)}`).toEqual(expected);
        checked++;
        if (!expected.valid) invalid++;
      }
    }
    expect(kinds.length).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(1000);
    expect(checked - invalid).toBeGreaterThan(50);
  }, 120_000);

  it("load a precompiled module with V8's code cache, named by the module's hash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-precompiled-"));
    const cacheDir = join(dir, "cache");
    writePrecompiledCatalog(join(dir, "a"), { kinds: ["apps/v1/Deployment"] });
    cpSync(join(dir, "a"), join(dir, "b"), { recursive: true });
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: "2" },
    };
    const verdictWith = async (module: string) => {
      const lookup = await new SchemaCatalog({ precompiled: module, cacheDir }).lookup(
        "apps/v1",
        "Deployment",
      );
      if (lookup.found !== true) throw new Error("no schema");
      expect(lookup.schema.validate.schema).toBeUndefined();
      return outcome(lookup.schema.validate, deployment);
    };
    const first = await verdictWith(join(dir, "a"));
    saveValidatorCodeCache();
    const [codeCache, ...others] = readdirSync(cacheDir);
    expect(codeCache).toMatch(/^catalog-[0-9a-f]{64}\..*\.v8$/);
    expect(others).toEqual([]);
    const written = statSync(join(cacheDir, codeCache!)).mtimeMs;
    // the same module elsewhere: loaded with that cache, which V8 accepts (so it is not written again)
    expect(await verdictWith(join(dir, "b"))).toEqual(first);
    saveValidatorCodeCache();
    expect(statSync(join(cacheDir, codeCache!)).mtimeMs).toBe(written);
    expect(first.valid).toBe(false);
  });

  it("share a definition only where its name and everything it reaches are identical", async () => {
    const withoutDialect = ({ $schema: _, ...rest }: Record<string, unknown>) => rest;
    const pod = splitSchema(withoutDialect(schemaOf("v1/Pod")))!;
    const deployment = splitSchema(withoutDialect(schemaOf("apps/v1/Deployment")))!;
    const common = [...pod.parts.keys()].filter((id) => deployment.parts.has(id));
    expect(common.length).toBeGreaterThan(100); // PodSpec and all it reaches

    // two kinds whose `Port` definitions differ only below a definition they both name `Number`
    const kind = (name: string, number: unknown) => ({
      type: "object",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        port: { $ref: "#/definitions/Port" },
      },
      definitions: {
        Port: { type: "object", properties: { number: { $ref: "#/definitions/Number" } } },
        Number: number,
      },
      title: name,
    });
    const dir = mkdtempSync(join(tmpdir(), "homeops-parts-"));
    mkdirSync(join(dir, "example.com"));
    writeFileSync(
      join(dir, "example.com/a-example.com-v1.json"),
      JSON.stringify(kind("a", { type: "integer" })),
    );
    writeFileSync(
      join(dir, "example.com/b-example.com-v1.json"),
      JSON.stringify(kind("b", { type: "string" })),
    );
    const catalog = new SchemaCatalog({
      locations: [join(dir, "{{.Group}}/{{.ResourceKind}}-{{.Group}}-{{.ResourceAPIVersion}}.json")],
    });
    const a = await catalog.lookup("example.com/v1", "A");
    const b = await catalog.lookup("example.com/v1", "B");
    if (a.found !== true || b.found !== true) throw new Error("no schema");
    expect(a.schema.validate({ port: { number: 80 } })).toBe(true);
    expect(a.schema.validate({ port: { number: "http" } })).toBe(false);
    expect(b.schema.validate({ port: { number: "http" } })).toBe(true);
    expect(b.schema.validate({ port: { number: 80 } })).toBe(false);
  });

  it("leave a schema with an $id or a ref outside its definitions whole", () => {
    expect(splitSchema({ $id: "https://example.com/x.json", type: "object" })).toBeUndefined();
    expect(
      splitSchema({ properties: { a: { $ref: "#/properties/b" }, b: { type: "string" } } }),
    ).toBeUndefined();
    expect(splitSchema({ properties: { a: { $ref: "other.json" } } })).toBeUndefined();
    expect(splitSchema({ properties: { a: { $ref: "#/definitions/missing" } } })).toBeUndefined();
  });
});
