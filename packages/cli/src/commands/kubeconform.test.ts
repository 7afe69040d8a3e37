import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../main.js";

const fixture = join(import.meta.dirname, "../../test/fixtures/kubeconform-repo");

function fakeIo(cwd: string) {
  let stdout = "";
  let stderr = "";
  return {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { NO_COLOR: "1" },
      cwd,
    },
    out: () => stdout,
    err: () => stderr,
  };
}

function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "homeops-kubeconform-"));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

async function run(cwd: string, ...args: string[]) {
  const io = fakeIo(cwd);
  const code = await runCli(args, io.io);
  return { code, out: io.out(), err: io.err() };
}

describe("homeops kubeconform: usage", () => {
  it("a missing directory is an operational error (exit 2)", async () => {
    const r = await run(fixture, "kubeconform", "nope");
    expect(r.code).toBe(2);
    expect(r.err).toContain("nope: no such directory");
  });

  it("rejects an unknown output format and a remote schema location without --allow-network", async () => {
    expect((await run(fixture, "kubeconform", "--output", "xml")).code).toBe(2);
    const remote = await run(
      fixture,
      "kubeconform",
      "--schema-location",
      "https://example.com/{{.ResourceKind}}.json",
    );
    expect(remote.code).toBe(2);
    expect(remote.err).toContain("needs the network");
  });
});

describe("homeops kubeconform on a repository", () => {
  it("validates every object of every Flux Kustomization, lists the directories Flux does not reach, exit 0 with counts", async () => {
    const r = await run(fixture, "kubeconform", "--output", "json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.data.counts.invalid).toBe(0);
    expect(report.data.counts.error).toBe(0);
    expect(report.data.counts.skipped).toBe(1); // the Secret
    const kinds = report.data.objects.map((o: { kind: string }) => o.kind).sort();
    expect(kinds).toEqual(
      [
        "ConfigMap",
        "HelmRelease",
        "Kustomization",
        "Kustomization",
        "Namespace",
        "OCIRepository",
        "Secret",
      ].sort(),
    );
    // kubernetes/extras/crds is a kustomization no Flux Kustomization reaches: listed, not validated
    expect(report.data.unreached).toEqual(["kubernetes/extras/crds"]);
    expect(report.data.roots.map((r: { path: string }) => r.path)).toEqual(["kubernetes/flux"]);
    const text = await run(fixture, "kubeconform", "--summary");
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/7 resources found in 3 builds - Valid: 6, Invalid: 0, Errors: 0, Skipped: 1/);
    expect(text.out).toContain("1 kustomization directory not reached by Flux (not validated");
    expect(text.out).toContain("Flux root: kubernetes/flux (the conventional root)");
    expect(text.out).toContain("Kustomization default/echo: 3 valid, 0 invalid, 0 errors, 1 skipped");
  });

  it("an unknown field exits 1 with --strict and names the source file:line (a warning without)", async () => {
    const repo = copyFixture();
    const file = join(repo, "kubernetes/apps/default/echo/app/helmrelease.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("  interval: 1h\n", "  interval: 1h\n  intervall: 2h\n"),
    );
    const lenient = await run(repo, "kubeconform");
    expect(lenient.code).toBe(0);
    expect(lenient.out).toContain("kubernetes/apps/default/echo/app/helmrelease.yaml:21");
    expect(lenient.out).toContain("warning: HelmRelease default/echo: spec.intervall: not in the CRD schema");
    const r = await run(repo, "kubeconform", "--strict");
    expect(r.code).toBe(1);
    expect(r.out).toContain("kubernetes/apps/default/echo/app/helmrelease.yaml:21");
    expect(r.out).toContain('unknown field "intervall"');
  });

  it("a bad duration in a Flux Kustomization is invalid at its line; --no-strict still checks patterns", async () => {
    const repo = copyFixture();
    const file = join(repo, "kubernetes/apps/default/echo/ks.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("interval: 30m", "interval: 30 minutes"));
    const r = await run(repo, "kubeconform", "--no-strict", "--output", "json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    const finding = report.findings.find((f: { ruleId: string }) => f.ruleId === "kubeconform/invalid");
    expect(finding).toMatchObject({
      file: "kubernetes/apps/default/echo/ks.yaml",
      line: 8,
      path: "spec.interval",
    });
  });

  it("a kind without schema is skipped and listed by kind; an error with --require-schemas; skipping everything fails", async () => {
    const repo = copyFixture();
    writeFileSync(
      join(repo, "kubernetes/extras/crds/service.yaml"),
      "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w2\n",
    );
    const skipped = await run(repo, "kubeconform", "kubernetes/extras", "--output", "json");
    const report = JSON.parse(skipped.out);
    expect(report.data.noSchema).toEqual({ "example.com/v1 Widget": 2 });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        ruleId: "kubeconform/no-schema",
        severity: "warning",
        message: "example.com/v1 Widget: no schema, 2 objects skipped",
        file: "kubernetes/extras/crds/service.yaml",
      }),
    );
    expect(report.data.objects.filter((o: { reason?: string }) => o.reason === "no schema")).toHaveLength(2);
    const text = await run(repo, "kubeconform", "kubernetes/extras");
    expect(text.out).toContain("(no schema: 2 in 1 kinds: example.com/v1 Widget ×2)");
    expect(text.out).toContain("homeops schemas pull");
    const required = await run(repo, "kubeconform", "kubernetes/extras", "--require-schemas");
    expect(required.code).toBe(1);
    expect(required.out).toContain("could not find schema for example.com/v1 Widget");
    const nothing = await run(repo, "kubeconform", "kubernetes/extras/crds");
    expect(nothing.code).toBe(1); // nothing was validated
    expect(nothing.out).toContain("no object under kubernetes/extras/crds was validated");
  });

  it("undeclared custom resource fields: a warning against the catalog, an error with --strict or a repository CRD", async () => {
    const repo = copyFixture();
    const file = join(repo, "kubernetes/extras/crds/service.yaml");
    writeFileSync(
      file,
      `${readFileSync(file, "utf8")}\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: default\nspec:\n  interval: 1h\n  url: oci://ghcr.io/example/app\n  ref:\n    tag: 1.0.0\n  newField: true\n`,
    );
    const auto = await run(repo, "kubeconform", "kubernetes/extras", "--output", "json");
    const report = JSON.parse(auto.out);
    expect(auto.code).toBe(0);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        ruleId: "kubeconform/pruned-field",
        severity: "warning",
        path: "spec.newField",
      }),
    );
    const strict = await run(repo, "kubeconform", "kubernetes/extras", "--strict", "--output", "json");
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.out).findings).toContainEqual(
      expect.objectContaining({ ruleId: "kubeconform/invalid", path: "spec.newField" }),
    );
    const error = await run(repo, "kubeconform", "kubernetes/extras", "--crd-unknown-fields", "error");
    expect(error.code).toBe(1);
  });

  it("a violation on a value holding an unresolved ${VAR} is deferred; --strict checks it as written", async () => {
    const repo = copyFixture();
    const file = join(repo, "kubernetes/extras/crds/service.yaml");
    writeFileSync(
      file,
      `${readFileSync(file, "utf8")}\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: default\nspec:\n  interval: \${APP_INTERVAL:=1h}\n  url: oci://ghcr.io/example/app\n`,
    );
    const lenient = await run(repo, "kubeconform", "kubernetes/extras", "--output", "json");
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.out).findings).toContainEqual(
      expect.objectContaining({ ruleId: "kubeconform/unresolved-variable", path: "spec.interval" }),
    );
    const strict = await run(repo, "kubeconform", "kubernetes/extras", "--strict");
    expect(strict.code).toBe(1);
    expect(strict.out).toContain("does not match pattern");
  });

  it("junit and tap list one case per object", async () => {
    const junit = await run(fixture, "kubeconform", "--output", "junit");
    expect(junit.code).toBe(0);
    expect(junit.out).toContain('<testsuite name="Kustomization default/echo"');
    expect(junit.out).toMatch(/<testcase name="HelmRelease default\/echo"/);
    expect(junit.out).toContain("<skipped");
    const tap = await run(fixture, "kubeconform", "--output", "tap");
    expect(tap.out).toMatch(/^TAP version 13\n/);
    expect(tap.out).toContain("# SKIP kind Secret is skipped");
    expect(tap.out).toMatch(/\n1\.\.7\n$/);
  });
});

describe("homeops validate manifests", () => {
  it("is the same run under `validate`, with sarif output", async () => {
    const r = await run(fixture, "validate", "manifests", "--output", "sarif");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const log = JSON.parse(r.out);
    expect(log.version).toBe("2.1.0");
    const repo = copyFixture();
    const file = join(repo, "kubernetes/extras/crds/service.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("targetPort: http", "targetPort: [http]"));
    // a directory without a Flux root inside is built as plain kustomize
    const bad = await run(repo, "validate", "manifests", "kubernetes/extras", "--output", "sarif");
    expect(bad.code).toBe(1);
    const result = JSON.parse(bad.out).runs[0].results[0];
    expect(result.ruleId).toBe("kubeconform/invalid");
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(
      "kubernetes/extras/crds/service.yaml",
    );
    expect(result.locations[0].physicalLocation.region.startLine).toBe(10);
  });
});

describe("homeops kubeconform on the sample repository", () => {
  const sample = join(import.meta.dirname, "../../../..");

  it("exits 0 on the rendered sample", async () => {
    const r = await run(sample, "kubeconform", "--output", "json");
    expect(r.code, r.out.slice(0, 2000)).toBe(0);
    const { counts } = JSON.parse(r.out).data;
    expect(counts.valid).toBeGreaterThan(50);
    expect(counts.invalid + counts.error).toBe(0);
  }, 120_000); // compiles the sample's schemas cold on a possibly loaded machine

  it("an unknown field in any sample manifest exits 1 naming that file:line", async () => {
    const repo = mkdtempSync(join(tmpdir(), "homeops-kubeconform-sample-"));
    cpSync(join(sample, "kubernetes"), join(repo, "kubernetes"), { recursive: true });
    const { buildRepoGraph } = await import("@homeops/manifests");
    const graph = await buildRepoGraph(repo, { clusterRoot: "kubernetes/flux" });
    const files = [...new Set(graph.objects.filter((o) => o.kind !== "Secret").map((o) => o.provenance.file))]
      .filter((f) => !/(^|\/)kustomization\.ya?ml$/.test(f))
      .sort();
    expect(files.length).toBeGreaterThan(20);
    const misses: string[] = [];
    for (const file of files) {
      const path = join(repo, file);
      const original = readFileSync(path, "utf8");
      const lines = original.split("\n");
      const kindLine = lines.findIndex((l) => /^kind: /.test(l));
      if (kindLine < 0) continue;
      lines.splice(kindLine + 1, 0, "zzUnknownField: true");
      writeFileSync(path, lines.join("\n"));
      const r = await run(repo, "kubeconform", "--strict");
      writeFileSync(path, original);
      const where = `${file}:${kindLine + 2}`;
      if (r.code !== 1 || !r.out.includes(where) || !r.out.includes('unknown field "zzUnknownField"')) {
        misses.push(`${where}: exit ${r.code}\n${r.out.slice(0, 600)}${r.err.slice(0, 600)}`);
      }
    }
    expect(misses, misses.join("\n\n")).toEqual([]);
  }, 300_000);
});
