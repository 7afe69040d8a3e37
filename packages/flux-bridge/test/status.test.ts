import { beforeAll, describe, expect, it } from "vitest";
import { getFluxStatus, watchFluxStatus } from "../src/status.js";
import {
  applyAs,
  clientAs,
  cluster,
  conditions,
  ensureNamespaces,
  ready,
  runHomeops,
  writeStatus,
} from "./harness/helpers.js";

const NS = "st-flux";
const KS = "kustomize.toolkit.fluxcd.io/v1";
const HR = "helm.toolkit.fluxcd.io/v2";

function kustomization(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: KS,
    kind: "Kustomization",
    metadata: { name, namespace: NS },
    spec: {
      interval: "1h",
      path: `./kubernetes/apps/${name}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      ...extra,
    },
  };
}

describe("flux status against a real API server", () => {
  beforeAll(async () => {
    await ensureNamespaces(NS);
    await applyAs([
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: "flux-system", namespace: NS },
        spec: { interval: "1h", url: "https://example.com/home-ops", ref: { branch: "main" } },
      },
      kustomization("ready"),
      kustomization("broken"),
      kustomization("paused", { suspend: true }),
      kustomization("stuck"),
      {
        apiVersion: HR,
        kind: "HelmRelease",
        metadata: { name: "web", namespace: NS },
        spec: { interval: "1h", chartRef: { kind: "OCIRepository", name: "web" } },
      },
    ]);
    const ref = (kind: string, name: string, apiVersion = KS) => ({ apiVersion, kind, name, namespace: NS });
    await writeStatus(
      ref("GitRepository", "flux-system", "source.toolkit.fluxcd.io/v1"),
      {
        artifact: {
          revision: "main@sha1:0123456789abcdef",
          digest: "sha256:00",
          path: "x",
          url: "http://x",
          lastUpdateTime: "2026-12-01T10:00:00Z",
        },
        conditions: conditions({
          status: "True",
          reason: "Succeeded",
          message: "stored artifact for revision 'main@sha1:0123456789abcdef'",
        }),
      },
      "source-controller",
    );
    await writeStatus(ref("Kustomization", "ready"), {
      lastAppliedRevision: "main@sha1:0123456789abcdef",
      conditions: ready(),
    });
    await writeStatus(ref("Kustomization", "broken"), {
      lastAttemptedRevision: "main@sha1:0123456789abcdef",
      conditions: conditions({
        status: "False",
        reason: "HealthCheckFailed",
        message: "health check failed after 5m0s",
      }),
    });
    await writeStatus(ref("Kustomization", "stuck"), {
      conditions: conditions(
        { status: "False", reason: "BuildFailed", message: "kustomization path not found" },
        {
          type: "Stalled",
          status: "True",
          reason: "BuildFailed",
          message: "kustomization path not found: ./kubernetes/apps/stuck",
        },
      ),
    });
    await writeStatus(
      ref("HelmRelease", "web", HR),
      {
        history: [
          {
            name: "web",
            namespace: "st-flux",
            version: 1,
            chartName: "app-template",
            chartVersion: "4.6.2",
            configDigest: "sha256:0a1b",
            digest: "sha256:2c3d",
            firstDeployed: "2026-12-01T10:00:00Z",
            lastDeployed: "2026-12-01T10:00:00Z",
            status: "deployed",
          },
        ],
        conditions: conditions({
          status: "True",
          reason: "UpgradeSucceeded",
          message: "Helm upgrade succeeded",
        }),
      },
      "helm-controller",
    );
  });

  it("shows rows like flux get: Ready, not Ready, suspended, stalled", async () => {
    const report = await getFluxStatus(clientAs("reader"), { namespace: NS });
    const byName = Object.fromEntries(report.rows.map((r) => [`${r.kind}/${r.name}`, r]));
    expect(byName["Kustomization/ready"]).toMatchObject({
      state: "ready",
      ready: "True",
      revision: "main@sha1:0123456789abcdef",
      suspended: false,
    });
    expect(byName["Kustomization/broken"]).toMatchObject({
      state: "not-ready",
      ready: "False",
      reason: "HealthCheckFailed",
      message: "health check failed after 5m0s",
    });
    expect(byName["Kustomization/paused"]).toMatchObject({ state: "suspended", suspended: true });
    expect(byName["Kustomization/stuck"]).toMatchObject({
      state: "stalled",
      message: "kustomization path not found: ./kubernetes/apps/stuck",
    });
    expect(byName["HelmRelease/web"]).toMatchObject({ state: "ready", revision: "4.6.2" });
    expect(byName["GitRepository/flux-system"]).toMatchObject({
      state: "ready",
      revision: "main@sha1:0123456789abcdef",
    });
    expect(report.notServed).toEqual([]);
  });

  it("filters by kind and by --status-selector", async () => {
    const ks = await getFluxStatus(clientAs("reader"), {
      namespace: NS,
      scope: "ks",
      statusSelector: "ready=false",
    });
    expect(ks.rows.map((r) => r.name).sort()).toEqual(["broken", "stuck"]);
    const hr = await getFluxStatus(clientAs("reader"), { namespace: NS, scope: "hr" });
    expect(hr.rows.map((r) => r.name)).toEqual(["web"]);
  });

  it("watch mode refreshes until everything is Ready, or times out", async () => {
    const updates: number[] = [];
    const timedOut = await watchFluxStatus(clientAs("reader"), {
      namespace: NS,
      scope: "ks",
      timeoutMs: 600,
      intervalMs: 200,
      onUpdate: (r) => updates.push(r.rows.length),
    });
    expect(timedOut).toMatchObject({ allReady: false, timedOut: true });
    expect(updates.length).toBeGreaterThan(1);
    const done = await watchFluxStatus(clientAs("reader"), {
      namespace: NS,
      scope: "hr",
      timeoutMs: 5000,
      intervalMs: 100,
    });
    expect(done).toMatchObject({ allReady: true, timedOut: false });
  });

  it("the CLI prints the table and JSON (exit 0); --watch exits 1 when not everything got Ready", () => {
    const env = { KUBECONFIG: cluster().kubeconfigs.reader };
    const table = runHomeops(["flux", "status", "ks", "-n", NS], { env });
    expect(table.stderr).toBe("");
    expect(table.stdout).toMatch(/NAMESPACE\s+NAME\s+REVISION\s+SUSPENDED\s+READY\s+MESSAGE/);
    expect(table.stdout).toMatch(/st-flux\s+broken\s+False\s+False\s+health check failed after 5m0s/);
    expect(table.stdout).toMatch(
      /st-flux\s+ready\s+main@sha1:0123456789abcdef\s+False\s+True\s+Applied revision/,
    );
    expect(table.status).toBe(0);
    const watch = runHomeops(["flux", "status", "ks", "-n", NS, "--watch", "--timeout", "1s"], { env });
    expect(watch.status).toBe(1);
    expect(watch.stderr).toMatch(/not Ready after 1s: Kustomization st-flux\/broken/);
    const json = runHomeops(["flux", "status", "hr", "-n", NS, "--output", "json"], { env });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).rows).toMatchObject([
      { kind: "HelmRelease", name: "web", state: "ready" },
    ]);
  });
});
