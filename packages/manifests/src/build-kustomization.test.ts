import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildKustomizationDir } from "./index.js";

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

async function repo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-ks-"));
  temps.push(root);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
  return root;
}

const cm = (name: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;
const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: app
          image: nginx
`;

describe("buildKustomizationDir", () => {
  it("builds and keeps provenance: source file, line, chain and field locations through patches", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources:\n  - ./deploy.yaml\npatches:\n  - path: patch.yaml\n",
      "app/deploy.yaml": `# leading comment\n---\n${deploy}`,
      "app/patch.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.ok).toBe(true);
    expect(built.findings).toEqual([]);
    const [web] = built.objects;
    expect(web?.object).toMatchObject({ spec: { replicas: 3 } });
    expect(web?.provenance).toMatchObject({ file: "app/deploy.yaml", line: 3 });
    expect(web?.provenance.chain).toEqual(["app/kustomization.yaml", "patch app/kustomization.yaml:4"]);
    expect(web?.locate(["spec", "replicas"])).toEqual({ file: "app/patch.yaml", line: 6, column: 13 });
    expect(web?.locate(["spec", "template", "spec", "containers", 0, "image"])).toEqual({
      file: "app/deploy.yaml",
      line: 13,
      column: 18,
    });
    expect(web?.locate(["spec", "nope"])).toEqual({ file: "app/deploy.yaml", line: 3, column: 1 });
  });

  it("locates fields of List items in their file", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources: [list.yaml]\n",
      "app/list.yaml":
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: one\n    data:\n      k: v\n",
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.objects[0]?.provenance).toMatchObject({ file: "app/list.yaml", line: 4 });
    expect(built.objects[0]?.locate(["data", "k"])).toEqual({ file: "app/list.yaml", line: 9, column: 10 });
  });

  it("reports duplicate YAML keys with file:line", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources: [cm.yaml]\n",
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: '1'\n  a: '2'\n",
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.ok).toBe(false);
    expect(built.findings).toMatchObject([
      { ruleId: "build/duplicate-key", severity: "error", file: "app/cm.yaml", line: 7 },
    ]);
  });

  it("reports a resource path that does not exist at its kustomization line, and builds the rest", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources:\n  - cm.yaml\n  - missing.yaml\n",
      "app/cm.yaml": cm("x"),
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.ok).toBe(false);
    expect(built.findings).toMatchObject([
      { ruleId: "build/missing-resource", file: "app/kustomization.yaml", line: 3, column: 5 },
    ]);
    expect(built.objects.map((o) => o.name)).toEqual(["x"]);
  });

  it("reports a component cycle", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources: [cm.yaml]\ncomponents:\n  - ../c1\n",
      "app/cm.yaml": cm("x"),
      "c1/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncomponents:\n  - ../c2\n",
      "c2/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncomponents:\n  - ../c1\n",
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.findings).toMatchObject([
      { ruleId: "build/component-cycle", severity: "error", file: "c2/kustomization.yaml", line: 4 },
    ]);
    expect(built.findings[0]?.message).toContain("app → c1 → c2 → c1");
  });

  it("warns when a patch target matches nothing and fails a strategic merge patch without a match", async () => {
    const root = await repo({
      "app/kustomization.yaml": `resources: [cm.yaml]
patches:
  - target: {kind: Deployment}
    patch: '[{"op": "add", "path": "/x", "value": 1}]'
  - patch: |
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: other
`,
      "app/cm.yaml": cm("x"),
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.findings).toMatchObject([
      { ruleId: "build/patch-no-match", severity: "warning", file: "app/kustomization.yaml", line: 3 },
      { ruleId: "build/patch-no-match", severity: "error", file: "app/kustomization.yaml", line: 5 },
    ]);
  });

  it("fails loudly on helmCharts, plugins and unknown fields", async () => {
    const root = await repo({
      "app/kustomization.yaml":
        "resources: [cm.yaml]\nhelmCharts:\n  - name: x\ntransformers: [t.yaml]\nresourcez: []\n",
      "app/cm.yaml": cm("x"),
      "app/t.yaml":
        "apiVersion: example.com/v1\nkind: MyPlugin\nmetadata:\n  name: p\n---\napiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: q\nprefix: a-\n",
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.ok).toBe(false);
    expect(built.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([
      ["build/unsupported-field", "app/kustomization.yaml", 2],
      ["build/unknown-field", "app/kustomization.yaml", 5],
      ["build/unsupported-field", "app/t.yaml", 1],
      ["build/unsupported-field", "app/t.yaml", 6],
    ]);
    expect(built.findings[2]?.message).toContain("example.com/v1/MyPlugin");
    expect(built.findings[3]?.message).toContain("builtin/PrefixSuffixTransformer");
  });

  it("skips remote resources offline with a warning naming the URL, and builds the rest", async () => {
    const url =
      "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml";
    const root = await repo({
      "app/kustomization.yaml": `resources:\n  - ${url}\n  - cm.yaml\n  - github.com/org/repo//deploy?ref=v1\n`,
      "app/cm.yaml": cm("x"),
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.ok).toBe(true);
    expect(built.objects.map((o) => o.name)).toEqual(["x"]);
    expect(built.skippedRemote).toEqual([
      { url, kustomization: "app/kustomization.yaml", line: 2 },
      { url: "github.com/org/repo//deploy?ref=v1", kustomization: "app/kustomization.yaml", line: 4 },
    ]);
    expect(built.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ["build/remote-resource-skipped", "warning"],
      ["build/remote-resource-skipped", "warning"],
    ]);
  });

  it("fetches plain remote files only with allowNetwork (served from 127.0.0.1 here)", async () => {
    const server = createServer((req, res) => {
      if (req.url === "/crd.yaml") res.end(cm("remote"));
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const { port } = server.address() as AddressInfo;
      const root = await repo({
        "app/kustomization.yaml": `resources:\n  - http://127.0.0.1:${port}/crd.yaml\n  - cm.yaml\n`,
        "app/cm.yaml": cm("x"),
      });
      const offline = await buildKustomizationDir(root, "app");
      expect(offline.objects.map((o) => o.name)).toEqual(["x"]);
      expect(offline.skippedRemote).toHaveLength(1);
      const online = await buildKustomizationDir(root, "app", { allowNetwork: true });
      expect(online.findings).toEqual([]);
      expect(online.objects.map((o) => o.name)).toEqual(["remote", "x"]);
      expect(online.objects[0]?.provenance.chain).toEqual([
        "app/kustomization.yaml",
        `http://127.0.0.1:${port}/crd.yaml`,
      ]);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it("never throws on malformed input", async () => {
    const root = await repo({
      "a/kustomization.yaml": "resources: 5\npatches: nope\nconfigMapGenerator: [{}]\nimages: [1]\n",
      "b/kustomization.yaml": "- just\n- a list\n",
      "c/kustomization.yaml": "resources: [bad.yaml]\n",
      "c/bad.yaml": "key: [unclosed\n",
      "d/kustomization.yaml": "resources: [x.yaml]\n",
      "d/x.yaml": "just: a map without kind\n",
      "e/kustomization.yaml":
        'patches:\n  - target: {kind: X}\n    patch: \'[{"op": "bogus"}]\'\nresources: [cm.yaml]\n',
      "e/cm.yaml": "apiVersion: v1\nkind: X\nmetadata:\n  name: y\n",
    });
    for (const dir of ["a", "b", "c", "d", "e", "missing", "../outside"]) {
      const built = await buildKustomizationDir(root, dir);
      expect(built.ok, dir).toBe(false);
      expect(built.findings.length, dir).toBeGreaterThan(0);
      for (const f of built.findings)
        if (dir !== "../outside") expect(f.file, `${dir}: ${f.message}`).toBeDefined();
    }
  });

  it("shares parsed files and base builds between kustomizations", async () => {
    const root = await repo({
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": cm("shared"),
      "app/kustomization.yaml": "resources: [../base, ../overlay]\n",
      "overlay/kustomization.yaml": "resources: [../base2]\n",
      "base2/kustomization.yaml": 'resources: [../base/cm.yaml]\nnameSuffix: "-2"\n',
    });
    const built = await buildKustomizationDir(root, "app");
    expect(built.findings).toEqual([]);
    expect(built.objects.map((o) => o.name)).toEqual(["shared", "shared-2"]);
    expect(built.objects[1]?.provenance.chain).toEqual([
      "app/kustomization.yaml",
      "overlay/kustomization.yaml",
      "base2/kustomization.yaml",
    ]);
  });
});
