import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYaml } from "@homeops/core";
import { builtinCatalogDir, crdToSchemas } from "@homeops/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../main.js";

const fixture = join(import.meta.dirname, "../../test/fixtures/schemas-repo");

/** A schema server on 127.0.0.1 in the `$schema=` URL layout, with schemas made from the fixture's CRD. */
function schemaRoutes(): Map<string, string> {
  const metaDefs = JSON.parse(
    readFileSync(join(builtinCatalogDir(), "object-meta.json"), "utf8"),
  ).definitions;
  const routes = new Map<string, string>();
  const crds = parseYaml(readFileSync(join(fixture, "crds/gadgets.yaml"), "utf8"), { file: "gadgets.yaml" });
  for (const doc of crds.documents) {
    for (const s of crdToSchemas(doc.value, metaDefs)) {
      routes.set(`/${s.group}/${s.kind.toLowerCase()}_${s.version}.json`, JSON.stringify(s.schema));
    }
  }
  // a chart's HelmRelease schema that checks `values` through a relative $ref, as app-template's does
  routes.set(
    "/charts/app/helmrelease.schema.json",
    JSON.stringify({
      type: "object",
      properties: { spec: { type: "object", properties: { values: { $ref: "values.schema.json" } } } },
    }),
  );
  routes.set(
    "/charts/app/values.schema.json",
    JSON.stringify({ type: "object", properties: { replicas: { type: "integer" } } }),
  );
  return routes;
}

let server: Server;
let base = "";
const requests: string[] = [];

beforeAll(async () => {
  const routes = schemaRoutes();
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = routes.get(req.url ?? "");
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(body ?? "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The fixture with the server's address in its `$schema=` comments, and an empty cache. */
function prepare(): { repo: string; cache: string } {
  const repo = mkdtempSync(join(tmpdir(), "homeops-schemas-"));
  cpSync(fixture, repo, { recursive: true });
  const dir = join(repo, "kubernetes/apps/widgets");
  for (const file of readdirSync(dir)) {
    const path = join(dir, file);
    writeFileSync(path, readFileSync(path, "utf8").replaceAll("SCHEMA_SERVER", base));
  }
  return { repo, cache: mkdtempSync(join(tmpdir(), "homeops-schema-cache-")) };
}

async function run(cwd: string, cache: string, ...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { NO_COLOR: "1", HOMEOPS_CACHE_DIR: cache },
    cwd,
  });
  return { code, out: stdout, err: stderr };
}

interface ObjectRow {
  kind: string;
  name: string;
  status: string;
  reason?: string;
  schemaOrigin?: string;
  documentSchemas?: string[];
  violations: { path: string; message: string; file: string; line: number }[];
}

function byName(report: { data: { objects: ObjectRow[] } }): Map<string, ObjectRow> {
  return new Map(report.data.objects.map((o) => [`${o.kind}/${o.name}`, o]));
}

describe("schema cache end to end (a schema server on 127.0.0.1)", () => {
  it("empty cache: unknown kinds are skipped; `schemas pull` fills the cache; an offline run validates them", async () => {
    const { repo, cache } = prepare();

    // 1. empty cache, offline: Gadget has no schema anywhere; Widget has the repository's CRD
    const first = await run(repo, cache, "kubeconform", "kubernetes", "--output", "json");
    const firstReport = JSON.parse(first.out);
    const before = byName(firstReport);
    expect(requests).toEqual([]);
    expect(firstReport.data.noSchema).toEqual({ "example.homeops.dev/v1 Gadget": 2 });
    expect(before.get("Gadget/medium")).toMatchObject({ status: "skipped", reason: "no schema" });
    expect(before.get("Widget/ok")).toMatchObject({ status: "valid", schemaOrigin: "repository" });
    expect(before.get("Widget/too-many")?.violations).toEqual([
      expect.objectContaining({
        path: "spec.replicas",
        file: "kubernetes/apps/widgets/widget.yaml",
        line: 14,
      }),
    ]);
    // an undeclared field against the repository's own CRD is what server-side apply rejects
    expect(before.get("Widget/typo")).toMatchObject({ status: "invalid" });
    expect(before.get("HelmRelease/app")).toMatchObject({ status: "valid", schemaOrigin: "catalog" });
    expect(first.code).toBe(1);

    // 2. pull: the kind schema from the template the repository's own `$schema=` comment gives, the
    //    HelmRelease's document schema and the schema it refers to
    const pull = await run(repo, cache, "schemas", "pull", "kubernetes", "--output", "json");
    expect(pull.code, pull.out + pull.err).toBe(0);
    const pulled = JSON.parse(pull.out).data;
    expect(pulled.templates).toEqual([`${base}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`]);
    expect(pulled.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: "example.homeops.dev/v1/Gadget",
          status: "pulled",
          url: `${base}/example.homeops.dev/gadget_v1.json`,
        }),
        expect.objectContaining({ key: `${base}/charts/app/helmrelease.schema.json`, status: "pulled" }),
      ]),
    );
    const index = JSON.parse(readFileSync(join(cache, "schema-cache/index.json"), "utf8"));
    expect(index.kinds).toEqual({
      "example.homeops.dev/v1/Gadget": `${base}/example.homeops.dev/gadget_v1.json`,
    });
    expect(Object.keys(index.urls).sort()).toEqual([
      `${base}/charts/app/helmrelease.schema.json`,
      `${base}/charts/app/values.schema.json`,
      `${base}/example.homeops.dev/gadget_v1.json`,
    ]);
    // Widget (repository CRD), ConfigMap and HelmRelease (catalog) were not asked for
    expect(requests.some((r) => r.includes("widget"))).toBe(false);

    // 3. offline again (the server is not asked): the cache validates Gadget and the HelmRelease's values
    const asked = requests.length;
    const second = await run(repo, cache, "kubeconform", "kubernetes", "--output", "json");
    expect(requests.length).toBe(asked);
    const after = byName(JSON.parse(second.out));
    expect(JSON.parse(second.out).data.noSchema).toEqual({});
    expect(after.get("Gadget/small")).toMatchObject({ status: "valid", schemaOrigin: "cache" });
    expect(after.get("Gadget/medium")).toMatchObject({ status: "invalid", schemaOrigin: "cache" });
    expect(after.get("Gadget/medium")?.violations).toEqual([
      expect.objectContaining({ path: "spec.size", file: "kubernetes/apps/widgets/gadget.yaml", line: 15 }),
    ]);
    expect(after.get("HelmRelease/app")).toMatchObject({
      status: "invalid",
      documentSchemas: [`${base}/charts/app/helmrelease.schema.json`],
    });
    expect(after.get("HelmRelease/app")?.violations).toEqual([
      expect.objectContaining({ path: "spec.values.replicas", message: "got string, want integer" }),
    ]);

    // 4. list: where each kind's schema comes from
    const list = await run(repo, cache, "schemas", "list", "kubernetes", "--output", "json");
    const kinds = new Map(
      JSON.parse(list.out).data.kinds.map((k: { kind: string; origin: string; source: string }) => [
        k.kind,
        k,
      ]),
    );
    expect(kinds.get("Gadget")).toMatchObject({
      origin: "cache",
      source: `${base}/example.homeops.dev/gadget_v1.json`,
    });
    expect(kinds.get("Widget")).toMatchObject({
      origin: "repository",
      source: "kubernetes/apps/widgets/crd.yaml:3",
    });
    expect(kinds.get("ConfigMap")).toMatchObject({ origin: "catalog" });
    const text = await run(repo, cache, "schemas", "list", "kubernetes");
    expect(text.out).toMatch(/example\.homeops\.dev\/v1 Gadget\s+2\s+cache/);
  });

  it("a kind no template serves is reported, and the run still passes without it", async () => {
    const { repo, cache } = prepare();
    writeFileSync(
      join(repo, "kubernetes/apps/widgets/gadget.yaml"),
      "---\napiVersion: example.homeops.dev/v2\nkind: Gadget\nmetadata:\n  name: future\n",
    );
    const pull = await run(
      repo,
      cache,
      "schemas",
      "pull",
      "kubernetes",
      "--schema-location",
      `${base}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
      "--output",
      "json",
    );
    expect(pull.code).toBe(0);
    expect(JSON.parse(pull.out).findings).toContainEqual(
      expect.objectContaining({
        ruleId: "schemas/not-found",
        message: expect.stringContaining("example.homeops.dev/v2/Gadget"),
      }),
    );
  });
});
