import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildRepoGraph } from "./index.js";

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

async function repo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-repo-"));
  temps.push(root);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
  return root;
}

const ks = (name: string, path: string, extra = ""): string => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1h
  path: ${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${extra}`;

const fixture = join(import.meta.dirname, "../test/fixtures/home-ops");

describe("buildRepoGraph", () => {
  it("discovers Flux objects breadth-first from the cluster root and resolves the graph", async () => {
    const graph = await buildRepoGraph(fixture);
    expect(graph.clusterRoot).toBe("kubernetes/flux");
    expect(graph.kustomizations.map((k) => `${k.namespace}/${k.name}`)).toEqual([
      "flux-system/flux-system",
      "flux-system/cluster-apps",
      "default/echo",
      "flux-system/addons",
      "kube-system/crds",
      "media/jellyfin",
    ]);
    const jellyfin = graph.kustomizations.find((k) => k.name === "jellyfin")!;
    expect(jellyfin).toMatchObject({
      file: "kubernetes/apps/media/jellyfin/ks.yaml",
      line: 2,
      path: "kubernetes/apps/media/jellyfin/app",
      parent: "flux-system/cluster-apps",
      dependsOn: [{ name: "crds", namespace: "kube-system" }],
      sourceRef: { kind: "GitRepository", name: "flux-system", namespace: "media" },
      variables: { APP: "jellyfin", VOLSYNC_CAPACITY: "50Gi" },
      status: "built",
    });
    // the parent's patches reached the child: decryption and a HelmRelease patch
    expect(jellyfin.spec.decryption).toEqual({ provider: "sops", secretRef: { name: "sops-age" } });
    const pvc = jellyfin.objects.find((o) => o.kind === "PersistentVolumeClaim")!;
    expect(pvc.object).toMatchObject({
      metadata: { name: "jellyfin", namespace: "media" },
      spec: { resources: { requests: { storage: "50Gi" } }, storageClassName: "ceph-block" },
    });
    expect(pvc.provenance.file).toBe("kubernetes/components/volsync/pvc.yaml");
    expect(pvc.provenance.chain).toEqual([
      "Kustomization media/jellyfin",
      "kubernetes/apps/media/jellyfin/app/kustomization.yaml",
      "kubernetes/components/volsync/kustomization.yaml",
    ]);
    expect(pvc.locate(["spec", "resources", "requests", "storage"])).toMatchObject({
      file: "kubernetes/components/volsync/pvc.yaml",
      line: 9,
    });
    const hr = graph.helmReleases[0]!;
    expect(hr).toMatchObject({ name: "jellyfin", namespace: "media", kustomization: "media/jellyfin" });
    expect(hr.object.object).toMatchObject({ spec: { install: { remediation: { retries: -1 } } } });
    // a field set by a patch the parent injected points at that patch in the parent's file
    expect(hr.object.locate(["spec", "install", "remediation", "retries"])).toMatchObject({
      file: "kubernetes/flux/cluster/ks.yaml",
      line: 18,
    });
    expect(hr.object.locate(["spec", "chartRef", "name"])).toMatchObject({
      file: "kubernetes/apps/media/jellyfin/app/helmrelease.yaml",
      line: 9,
    });
    // a JSON 6902 patch's target path points at the patch entry
    const echo = graph.kustomizations.find((k) => k.name === "echo")!;
    const svc = echo.objects.find((o) => o.kind === "Service")!;
    expect(
      svc.locate(["metadata", "annotations", "external-dns.alpha.kubernetes.io/hostname"]),
    ).toMatchObject({
      file: "kubernetes/apps/default/echo/app/kustomization.yaml",
      line: 12,
    });
    expect(graph.sources.map((s) => `${s.kind} ${s.namespace}/${s.name} ${s.isRepoRoot}`)).toEqual([
      "GitRepository flux-system/flux-system true",
      "OCIRepository media/jellyfin false",
    ]);
    expect(graph.objects.length).toBe(graph.kustomizations.reduce((n, k) => n + k.objects.length, 0));
    expect(graph.files.has("kubernetes/components/volsync/pvc.yaml")).toBe(true);
    // ExternalSecret Go templates pass through substitution untouched
    const addons = graph.kustomizations.find((k) => k.name === "addons")!;
    expect(addons.objects[0]?.object).toMatchObject({
      data: { untouched: "{{ .TEMPLATE }}", domain: "x-secret-domain" },
    });
  });

  it("fails an undefined variable in strict mode at the source line, and substitutes empty when lenient", async () => {
    const root = await repo({
      "kubernetes/flux/ks.yaml": ks(
        "app",
        "./app",
        "  targetNamespace: default\n  postBuild:\n    substitute:\n      APP: web\n",
      ),
      "app/kustomization.yaml": "resources: [cm.yaml]\n",
      "app/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${APP}\ndata:\n  a: ${APP}\n  b: ${NOT_SET}\n",
    });
    const strict = await buildRepoGraph(root);
    const app = strict.kustomizations.find((k) => k.name === "app")!;
    expect(app.status).toBe("error");
    expect(strict.findings).toMatchObject([
      {
        ruleId: "build/undefined-variable",
        severity: "error",
        file: "app/cm.yaml",
        line: 7,
        column: 6,
        path: "data.b",
      },
    ]);
    expect(strict.findings[0]?.message).toContain("NOT_SET");

    const lenient = await buildRepoGraph(root, { strict: false });
    expect(lenient.findings).toEqual([]);
    expect(lenient.kustomizations.find((k) => k.name === "app")?.objects[0]?.object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "web", namespace: "default" },
      data: { a: "web", b: null },
    });
  });

  it("reads a substituteFrom Secret that a sibling Kustomization's ExternalSecret writes; one nobody writes still fails", async () => {
    // both in the apps' namespace, as a namespace kustomization puts them (Flux reads sources there)
    const inDefault = (text: string) =>
      text.replace("namespace: flux-system\nspec:", "namespace: default\nspec:");
    const bucket = inDefault(
      ks(
        "a-bucket",
        "./bucket",
        "  targetNamespace: default\n  postBuild:\n    substitute:\n      BUCKET: miniflux\n",
      ),
    );
    // the app is declared first: at its level the bucket's ExternalSecret is not built yet
    const app = (source: string) =>
      inDefault(
        ks(
          "a",
          "./app",
          `  targetNamespace: default\n  dependsOn:\n    - name: a-bucket\n  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: ${source}\n`,
        ),
      );
    const files = (source: string) => ({
      "kubernetes/flux/ks.yaml": `${app(source)}---\n${bucket}`,
      "bucket/kustomization.yaml": "resources: [es.yaml]\n",
      "bucket/es.yaml":
        "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: ${BUCKET}\nspec:\n  secretStoreRef: {kind: SecretStore, name: local}\n  target:\n    name: ${BUCKET}\n    template:\n      data:\n        BUCKET_NAME: x\n",
      "app/kustomization.yaml": "resources: [cm.yaml]\n",
      "app/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  bucket: ${BUCKET_NAME}\n",
    });
    const graph = await buildRepoGraph(await repo(files("miniflux")));
    expect(graph.findings).toEqual([]);
    const a = graph.kustomizations.find((k) => k.name === "a")!;
    expect(a.status).toBe("built");
    expect(a.substitutionSources).toMatchObject([{ kind: "Secret", name: "miniflux", found: true }]);
    expect(graph.kustomizations.map((k) => k.name)).toEqual(["flux-system", "a", "a-bucket"]);

    const missing = await buildRepoGraph(await repo(files("nowhere")));
    expect(missing.findings.map((f) => f.ruleId)).toEqual(["build/missing-substitute-source"]);
    expect(missing.kustomizations.find((k) => k.name === "a")?.status).toBe("error");
  });

  it("reads a substituteFrom Secret that a bootstrap task renders from a template: its keys, not its values", async () => {
    const files = {
      "kubernetes/flux/ks.yaml": ks(
        "tunnel",
        "./app",
        "  targetNamespace: default\n  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: tunnel-id\n",
      ),
      "app/kustomization.yaml": "resources: [cm.yaml]\n",
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  id: ${TUNNEL_ID}\n",
      // `op inject -i resources.yaml.j2 | kubectl apply -f -` before Flux: the value is the tool's to fill in
      "bootstrap/resources.yaml.j2":
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tunnel-id\n  namespace: flux-system\nstringData:\n  TUNNEL_ID: op://kubernetes/cloudflare/TUNNEL_ID\n",
    };
    const graph = await buildRepoGraph(await repo(files));
    expect(graph.findings).toEqual([]);
    const tunnel = graph.kustomizations.find((k) => k.name === "tunnel")!;
    expect(tunnel.substitutionSources).toMatchObject([
      {
        kind: "Secret",
        name: "tunnel-id",
        found: true,
        keys: ["TUNNEL_ID"],
        file: "bootstrap/resources.yaml.j2",
      },
    ]);
    expect(tunnel.objects[0]?.object).toMatchObject({ data: { id: "x-tunnel-id" } });
    // a template that is not YAML, or names another Secret, does not count
    const other = await buildRepoGraph(
      await repo({
        ...files,
        "bootstrap/resources.yaml.j2": "{% for s in secrets %}\nkind: Secret\n{% endfor %}\n",
      }),
    );
    expect(other.findings.map((f) => f.ruleId)).toEqual(["build/missing-substitute-source"]);
  });

  it("a Kustomization declared twice is an error; one that applies itself (as flux-system does) is not", async () => {
    const twice = await buildRepoGraph(
      await repo({
        "kubernetes/flux/ks.yaml": `${ks("one", "./one")}---\n${ks("two", "./two")}`,
        "one/ks.yaml": ks("app", "./app"),
        "two/ks.yaml": ks("app", "./app"),
        "app/kustomization.yaml": "resources: []\n",
      }),
    );
    expect(twice.findings.map((f) => `${f.ruleId} ${f.file}`)).toEqual([
      "flux/duplicate-kustomization two/ks.yaml",
    ]);

    const itself = await buildRepoGraph(
      await repo({
        "kubernetes/flux/kustomization.yaml": "resources: [../../app/ks.yaml]\n",
        "app/ks.yaml": ks("app", "./app"),
        "app/kustomization.yaml": "resources: [ks.yaml]\n",
      }),
    );
    expect(itself.findings).toEqual([]);
    expect(itself.kustomizations.map((k) => k.name)).toEqual(["flux-system", "app"]);
  });

  it("fails namespaced objects that end up without a namespace, as kustomize-controller does", async () => {
    const root = await repo({
      "kubernetes/flux/ks.yaml": ks("app", "./app"),
      "app/kustomization.yaml": "resources: [objs.yaml]\n",
      "app/objs.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: no-namespace
---
apiVersion: v1
kind: Namespace
metadata:
  name: fine
---
apiVersion: example.com/v1
kind: Unknown
metadata:
  name: unknown-scope-is-not-reported
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: namespaced-by-crd
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: []
`,
    });
    const graph = await buildRepoGraph(root);
    expect(graph.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([
      ["flux/namespace-not-specified", "app/objs.yaml", 1],
      ["flux/namespace-not-specified", "app/objs.yaml", 16],
    ]);
    expect(graph.kustomizations.find((k) => k.name === "app")?.status).toBe("error");
  });

  it("reads `configMapgenerator` as kustomize does, and leaves the parsed kustomization file as it was", async () => {
    const root = await repo({
      "kubernetes/flux/ks.yaml": ks("app", "./app"),
      "app/kustomization.yaml":
        "configMapgenerator:\n  - name: values\n    namespace: default\n    files: [values.yaml]\n",
      "app/values.yaml": "replicas: 1\n",
    });
    const graph = await buildRepoGraph(root);
    const app = graph.kustomizations.find((k) => k.name === "app");
    expect(app?.objects.map((o) => [o.kind, o.name.replace(/-[a-z0-9]{10}$/, "-<hash>")])).toEqual([
      ["ConfigMap", "values-<hash>"],
    ]);
    // the document is shared (rules and later builds read it, the parse cache keeps it): never renamed in place
    expect(Object.keys(graph.files.get("app/kustomization.yaml")?.documents[0]?.value as object)).toEqual([
      "configMapgenerator",
    ]);
  });

  it("never throws on malformed Flux objects", async () => {
    const root = await repo({
      "kubernetes/flux/ks.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: a, namespace: flux-system}
spec: just a string
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: b, namespace: flux-system}
spec:
  path: 42
  sourceRef: {kind: GitRepository, name: flux-system}
  patches: [1, {patch: 2}, {target: "x"}]
  components: [7, "../../nope"]
  images: "no"
  dependsOn: [{}, "x"]
  postBuild: {substitute: {N: 3, "bad-name": x}, substituteFrom: [x, {kind: Secret}]}
  commonMetadata: {labels: 5}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: c, namespace: flux-system}
`,
    });
    const graph = await buildRepoGraph(root);
    expect(graph.kustomizations.map((k) => k.name)).toEqual(["flux-system", "a", "b", "c"]);
    expect(graph.findings.length).toBeGreaterThan(0);
  });

  it("terminates on a directory cycle reached from two concurrent Kustomizations", async () => {
    const root = await repo({
      "kubernetes/flux/ks.yaml": `${ks("one", "./p")}---\n${ks("two", "./q")}`,
      "p/kustomization.yaml": "resources: [../a]\n",
      "q/kustomization.yaml": "resources: [../b]\n",
      "a/kustomization.yaml": "resources: [../b]\n",
      "b/kustomization.yaml": "resources: [../a]\n",
    });
    const graph = await buildRepoGraph(root);
    expect(graph.kustomizations.map((k) => `${k.name}:${k.status}`)).toEqual([
      "flux-system:built",
      "one:error",
      "two:error",
    ]);
    expect(graph.findings.map((f) => f.ruleId)).toContain("build/resource-cycle");
  });

  it("reports a Kustomization path that does not exist at its spec.path line", async () => {
    const root = await repo({ "kubernetes/flux/ks.yaml": ks("app", "./nope") });
    const graph = await buildRepoGraph(root);
    expect(graph.findings).toMatchObject([
      {
        ruleId: "flux/path-not-found",
        severity: "error",
        file: "kubernetes/flux/ks.yaml",
        line: 8,
        column: 9,
      },
    ]);
  });

  it("reports a missing cluster root and an unknown source", async () => {
    const empty = await repo({ "README.md": "x" });
    expect((await buildRepoGraph(empty)).findings).toMatchObject([{ ruleId: "flux/missing-cluster-root" }]);
    const root = await repo({
      "clusters/main/ks.yaml": ks("app", "./app").replace("kind: GitRepository", "kind: OCIRepository"),
    });
    const graph = await buildRepoGraph(root, { clusterRoot: "clusters/main" });
    expect(graph.kustomizations.find((k) => k.name === "app")?.status).toBe("skipped");
    expect(graph.findings).toMatchObject([{ ruleId: "flux/external-source", severity: "info" }]);
  });
});
