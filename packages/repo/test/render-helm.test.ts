// The stages see rendered HelmReleases: kubeconform validates the objects a local chart renders to (with the
// HelmRelease → chart → template provenance), check's invariants judge them, and --no-render-helm turns it off.
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { checkRepository, diffRepository, openRepository, validateManifests } from "../src/index.js";
import { git } from "./diff-fixture.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const modulePath = join(REPO_ROOT, ".tools/wasm/helm-render.wasm");
// Helm renders through WebAssembly take seconds on a loaded machine
vi.setConfig({ testTimeout: 120_000 });
const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))));

async function repoWithChart(values: string[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-repo-helm-"));
  temps.push(root);
  const files: Record<string, string> = {
    "kubernetes/flux/cluster/ks.yaml":
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: cluster-apps\n  namespace: flux-system\nspec:\n  interval: 1h\n  path: ./kubernetes/apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
    "kubernetes/apps/kustomization.yaml":
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmrelease.yaml\n",
    "kubernetes/apps/helmrelease.yaml": [
      "apiVersion: helm.toolkit.fluxcd.io/v2",
      "kind: HelmRelease",
      "metadata:",
      "  name: echo",
      "  namespace: default",
      "spec:",
      "  interval: 1h",
      "  chart:",
      "    spec:",
      "      chart: ./charts/app-template",
      "      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
      "  values:",
      ...values,
      "",
    ].join("\n"),
  };
  for (const [f, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, f)), { recursive: true });
    await writeFile(join(root, f), text);
  }
  await cp(
    join(REPO_ROOT, "packages/helm/test/fixtures/charts/app-template"),
    join(root, "charts/app-template"),
    {
      recursive: true,
    },
  );
  return root;
}

const app = [
  "    controllers:",
  "      main:",
  "        containers:",
  "          app: {image: {repository: ghcr.io/example/echo, tag: '1.0'}}",
  "    service:",
  "      main: {ports: {http: {port: 8080}}}",
];

describe.skipIf(!existsSync(modulePath))("stages over rendered HelmReleases", () => {
  it("kubeconform validates the rendered objects; --no-render-helm leaves them out", async () => {
    const root = await repoWithChart(app);
    const repo = await openRepository(root, { cwd: "/" });
    const helm = { cacheDir: join(root, ".cache"), modulePath };
    const report = await validateManifests(repo, { helm });
    const origins = report.data?.objects.map((o) => `${o.kind} ${o.name}`) ?? [];
    expect(origins).toEqual(expect.arrayContaining(["Deployment echo", "Service echo"]));
    expect(report.data?.helmReleases).toEqual([
      { name: "default/echo", status: "rendered", chart: "app-template@4.2.0" },
    ]);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.summary).toContain("HelmReleases rendered: 1");
    const off = await validateManifests(await openRepository(root, { cwd: "/" }), {
      helm: { ...helm, render: false },
    });
    expect(off.data?.objects.map((o) => o.kind)).not.toContain("Deployment");
  });

  it("a rendered object that violates its schema is invalid, at the HelmRelease", async () => {
    // the chart renders replicas as given: a string slips past a schema-less values path into the Deployment
    const root = await repoWithChart([...app, "    extra: 1"]);
    const report = await validateManifests(await openRepository(root, { cwd: "/" }), {
      helm: { cacheDir: join(root, ".cache"), modulePath },
    });
    const schema = report.findings.filter((f) => f.ruleId === "helm/values-schema");
    expect(schema).toMatchObject([{ file: "kubernetes/apps/helmrelease.yaml", severity: "error" }]);
    expect(schema[0]?.message).toContain("additional properties 'extra' not allowed");
  });

  it("check: the invariants see the rendered Deployment's claim", async () => {
    const root = await repoWithChart([
      ...app,
      "    persistence:",
      "      data: {existingClaim: '{{ .Release.Name }}-data'}",
    ]);
    const report = await checkRepository(await openRepository(root, { cwd: "/" }), {
      rule: ["storage/missing-claim"],
      helm: { cacheDir: join(root, ".cache"), modulePath },
    });
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([
      ["storage/missing-claim", "kubernetes/apps/helmrelease.yaml", 13],
    ]);
    expect(report.findings[0]?.message).toContain("echo-data");
  });

  it("check: an env secretKeyRef in the rendered output to a key the Secret will not have, at the HelmRelease", async () => {
    const root = await repoWithChart([
      "    controllers:",
      "      main:",
      "        containers:",
      "          app:",
      "            image: {repository: ghcr.io/example/echo, tag: '1.0'}",
      "            env:",
      "              PASSWORD: {secretKeyRef: {name: echo-secret, key: '{{ .Release.Name }}-password'}}",
    ]);
    const secret = (key: string) =>
      `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: echo\n  namespace: default\nspec:\n  secretStoreRef: {kind: ClusterSecretStore, name: vault}\n  target: {name: echo-secret}\n  data:\n    - secretKey: ${key}\n      remoteRef: {key: echo}\n---\napiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata:\n  name: vault\nspec: {}\n`;
    await writeFile(join(root, "kubernetes/apps/secret.yaml"), secret("password"));
    await writeFile(
      join(root, "kubernetes/apps/kustomization.yaml"),
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmrelease.yaml\n  - ./secret.yaml\n",
    );
    const check = async () =>
      checkRepository(await openRepository(root, { cwd: "/" }), {
        rule: ["externalsecret/missing-key"],
        helm: { cacheDir: join(root, ".cache"), modulePath },
      });
    const report = await check();
    // a rendered object is located at the HelmRelease's values (the chart's templates are not the user's)
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([
      ["externalsecret/missing-key", "kubernetes/apps/helmrelease.yaml", 13],
    ]);
    expect(report.findings[0]?.message).toContain("reads key 'echo-password' of Secret default/echo-secret");
    await writeFile(join(root, "kubernetes/apps/secret.yaml"), secret("echo-password"));
    expect((await check()).findings).toEqual([]);
  });

  it("diff: a values bump shows as a change of the rendered Deployment; --no-render-helm compares the HelmRelease only", async () => {
    const root = await repoWithChart(app);
    git(root, "init", "-q", "-b", "main");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "base");
    const bumped = app.map((l) => l.replace("tag: '1.0'", "tag: '1.1'"));
    await writeFile(
      join(root, "kubernetes/apps/helmrelease.yaml"),
      readFileSync(join(root, "kubernetes/apps/helmrelease.yaml"), "utf8").replace(
        app.join("\n"),
        bumped.join("\n"),
      ),
    );
    const helm = { cacheDir: join(root, ".cache"), modulePath };
    const diff = async (options: { render?: boolean }) =>
      diffRepository(await openRepository(root, { cwd: "/" }), {
        base: "main",
        helm: { ...helm, ...options },
      });
    const rendered = await diff({});
    const objects = rendered.data!.kustomizations.flatMap((k) => k.objects);
    expect(objects.map((o) => `${o.action} ${o.kind} ${o.name}`).sort()).toEqual([
      "changed Deployment echo",
      "changed HelmRelease echo",
    ]);
    const deployment = objects.find((o) => o.kind === "Deployment")!;
    expect(deployment.file).toBe("kubernetes/apps/helmrelease.yaml");
    expect(deployment.changes.map((c) => [c.path, c.before, c.after])).toEqual([
      [
        "spec.template.spec.containers[name=app].image",
        '"ghcr.io/example/echo:1.0"',
        '"ghcr.io/example/echo:1.1"',
      ],
    ]);
    const plain = await diff({ render: false });
    expect(plain.data!.kustomizations.flatMap((k) => k.objects).map((o) => o.kind)).toEqual(["HelmRelease"]);
  });
});
