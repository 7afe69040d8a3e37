import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateClusterConfig } from "@homeops/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { haveOracle, v113 } from "./internal/oracle.testkit.js";
import { renderNodeConfig, talosModelFromConfig } from "./model.js";
import { generateSecretsBundle, parseSecretsBundle, type SecretsBundle } from "./secrets.js";
import { talosRules, validateMachineConfig } from "./validate.js";

const rulesDir = new URL("../test/fixtures/rules/", import.meta.url);
const readRule = (f: string) => readFileSync(new URL(f, rulesDir), "utf8");
const expect_ = { apiVip: "10.10.0.20", endpoint: "https://10.10.0.20:6443" };
const schema = haveOracle
  ? (JSON.parse(readFileSync(join(v113, "config.schema.json"), "utf8")) as object)
  : undefined;

describe("validation rules", () => {
  it("the minimal fixtures are valid", () => {
    for (const f of ["_base-controlplane.yaml", "_base-worker.yaml"]) {
      expect(
        validateMachineConfig(readRule(f), { file: f, expect: expect_, ...(schema ? { schema } : {}) })
          .findings,
        f,
      ).toEqual([]);
    }
  });
  it("every rule has a failing fixture, and every fixture belongs to a rule", () => {
    const fixtures = readdirSync(rulesDir).filter((f) => !f.startsWith("_"));
    expect(fixtures.sort()).toEqual(talosRules.map((r) => `${r.id.replace("/", "__")}.yaml`).sort());
  });
  for (const rule of talosRules) {
    it(`${rule.id} fails its fixture`, () => {
      const file = `${rule.id.replace("/", "__")}.yaml`;
      const verdict = validateMachineConfig(readRule(file), { file, expect: expect_ });
      expect(verdict.status).toBe("invalid");
      const mine = verdict.findings.filter((f) => f.ruleId === rule.id);
      expect(mine.length, JSON.stringify(verdict.findings)).toBeGreaterThan(0);
      expect(mine[0]?.file).toBe(file);
      expect(mine[0]?.line).toBeGreaterThan(0);
    });
  }
});

describe.skipIf(!haveOracle)(`Talos' JSON Schema (${join(v113, "config.schema.json")})`, () => {
  it("rejects an unknown field and a wrong enum with file:line", () => {
    const text = readRule("_base-controlplane.yaml")
      .replace("    certSANs: []", "    certSANs: []\n    bogus: 1")
      .replace("hostname: k8s-0", "auto: sometimes");
    const v = validateMachineConfig(text, { file: "x.yaml", schema: schema as object });
    const schemaFindings = v.findings.filter((f) => f.ruleId === "talos/schema");
    expect(schemaFindings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('unknown field "bogus"'),
        expect.stringContaining("HostnameConfig: auto: must be one of"),
      ]),
    );
    expect(schemaFindings.every((f) => (f.line ?? 0) > 1)).toBe(true);
  });
  it("Talos' own metal-mode rules flag what they flag on Talos' stability configs (no install disk; kernel args + UKI cmdline)", () => {
    const ids = (f: string) =>
      validateMachineConfig(readFileSync(join(v113, "stability", f), "utf8"), {
        file: f,
        schema: schema as object,
      }).findings.map((x) => `${x.severity} ${x.ruleId}`);
    expect(ids("base-controlplane.yaml")).toEqual(["error talos/install-disk"]);
    expect(ids("base-worker.yaml")).toEqual(["error talos/install-disk"]);
    for (const f of ["overrides-controlplane.yaml", "overrides-worker.yaml"])
      expect(ids(f)).toEqual(["warning talos/schema-hidden-field", "error talos/install-kernel-args-uki"]);
  });
  it("the oracle's generated configs validate against the schema", () => {
    for (const f of ["base-controlplane.yaml", "base-worker.yaml"]) {
      const v = validateMachineConfig(readFileSync(join(v113, "stability", f), "utf8"), {
        file: f,
        schema: schema as object,
      });
      expect(
        v.findings.filter((x) => x.ruleId === "talos/schema"),
        f,
      ).toEqual([]);
    }
  });
});

describe("configs generated for the sample and the node layouts validate (schema, Talos' rules, completeness)", () => {
  let secrets: SecretsBundle;
  beforeAll(async () => {
    secrets = haveOracle
      ? parseSecretsBundle(readFileSync(join(v113, "stability", "secrets.yaml"), "utf8"))
      : await generateSecretsBundle();
  }, 60_000);
  const layouts = readdirSync(new URL("../test/fixtures/", import.meta.url)).filter(
    (d) => !["rules", "schematics", "repo"].includes(d),
  );
  const cases: [string, URL][] = [
    ["sample (bootstrap/config.yaml)", new URL("../../../bootstrap/config.yaml", import.meta.url)],
    ...layouts.map((d): [string, URL] => [
      d,
      new URL(`../test/fixtures/${d}/bootstrap/config.yaml`, import.meta.url),
    ]),
  ];
  it("covers at least 5 layouts besides the sample", () => expect(layouts.length).toBeGreaterThanOrEqual(5));
  for (const [name, url] of cases) {
    it(name, () => {
      const result = validateClusterConfig(readFileSync(url, "utf8"), { file: "config.yaml" });
      if (!result.ok) throw new Error(JSON.stringify(result.findings));
      const model = talosModelFromConfig(result.value);
      for (const node of model.nodes) {
        const text = renderNodeConfig(model, node, secrets);
        const v = validateMachineConfig(text, {
          file: `${node.name}.yaml`,
          ...(schema ? { schema } : {}),
          expect: { apiVip: model.apiVip, endpoint: model.endpoint },
        });
        expect(v.findings, `${node.name}\n${text}`).toEqual([]);
        expect(v.schema).toBe(schema ? "checked" : "skipped");
      }
    });
  }
});
