import { join } from "node:path";
import { buildRepoGraph, type RepoGraph } from "@homeops/manifests";
import { beforeAll, describe, expect, it } from "vitest";
import { diffFlux } from "../src/diff.js";
import { detectDrift } from "../src/drift.js";
import { asFluxApplies } from "../src/internal/apply-set.js";
import {
  applyAs,
  clientAs,
  cluster,
  ensureNamespaces,
  fixtures,
  ready,
  runHomeops,
  writeStatus,
} from "./harness/helpers.js";

const root = join(fixtures, "diff");
const APPS = "df-apps";
const FLUX_NS = "df-flux";
const labels = {
  "kustomize.toolkit.fluxcd.io/name": "app",
  "kustomize.toolkit.fluxcd.io/namespace": FLUX_NS,
};

describe("diff and drift against the live cluster", () => {
  let graph: RepoGraph;
  beforeAll(async () => {
    graph = await buildRepoGraph(root);
    const node = graph.kustomizations.find((k) => k.name === "app" && k.namespace === FLUX_NS);
    if (!node) throw new Error("fixture Kustomization df-flux/app missing from the graph");
    await ensureNamespaces(APPS, FLUX_NS);
    const byName = (kind: string, name: string) => {
      const o = node.objects.find((x) => x.kind === kind && x.name === name);
      if (!o) throw new Error(`${kind} ${name} not built`);
      return o;
    };
    // what Flux applied earlier: the ConfigMap and the web Deployment (not the Service), and an object since removed from Git
    await applyAs([
      asFluxApplies(byName("ConfigMap", "settings"), node),
      asFluxApplies(byName("Deployment", "web"), node),
    ]);
    await applyAs([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "old-settings", namespace: APPS, labels },
        data: { LOG_LEVEL: "debug" },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "stray", namespace: APPS, labels },
        data: { x: "y" },
      },
    ]);
    // a person scaled web by hand, and applied `manual` with kubectl before Flux ever did
    await clientAs("controller").mergePatch(
      { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: APPS },
      { spec: { replicas: 3 } },
      { fieldManager: "kubectl-edit" },
    );
    await applyAs([byName("Deployment", "manual").object as never], "kubectl-client-side-apply");
    // the live Kustomization and its inventory
    await applyAs([
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "app", namespace: FLUX_NS },
        spec: node.spec,
      },
    ]);
    await writeStatus(
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        name: "app",
        namespace: FLUX_NS,
      },
      {
        conditions: ready(),
        lastAppliedRevision: "main@sha1:0123",
        inventory: {
          entries: [
            { id: `${APPS}_settings__ConfigMap`, v: "v1" },
            { id: `${APPS}_web_apps_Deployment`, v: "v1" },
            { id: `${APPS}_old-settings__ConfigMap`, v: "v1" },
          ],
        },
      },
    );
  });

  it("diff: created, configured (out-of-band change by another field manager), unchanged, pruned", async () => {
    const [diff] = await diffFlux(clientAs("reader"), graph, { kustomization: `${FLUX_NS}/app` });
    expect(diff?.changed).toBe(true);
    const actions = Object.fromEntries((diff?.entries ?? []).map((e) => [`${e.kind}/${e.name}`, e.action]));
    expect(actions).toEqual({
      "ConfigMap/settings": "unchanged",
      "Deployment/web": "configured",
      "Service/web": "created",
      "Deployment/manual": "configured",
      "ConfigMap/old-settings": "pruned",
    });
    const web = diff?.entries.find((e) => e.kind === "Deployment" && e.name === "web");
    expect(web).toMatchObject({ file: "kubernetes/apps/df/deployment.yaml", line: 1 });
    expect(web?.diff).toMatch(/^-\s+replicas: 3$/m);
    expect(web?.diff).toMatch(/^\+\s+replicas: 1$/m);
    const manual = diff?.entries.find((e) => e.name === "manual");
    expect(manual?.diff).toMatch(/^\+\s+kustomize\.toolkit\.fluxcd\.io\/name: app$/m);
    // a dry run stores nothing
    const live = await clientAs("controller").get("apps/v1", "Deployment", "web", APPS);
    expect(live?.spec?.replicas).toBe(3);
    expect(await clientAs("controller").get("v1", "Service", "web", APPS)).toBeUndefined();
  });

  it("the CLI prints the diff and exits 1", () => {
    const result = runHomeops(["flux", "diff", "ks", `${FLUX_NS}/app`], {
      cwd: root,
      env: { KUBECONFIG: cluster().kubeconfigs.reader },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("► Deployment/df-apps/web configured");
    expect(result.stdout).toContain("► ConfigMap/df-apps/old-settings pruned");
    expect(result.stdout).toContain(
      "Kustomization df-flux/app: 1 created, 2 configured, 1 pruned, 1 unchanged",
    );
  });

  it("drift: a hand-applied Deployment, an out-of-band field, an object outside the inventory", async () => {
    const report = await detectDrift(clientAs("reader"), graph, { namespace: FLUX_NS });
    const summary = report.findings.map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.message}`);
    expect(summary).toEqual(
      [
        "drift/not-in-inventory kubernetes/flux/cluster/apps.yaml:1 ConfigMap df-apps/stray carries the labels of Kustomization df-flux/app but is not in its inventory: Flux will neither update nor prune it",
        'drift/changed-out-of-band kubernetes/apps/df/deployment.yaml:6 Deployment df-apps/web: spec.replicas was changed out of band by "kubectl-edit" (Update)',
        "drift/applied-by-hand kubernetes/apps/df/manual.yaml:1 Deployment df-apps/manual exists in the cluster without Flux's ownership labels: it was applied by hand (kubectl-client-side-apply), Flux has not adopted it",
      ].sort((a, b) => a.split(" ")[1]!.localeCompare(b.split(" ")[1]!)),
    );
    expect(report.checked).toBe(3);
  });
});
