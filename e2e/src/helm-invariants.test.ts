// The invariants judge what a HelmRelease really renders to: a templated existingClaim that resolves to a PVC
// nobody declares, and an env secretKeyRef whose (templated) Secret nothing produces, are found inside Helm's
// output (WASM engine) and reported at the HelmRelease's file:line. Needs .tools/wasm/helm-render.wasm.
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { renderHelmReleases, withRenderedObjects } from "@homeops/helm";
import { checkInvariants, readRepoFiles } from "@homeops/invariants";
import { buildRepoGraph } from "@homeops/manifests";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./tools.js";

const modulePath = join(repoRoot, ".tools/wasm/helm-render.wasm");
const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))));

describe("helm module", () => {
  it.runIf(inCi)("is built in CI", () => expect(existsSync(modulePath)).toBe(true));
});

describe.skipIf(!existsSync(modulePath))("invariants over rendered HelmReleases", () => {
  it("finds a wrong claim and a missing Secret inside the rendered output, at the HelmRelease", async () => {
    const root = await mkdtemp(join(tmpdir(), "homeops-helm-inv-"));
    temps.push(root);
    const files: Record<string, string> = {
      "kubernetes/flux/cluster/ks.yaml":
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: cluster-apps\n  namespace: flux-system\nspec:\n  interval: 1h\n  path: ./kubernetes/apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
      "kubernetes/apps/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./pvc.yaml\n  - ./helmrelease.yaml\n",
      "kubernetes/apps/pvc.yaml":
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: paperless-data\n  namespace: default\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n",
      "kubernetes/apps/helmrelease.yaml": [
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        "metadata:",
        "  name: paperless",
        "  namespace: default",
        "spec:",
        "  interval: 1h",
        "  chart:",
        "    spec:",
        "      chart: ./charts/app-template",
        "      sourceRef:",
        "        kind: GitRepository",
        "        name: flux-system",
        "        namespace: flux-system",
        "  values:",
        "    controllers:",
        "      main:",
        "        containers:",
        "          app:",
        "            image: {repository: ghcr.io/paperless-ngx/paperless-ngx, tag: '2.15'}",
        "            env:",
        "              PAPERLESS_SECRET_KEY:",
        "                secretKeyRef: {name: '{{ .Release.Name }}-secret', key: SECRET_KEY}",
        "    persistence:",
        "      data:",
        "        existingClaim: '{{ .Release.Name }}-dta'",
        "",
      ].join("\n"),
    };
    for (const [f, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, f)), { recursive: true });
      await writeFile(join(root, f), text);
    }
    await cp(
      join(repoRoot, "packages/helm/test/fixtures/charts/app-template"),
      join(root, "charts/app-template"),
      {
        recursive: true,
      },
    );
    const graph = await buildRepoGraph(root);
    const only = ["storage/missing-claim", "externalsecret/missing-secret"];
    // templated names in the values are out of reach of the value-level checks...
    const before = await checkInvariants({ files: await readRepoFiles(root), graph }, { only });
    expect(before.findings.filter((f) => only.includes(f.ruleId))).toEqual([]);
    // ...and in plain sight once Helm has rendered them (located at the release's values, line 16)
    const report = await renderHelmReleases(graph, { modulePath, cacheDir: join(root, ".cache") });
    expect(report.releases.map((r) => r.status)).toEqual(["rendered"]);
    const after = await checkInvariants(
      { files: await readRepoFiles(root), graph: withRenderedObjects(graph, report) },
      { only },
    );
    const hits = after.findings.filter((f) => only.includes(f.ruleId));
    expect(hits.map((f) => [f.ruleId, f.file, f.line])).toEqual([
      ["externalsecret/missing-secret", "kubernetes/apps/helmrelease.yaml", 16],
      ["storage/missing-claim", "kubernetes/apps/helmrelease.yaml", 16],
    ]);
    expect(hits.map((f) => f.message).join("\n")).toMatch(/paperless-dta/);
    expect(hits.map((f) => f.message).join("\n")).toMatch(/paperless-secret/);
  });
});
