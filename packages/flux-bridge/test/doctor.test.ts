import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildRepoGraph, type RepoGraph } from "@homeops/manifests";
import { beforeAll, describe, expect, it } from "vitest";
import { doctorFlux } from "../src/doctor.js";
import {
  applyAs,
  clientAs,
  cluster,
  conditions,
  ensureNamespaces,
  fixtures,
  ready,
  runHomeops,
  writeStatus,
} from "./harness/helpers.js";

const NS = "doc-flux";
const KS = "kustomize.toolkit.fluxcd.io/v1";
const HR = "helm.toolkit.fluxcd.io/v2";
const ES = "external-secrets.io/v1";
const root = join(fixtures, "doctor");

/** 1-based line of the first line matching `pattern` in a fixture file. */
function lineOf(file: string, pattern: RegExp): number {
  return (
    readFileSync(join(root, file), "utf8")
      .split("\n")
      .findIndex((l) => pattern.test(l)) + 1
  );
}

/** 1-based line of the `apiVersion:` that starts the document declaring `name`. */
function documentOf(file: string, name: string): number {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const at = lines.indexOf(`  name: ${name}`);
  return lines.slice(0, at).findLastIndex((l) => l.startsWith("apiVersion:")) + 1;
}

describe("flux doctor explains what is not Ready, with the repository file:line", () => {
  let graph: RepoGraph;
  beforeAll(async () => {
    graph = await buildRepoGraph(root);
    await ensureNamespaces(NS, "flux-system");
    const node = (name: string) => graph.kustomizations.find((k) => k.name === name && k.namespace === NS);
    // what the parent Kustomization applied, and the objects the children applied
    const children = ["database", "app", "web", "settings", "secrets", "media"];
    await applyAs([
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: "flux-system", namespace: "flux-system" },
        spec: { interval: "1h", url: "https://example.com/home-ops", ref: { branch: "main" } },
      },
      ...children.map((name) => {
        const k = node(name);
        if (!k) throw new Error(`fixture Kustomization ${name} not in the graph`);
        return { apiVersion: KS, kind: "Kustomization", metadata: { name, namespace: NS }, spec: k.spec };
      }),
      ...(node("secrets")?.objects ?? []).map((o) => o.object as never),
      ...(node("media")?.objects ?? []).map((o) => o.object as never),
    ]);
    // a PVC nobody declares (a chart created it, or a person), Pending: no provisioner for its class
    await applyAs(
      [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "media-data", namespace: NS },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: "fast-nvme",
            resources: { requests: { storage: "1Gi" } },
          },
        },
      ],
      "kubectl-client-side-apply",
    );
    await writeStatus(
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        name: "flux-system",
        namespace: "flux-system",
      },
      { conditions: ready("stored artifact for revision 'main@sha1:1234'") },
      "source-controller",
    );
    const ks = (name: string) => ({ apiVersion: KS, kind: "Kustomization", name, namespace: NS });
    await writeStatus(ks("database"), {
      conditions: conditions({
        status: "False",
        reason: "HealthCheckFailed",
        message:
          "health check failed after 30s: timeout waiting for: [Deployment/doc-flux/postgres status: 'InProgress']",
      }),
    });
    await writeStatus(ks("app"), {
      conditions: conditions({
        status: "False",
        reason: "DependencyNotReady",
        message: "dependency 'doc-flux/database' is not ready",
      }),
    });
    await writeStatus(ks("web"), {
      conditions: conditions({
        status: "False",
        reason: "DependencyNotReady",
        message: "dependency 'doc-flux/app' is not ready",
      }),
    });
    await writeStatus(ks("settings"), {
      conditions: conditions({
        status: "False",
        reason: "ReconciliationFailed",
        message: "substitute from 'Secret/app-vars' error: secrets \"app-vars\" not found",
      }),
    });
    await writeStatus(ks("secrets"), {
      conditions: conditions({
        status: "False",
        reason: "HealthCheckFailed",
        message: "health check failed after 30s: ExternalSecret/doc-flux/db-creds status: 'Failed'",
      }),
    });
    await writeStatus(ks("media"), { conditions: ready() });
    await writeStatus(
      { apiVersion: ES, kind: "ExternalSecret", name: "db-creds", namespace: NS },
      {
        conditions: conditions({
          status: "False",
          reason: "SecretSyncedError",
          message: "could not get secret data from provider: item postgres not found in vault",
        }),
      },
      "external-secrets",
    );
    await writeStatus(
      { apiVersion: HR, kind: "HelmRelease", name: "media", namespace: NS },
      {
        history: [
          {
            name: "media",
            namespace: "doc-flux",
            version: 1,
            chartName: "app-template",
            chartVersion: "4.6.2",
            configDigest: "sha256:0a1b",
            digest: "sha256:2c3d",
            firstDeployed: "2026-12-01T10:00:00Z",
            lastDeployed: "2026-12-01T10:00:00Z",
            status: "failed",
          },
        ],
        conditions: conditions(
          {
            status: "False",
            reason: "InstallFailed",
            message:
              "Helm install failed for release doc-flux/media with chart app-template@4.6.2: context deadline exceeded",
          },
          {
            type: "Released",
            status: "False",
            reason: "InstallFailed",
            message: "Helm install failed: context deadline exceeded",
          },
        ),
      },
      "helm-controller",
    );
  });

  it("names the cause of each of the four cases, each with file:line", async () => {
    const report = await doctorFlux(clientAs("reader"), graph, { namespace: NS });
    expect(report.examined.sort()).toEqual(
      [
        `HelmRelease ${NS}/media`,
        ...["app", "database", "secrets", "settings", "web"].map((n) => `Kustomization ${NS}/${n}`),
      ].sort(),
    );
    const find = (rule: string, text: string) =>
      report.findings.find((f) => f.ruleId === rule && f.message.includes(text));
    const ks = "kubernetes/apps/doc/ks.yaml";

    // (a) an app blocked by a dependsOn chain, down to the object that fails for its own reason
    expect(find("doctor/depends-on-not-ready", "Kustomization doc-flux/web:")).toMatchObject({
      file: ks,
      line: documentOf(ks, "web"),
      message:
        "Kustomization doc-flux/web: blocked by its dependsOn chain Kustomization doc-flux/web → Kustomization doc-flux/app → Kustomization doc-flux/database; Kustomization doc-flux/database not-ready: health check failed after 30s: timeout waiting for: [Deployment/doc-flux/postgres status: 'InProgress']",
    });
    // (b) a missing substituteFrom Secret
    expect(find("doctor/substitute-source-missing", "doc-flux/settings")).toMatchObject({
      file: ks,
      line: documentOf(ks, "settings"),
      message:
        "Kustomization doc-flux/settings: postBuild.substituteFrom Secret doc-flux/app-vars does not exist in the cluster",
      hint: expect.stringContaining("the repository never declares it"),
    });
    // (c) an ExternalSecret with SecretSyncedError, and the Secret it should produce
    const es = "kubernetes/apps/doc/secrets/app/externalsecret.yaml";
    expect(find("doctor/external-secret-not-synced", "db-creds")).toMatchObject({
      file: es,
      line: 1,
      message:
        "Kustomization doc-flux/secrets: ExternalSecret doc-flux/db-creds is not synced (SecretSyncedError: could not get secret data from provider: item postgres not found in vault); Secret doc-flux/db-creds-secret does not exist",
    });
    // (d) a Pending PVC the repository never declares, at the line that claims it
    const hr = "kubernetes/apps/doc/media/app/helmrelease.yaml";
    expect(find("doctor/pvc-pending", "media-data")).toMatchObject({
      file: hr,
      line: lineOf(hr, /existingClaim: media-data/),
      message:
        "HelmRelease doc-flux/media: PersistentVolumeClaim doc-flux/media-data is Pending (storageClassName fast-nvme); the repository never declares it",
    });
    // and the Helm failure itself
    expect(find("doctor/helm-release-failed", "media")?.message).toMatch(
      /Helm install failed: Helm install failed for release doc-flux\/media/,
    );
    for (const f of report.findings) expect(f.file, f.message).toBeDefined();
  });

  it("the CLI reports them and exits 1", () => {
    const result = runHomeops(["flux", "doctor", "-n", NS], {
      cwd: root,
      env: { KUBECONFIG: cluster().kubeconfigs.reader },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /kubernetes\/apps\/doc\/media\/app\/helmrelease\.yaml:\d+:?\d*\s+HelmRelease doc-flux\/media: PersistentVolumeClaim doc-flux\/media-data is Pending/,
    );
    expect(result.stdout).toMatch(/6 not Ready/);
  });
});
