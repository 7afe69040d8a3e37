import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogManifest, SchemaCatalog, saveValidatorCodeCache } from "./schema-catalog.js";
import { builtinCatalogDir, expandSchemaLocation, schemaTemplateData } from "./schema-location.js";
import { validateDocuments } from "./validate-documents.js";
import { formatPath, validateObject } from "./validate-object.js";

const corpus = join(import.meta.dirname, "../../test/fixtures/kubeconform-corpus");
const catalog = new SchemaCatalog();

async function verdicts(file: string, catalogToUse = catalog, options = {}) {
  return validateDocuments(catalogToUse, readFileSync(join(corpus, file), "utf8"), { file, ...options });
}

describe("catalog manifest", () => {
  it("pins a Kubernetes version and lists every upstream source with its version", () => {
    const manifest = loadCatalogManifest();
    expect(manifest.kubernetesVersion).toMatch(/^1\.36\.\d+$/);
    const names = manifest.sources.map((s) => s.name);
    for (const expected of [
      "kubernetes",
      "flux",
      "external-secrets",
      "cert-manager",
      "gateway-api",
      "cilium",
      "volsync",
      "prometheus-operator",
    ]) {
      expect(names).toContain(expected);
    }
    for (const source of manifest.sources) {
      expect(source.version).toMatch(/^v\d+\.\d+\.\d+/);
      expect(source.kinds).toBeGreaterThan(0);
    }
    for (const key of [
      "apps/v1/Deployment",
      "v1/Pod",
      "kustomize.toolkit.fluxcd.io/v1/Kustomization",
      "helm.toolkit.fluxcd.io/v2/HelmRelease",
      "source.toolkit.fluxcd.io/v1/OCIRepository",
      "notification.toolkit.fluxcd.io/v1beta3/Provider",
      "image.toolkit.fluxcd.io/v1/ImagePolicy",
      "external-secrets.io/v1/ExternalSecret",
      "cert-manager.io/v1/ClusterIssuer",
      "gateway.networking.k8s.io/v1/HTTPRoute",
      "cilium.io/v2/CiliumNetworkPolicy",
      "cilium.io/v2/CiliumLoadBalancerIPPool",
      "cilium.io/v2/CiliumBGPClusterConfig",
      "volsync.backube/v1alpha1/ReplicationSource",
      "monitoring.coreos.com/v1/ServiceMonitor",
    ]) {
      expect(manifest.schemas[key], key).toBeDefined();
    }
  });

  it("indexes exactly the schema files on disk", () => {
    const manifest = loadCatalogManifest();
    const dir = builtinCatalogDir();
    const onDisk = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter(
        (e) =>
          e.isFile() &&
          e.name.endsWith(".json") &&
          e.name !== "SOURCES.json" &&
          e.name !== "object-meta.json",
      )
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
      .sort();
    expect(Object.values(manifest.schemas).sort()).toEqual(onDisk);
  });

  it("every schema is standalone, strict and compiles", async () => {
    const manifest = loadCatalogManifest();
    const dir = builtinCatalogDir();
    for (const [key, file] of Object.entries(manifest.schemas)) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text, `${file} has an external $ref`).not.toMatch(/"\$ref":"(?!#\/definitions\/)/);
      const slash = key.lastIndexOf("/");
      const lookup = await catalog.lookup(key.slice(0, slash), key.slice(slash + 1));
      expect(lookup.found, key).toBe(true);
    }
    const deployment = JSON.parse(readFileSync(join(dir, "apps/deployment_v1.json"), "utf8"));
    expect(deployment.additionalProperties).toBe(false);
    // HelmRelease values keep unknown fields
    const hr = JSON.parse(readFileSync(join(dir, "helm.toolkit.fluxcd.io/helmrelease_v2.json"), "utf8"));
    expect(hr.properties.spec.properties.values.additionalProperties).toBeUndefined();
  }, 900_000);
});

describe("validateDocuments on plain YAML", () => {
  it("accepts valid objects of every family, skipping Secret by default", async () => {
    const results = await verdicts("valid.yaml");
    const bad = results.filter((r) => r.status !== "valid" && r.kind !== "Secret");
    expect(
      bad.map((r) => `${r.kind} ${r.name}: ${r.reason ?? ""} ${r.violations.map((v) => v.message)}`),
    ).toEqual([]);
    expect(results.find((r) => r.kind === "Secret")?.status).toBe("skipped");
    expect(results.length).toBe(14);
  });

  it("accepts real-world objects of the kinds home-ops repos use", async () => {
    const results = await verdicts("valid-more.yaml");
    const bad = results.filter((r) => r.status !== "valid");
    expect(
      bad.map((r) => `${r.kind} ${r.name}: ${r.reason ?? ""} ${r.violations.map((v) => v.message)}`),
    ).toEqual([]);
    expect(results.length).toBe(23);
  });

  it("reports each kind of problem with the field path and line", async () => {
    const results = await verdicts("invalid.yaml");
    const byName = new Map(results.map((r) => [r.name, r]));
    const one = (name: string) => {
      const r = byName.get(name);
      if (!r) throw new Error(`no result for ${name}`);
      return r;
    };
    expect(one("unknown-field").status).toBe("invalid");
    expect(one("unknown-field").violations[0]).toMatchObject({
      message: 'unknown field "replica"',
      keyword: "additionalProperties",
    });
    expect(formatPath(one("unknown-field").violations[0]!.path)).toBe("spec.replica");
    expect(one("unknown-field").positions[0]).toEqual({ line: 7, column: 3 });
    expect(formatPath(one("deep-unknown").violations[0]!.path)).toBe("spec.containers[0].resource");
    expect(one("wrong-type").violations.map((v) => v.message)).toContain("got string, want integer");
    expect(one("missing-required").violations[0]!.message).toBe('missing required field "name"');
    const duration = one("bad-duration").violations[0]!;
    expect(formatPath(duration.path)).toBe("spec.interval");
    expect(duration.message).toContain('"10 minutes" does not match pattern');
    expect(
      one("missing-sourceref")
        .violations.map((v) => v.message)
        .sort(),
    ).toEqual([
      'missing required field "path"'.replace("path", "prune"),
      'missing required field "sourceRef"',
    ]);
    expect(one("bad-meta").violations[0]!.message).toBe('unknown field "lables"');
    expect(one("bad-enum").violations[0]!.keyword).toBe("enum");
    expect(one("bad-label").violations[0]!.message).toBe("got boolean, want string");
    expect(one("bad-intorstr").status).toBe("invalid");
    expect(one("bad-quantity").status).toBe("invalid");
    expect(one("no-schema")).toMatchObject({ status: "skipped", reason: "no schema", missingSchema: true });
    const required = await verdicts("invalid.yaml", catalog, { requireSchemas: true });
    expect(required.find((r) => r.name === "no-schema")).toMatchObject({
      status: "error",
      reason: "could not find schema for example.com/v1 Widget",
    });
    expect(one("bad-time").violations[0]!.keyword).toBe("format");
    expect(one("bad-route").violations[0]!.message).toBe('unknown field "backendRef"');
    expect(one("bad-retain").status).toBe("invalid");
    expect(one("no-kind")).toMatchObject({ status: "error", reason: "missing 'kind' key" });
    expect(one("list-item-ok").status).toBe("valid");
    expect(one("list-item-bad").violations[0]!.message).toBe('unknown field "datta"');
    expect(one("list-item-bad").positions[0]!.line).toBe(one("list-item-bad").position.line + 4);
    // Go's \PC (no control characters), translated to JavaScript's \P{C}
    expect(one("bad-log-value").violations.find((v) => v.keyword === "pattern")).toMatchObject({
      keyword: "pattern",
      path: ["spec", "log", "value"],
    });
  });

  it("honours ignoreMissingSchemas and skipKinds (Kind or apiVersion/Kind)", async () => {
    const results = await verdicts("invalid.yaml", catalog, {
      ignoreMissingSchemas: true,
      skipKinds: ["apps/v1/Deployment", "Pod"],
    });
    const statuses = Object.fromEntries(results.map((r) => [r.name, r.status]));
    expect(statuses["no-schema"]).toBe("skipped");
    expect(statuses["unknown-field"]).toBe("skipped");
    expect(statuses["deep-unknown"]).toBe("skipped");
    expect(statuses["bad-duration"]).toBe("invalid");
  });

  it("--no-strict accepts unknown fields but still checks types and patterns", async () => {
    const loose = new SchemaCatalog({ strict: false });
    const results = await verdicts("invalid.yaml", loose);
    const statuses = Object.fromEntries(results.map((r) => [r.name, r.status]));
    expect(statuses["unknown-field"]).toBe("valid");
    expect(statuses["bad-meta"]).toBe("valid");
    expect(statuses["wrong-type"]).toBe("invalid");
    expect(statuses["bad-duration"]).toBe("invalid");
  });
});

describe("compile cache", () => {
  it("a validator loaded from the cache gives the same verdicts and violations as a fresh compile", async () => {
    const cold = mkdtempSync(join(tmpdir(), "homeops-schema-cache-"));
    const warm = mkdtempSync(join(tmpdir(), "homeops-schema-cache-"));
    const fresh = await verdicts("invalid.yaml");
    // not the precompiled catalog: this is about the validators compiled at run time
    const first = await verdicts("invalid.yaml", new SchemaCatalog({ cacheDir: cold, precompiled: false }));
    const written = readdirSync(cold).filter((f) => f.endsWith(".cjs"));
    expect(written.length).toBeGreaterThan(5);
    cpSync(cold, warm, { recursive: true });
    // another directory: not in this process' memory, so every validator comes from the files
    const second = await verdicts("invalid.yaml", new SchemaCatalog({ cacheDir: warm, precompiled: false }));
    const strip = (rs: typeof fresh) => rs.map(({ schema: _, ...r }) => r);
    expect(strip(first)).toEqual(strip(fresh));
    expect(strip(second)).toEqual(strip(fresh));
    expect(
      readdirSync(warm)
        .filter((f) => f.endsWith(".cjs"))
        .sort(),
    ).toEqual(written.sort());
    // V8's code cache of each validator loaded from a file, written after validating; a later run
    // loads the validators with it and gives the same verdicts
    saveValidatorCodeCache();
    const codeCaches = readdirSync(warm).filter((f) => f.endsWith(".v8"));
    expect(codeCaches.map((f) => f.replace(/\.cjs\..*$/, ".cjs")).sort()).toEqual(written.sort());
    const again = mkdtempSync(join(tmpdir(), "homeops-schema-cache-"));
    cpSync(warm, again, { recursive: true });
    const third = await verdicts("invalid.yaml", new SchemaCatalog({ cacheDir: again, precompiled: false }));
    expect(strip(third)).toEqual(strip(fresh));
  }, 120_000);

  it("an unusable cache directory only costs speed", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "homeops-schema-cache-")), "not-a-dir");
    writeFileSync(file, "x");
    const results = await verdicts("valid.yaml", new SchemaCatalog({ cacheDir: file }));
    expect(results.filter((r) => r.status === "valid").length).toBe(13);
  }, 120_000);
});

describe("schema locations", () => {
  it("expands kubeconform templates with kubeconform's variables", () => {
    const data = schemaTemplateData("Kustomization", "kustomize.toolkit.fluxcd.io/v1", "1.35.4", true);
    expect(expandSchemaLocation("s/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json", data)).toBe(
      "s/kustomize.toolkit.fluxcd.io/kustomization_v1.json",
    );
    expect(expandSchemaLocation("s/{{ .ResourceKind }}{{ .KindSuffix }}.json", data)).toBe(
      "s/kustomization-kustomize-v1.json",
    );
    expect(expandSchemaLocation("dir", schemaTemplateData("Pod", "v1", "1.35.4", true))).toBe(
      "dir/v1.35.4-standalone-strict/pod-v1.json",
    );
  });

  it("tries user locations before the built-in catalog", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-schemas-"));
    mkdirSync(join(dir, "example.com"), { recursive: true });
    writeFileSync(
      join(dir, "example.com", "widget-example-v1.json"),
      JSON.stringify({
        type: "object",
        properties: {
          apiVersion: { type: "string" },
          kind: { type: "string" },
          metadata: { type: "object" },
          spec: { type: "object", properties: { size: { type: "integer" } }, additionalProperties: false },
        },
      }),
    );
    const custom = new SchemaCatalog({
      locations: [`${dir}/{{.Group}}/{{.ResourceKind}}{{.KindSuffix}}.json`],
    });
    const ok = await validateObject(custom, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      spec: { size: 3 },
    });
    expect(ok.status).toBe("valid");
    const bad = await validateObject(custom, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      spec: { colour: "red" },
    });
    expect(bad.status).toBe("invalid");
    const builtin = await validateObject(custom, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x" },
    });
    expect(builtin.status).toBe("valid");
  });

  it("reads http locations with allowNetwork (404 falls through to the next location)", async () => {
    const widget = {
      type: "object",
      properties: { apiVersion: {}, kind: {}, metadata: {}, size: { type: "integer" } },
      additionalProperties: false,
    };
    const server = createServer((req, res) => {
      if (req.url === "/widget-example-v1.json") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(widget));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { port } = server.address() as AddressInfo;
      const remote = new SchemaCatalog({
        locations: [`http://127.0.0.1:${port}/{{.ResourceKind}}{{.KindSuffix}}.json`],
        allowNetwork: true,
      });
      const good = await validateObject(remote, { apiVersion: "example.com/v1", kind: "Widget", size: 1 });
      expect(good).toMatchObject({
        status: "valid",
        schema: `http://127.0.0.1:${port}/widget-example-v1.json`,
      });
      const bad = await validateObject(remote, {
        apiVersion: "example.com/v1",
        kind: "Widget",
        colour: "red",
      });
      expect(bad.status).toBe("invalid");
      const builtin = await validateObject(remote, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x" },
      });
      expect(builtin.status).toBe("valid");
    } finally {
      server.close();
    }
  });

  it("refuses remote locations without allowNetwork and unknown template variables", () => {
    expect(() => new SchemaCatalog({ locations: ["https://example.com/{{.ResourceKind}}.json"] })).toThrow(
      /needs the network/,
    );
    expect(() => new SchemaCatalog({ locations: ["x/{{.Nope}}.json"] })).toThrow(/unknown template variable/);
  });
});
