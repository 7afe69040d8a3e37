// Pull and cache against a real OCI registry (distribution/distribution v3, built by scripts/setup.sh --oracles)
// and a plain HTTP Helm repository, both on 127.0.0.1: the first run with allowNetwork pulls each chart once,
// a second run offline renders the same objects, a tampered cache entry is refused.
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildRepoGraph } from "@homeops/manifests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChartCache } from "../src/cache.js";
import { renderHelmReleases } from "../src/releases.js";
import { CHARTS, haveTools, inCi, MODULE } from "./support/oracle.js";
import { writeRepo } from "./support/repo.js";
import { haveRegistry, pushChart, startHelmRepo, startRegistry } from "./support/servers.js";
import { packChart } from "./support/tgz.js";

describe("registry binary", () => {
  it.runIf(inCi)("is built in CI (scripts/setup.sh --oracles)", () => {
    expect(haveRegistry).toBe(true);
  });
});

describe.skipIf(!haveTools || !haveRegistry)("pull once, then offline", () => {
  const temps: string[] = [];
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let http: Awaited<ReturnType<typeof startHelmRepo>>;
  let root: string;
  const calls: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    calls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  const offlineFetch: typeof fetch = (input) => {
    throw new Error(`network used offline: ${String(input)}`);
  };

  beforeAll(async () => {
    registry = await startRegistry();
    const app = packChart(join(CHARTS, "app-template"), "app-template");
    const crds = packChart(join(CHARTS, "with-crds"), "with-crds");
    await pushChart(registry.host, "charts/app-template", "4.2.0", app, {
      name: "app-template",
      version: "4.2.0",
    });
    await pushChart(registry.host, "charts/app-template", "4.1.0", app, {
      name: "app-template",
      version: "4.1.0",
    });
    await pushChart(registry.host, "charts/with-crds", "1.3.0", crds, {
      name: "with-crds",
      version: "1.3.0",
    });
    http = await startHelmRepo([
      { name: "with-crds", version: "1.3.0", archive: crds },
      { name: "with-crds", version: "1.2.0", archive: crds },
      { name: "app-template", version: "4.2.0", archive: app },
    ]);
    const release = (name: string, chart: string[]) =>
      [
        "---",
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        "metadata:",
        `  name: ${name}`,
        "  namespace: default",
        "spec:",
        "  interval: 1h",
        ...chart,
        "  values:",
        "    controllers:",
        "      main:",
        "        containers:",
        "          app:",
        "            image: {repository: ghcr.io/example/app, tag: '1.0'}",
        "",
      ].join("\n");
    root = await writeRepo({
      "sources.yaml": [
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: HelmRepository",
        "metadata: {name: oci-charts, namespace: default}",
        `spec: {type: oci, insecure: true, interval: 1h, url: "oci://${registry.host}/charts"}`,
        "---",
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: HelmRepository",
        "metadata: {name: http-charts, namespace: default}",
        `spec: {interval: 1h, url: "${http.url}"}`,
        "---",
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: OCIRepository",
        "metadata: {name: with-crds, namespace: default}",
        `spec: {interval: 1h, insecure: true, url: "oci://${registry.host}/charts/with-crds", ref: {semver: ">=1.0.0"}, layerSelector: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}}`,
        "",
      ].join("\n"),
      "oci.yaml": release("oci-app", [
        "  chart:",
        "    spec:",
        "      chart: app-template",
        "      version: 4.x",
        "      sourceRef: {kind: HelmRepository, name: oci-charts}",
      ]),
      "http.yaml": release("http-crds", [
        "  install: {crds: CreateReplace}",
        "  chart:",
        "    spec:",
        "      chart: with-crds",
        "      version: '>=1.0.0 <2.0.0'",
        "      sourceRef: {kind: HelmRepository, name: http-charts}",
      ]),
      "http-app.yaml": release("http-app", [
        "  chart:",
        "    spec:",
        "      chart: app-template",
        "      version: 4.2.0",
        "      sourceRef: {kind: HelmRepository, name: http-charts}",
      ]),
      "chartref.yaml": release("ref-crds", [
        "  install: {crds: Skip}",
        "  chartRef: {kind: OCIRepository, name: with-crds}",
      ]),
    });
    temps.push(root);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await http?.stop();
    await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
  });

  const summary = (report: Awaited<ReturnType<typeof renderHelmReleases>>) =>
    report.releases.map((r) => ({
      name: r.name,
      status: r.status,
      reason: r.reason,
      chart: r.chart,
      objects: r.objects.map((o) => ({
        kind: o.kind,
        name: o.name,
        namespace: o.namespace,
        object: o.object,
      })),
    }));

  it("without allowNetwork and an empty cache, every remote chart is a skipped release with the reason", async () => {
    const report = await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir: join(root, ".empty-cache"),
      fetch: offlineFetch,
    });
    expect(report.findings).toEqual([]);
    expect(report.releases.map((r) => r.status)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
    expect(report.releases[0]!.reason).toMatch(/is not in the chart cache \(run with --allow-network/);
  });

  let online: ReturnType<typeof summary>;
  it("the first run with allowNetwork pulls each chart once and renders every release", async () => {
    const cacheDir = join(root, ".cache");
    const report = await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir,
      allowNetwork: true,
      fetch: countingFetch,
    });
    expect(report.findings).toEqual([]);
    online = summary(report);
    expect(online.map((r) => [r.name, r.status, r.chart?.version])).toEqual([
      ["oci-app", "rendered", "4.2.0"],
      ["http-crds", "rendered", "1.3.0"],
      ["http-app", "rendered", "4.2.0"],
      ["ref-crds", "rendered", "1.3.0"],
    ]);
    // install.crds: CreateReplace includes the chart's CRDs, Skip leaves them out
    expect(online[1]!.objects.map((o) => o.kind)).toContain("CustomResourceDefinition");
    expect(online[3]!.objects.map((o) => o.kind)).not.toContain("CustomResourceDefinition");
    const downloads = calls.filter((u) => /\/blobs\/sha256:|\.tgz$/.test(u));
    expect(downloads.filter((u) => u.endsWith(".tgz")).sort()).toEqual([
      `${http.url}/app-template-4.2.0.tgz`,
      `${http.url}/with-crds-1.3.0.tgz`,
    ]);
    // OCI: one chart-layer blob per distinct artifact (app-template 4.2.0 and with-crds 1.3.0 — the OCIRepository and
    // the HelmRepository name different repository URLs, so they are two cache keys)
    expect(downloads.filter((u) => u.includes("/blobs/")).length).toBe(2);
    const blobs = await readdir(join(cacheDir, "blobs", "sha256"));
    expect(blobs.length).toBe(2); // content-addressed: identical archives stored once
    // a second online run finds everything cached: no archive is downloaded again
    calls.length = 0;
    await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir,
      allowNetwork: true,
      fetch: countingFetch,
    });
    expect(calls.filter((u) => /\/blobs\/sha256:|\.tgz$/.test(u))).toEqual([]);
  });

  it("a second run with no network renders the same output", async () => {
    const report = await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir: join(root, ".cache"),
      fetch: offlineFetch,
    });
    expect(report.findings).toEqual([]);
    expect(summary(report)).toEqual(online);
  });

  it("a tampered cache entry is refused with a clear error", async () => {
    const cacheDir = join(root, ".cache");
    const cache = new ChartCache({ dir: cacheDir });
    const entry = await cache.get({
      repository: `oci://${registry.host}/charts/app-template`,
      chart: "app-template",
      version: "4.2.0",
    });
    expect(entry).toBeDefined();
    await writeFile(entry!.file, "not the chart");
    const report = await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir,
      fetch: offlineFetch,
    });
    const broken = report.releases.filter((r) => r.status === "error").map((r) => r.name);
    expect(broken).toEqual(["oci-app", "http-app"]); // both name the same blob
    const finding = report.findings.find((f) => f.file === "kubernetes/apps/oci.yaml");
    expect(finding).toMatchObject({ ruleId: "helm/chart-unavailable", severity: "error" });
    expect(finding?.message).toMatch(
      /does not match its digest: expected sha256:[0-9a-f]{64}, found sha256:/,
    );
    expect(finding?.hint).toMatch(/pull again with --allow-network/);
  });
});
