// HelmRelease spec.postRenderers, as helm-controller applies them: each kustomize post-renderer in order over the
// rendered manifests and hooks, then the origin labels. Differential against the kustomize CLI, the way
// helm-controller's postrender package runs krusty: the rendered stream as `helm-output.yaml`, the same patches
// and images in a kustomization.yaml, one build per post-renderer, the origin labels as a last build.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseYaml } from "@homeops/core";
import { buildRepoGraph } from "@homeops/manifests";
import { afterAll, describe, expect, it } from "vitest";
import { loadHelmEngine } from "../src/engine.js";
import { renderHelmReleases } from "../src/releases.js";
import { CHARTS, haveTools, inCi, MODULE, REPO_ROOT } from "./support/oracle.js";
import { writeRepo } from "./support/repo.js";

const run = promisify(execFile);
const KUSTOMIZE = join(REPO_ROOT, ".tools/bin/kustomize");
const haveKustomize = existsSync(KUSTOMIZE);
const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))));

type Obj = Record<string, unknown>;

/** A HelmRelease `web` in `default` of the post-render fixture chart, with `spec` lines appended. */
const hr = (body: string[], apiVersion = "v2") =>
  [
    `apiVersion: helm.toolkit.fluxcd.io/${apiVersion}`,
    "kind: HelmRelease",
    "metadata:",
    "  name: web",
    "  namespace: default",
    "spec:",
    "  interval: 1h",
    "  chart:",
    "    spec:",
    "      chart: ./charts/post-render",
    "      sourceRef:",
    "        kind: GitRepository",
    "        name: flux-system",
    "        namespace: flux-system",
    ...body,
    "",
  ].join("\n");

interface Case {
  name: string;
  apiVersion?: string;
  /** `spec` lines of the HelmRelease (postRenderers, values). */
  spec: string[];
  /** What the post-renderers must have done (so that agreement is not agreement on doing nothing). */
  check: (objects: Obj[]) => void;
}

const find = (objects: Obj[], kind: string, name: string): Obj =>
  objects.find((o) => o.kind === kind && (o.metadata as Obj).name === name)!;
const podSpec = (o: Obj) => ((o.spec as Obj).template as Obj).spec as Obj;
const containers = (o: Obj) => podSpec(o).containers as Obj[];

const CASES: Case[] = [
  {
    name: "a strategic-merge patch adds a sidecar (target by the patch's own id)",
    spec: [
      "  postRenderers:",
      "    - kustomize:",
      "        patches:",
      "          - patch: |",
      "              apiVersion: apps/v1",
      "              kind: Deployment",
      "              metadata:",
      "                name: web",
      "              spec:",
      "                template:",
      "                  spec:",
      "                    containers:",
      "                      - name: proxy",
      "                        image: envoyproxy/envoy:v1.31.0",
      "                        args: [--config, /etc/envoy.yaml]",
    ],
    check: (objects) => {
      const web = find(objects, "Deployment", "web");
      expect(containers(web).map((c) => c.name)).toEqual(["proxy", "app"]);
    },
  },
  {
    name: "a JSON 6902 patch with a target by kind and name",
    spec: [
      "  postRenderers:",
      "    - kustomize:",
      "        patches:",
      "          - target:",
      "              kind: Deployment",
      "              name: web",
      "            patch: |",
      "              - op: replace",
      "                path: /spec/replicas",
      "                value: 3",
      "              - op: add",
      "                path: /spec/template/spec/containers/0/env",
      "                value: [{name: MODE, value: fast}]",
    ],
    check: (objects) => {
      const web = find(objects, "Deployment", "web");
      expect((web.spec as Obj).replicas).toBe(3);
      expect(containers(web)[0]!.env).toEqual([{ name: "MODE", value: "fast" }]);
      expect((find(objects, "Deployment", "web-worker").spec as Obj).replicas).toBeUndefined();
    },
  },
  {
    name: "a labelSelector target selects the worker Deployment and the ConfigMap only",
    spec: [
      "  postRenderers:",
      "    - kustomize:",
      "        patches:",
      "          - target:",
      "              labelSelector: tier in (worker, config)",
      "            patch: |",
      "              - op: add",
      "                path: /metadata/annotations",
      "                value: {reloader.stakater.com/auto: 'true'}",
    ],
    check: (objects) => {
      const annotated = objects
        .filter((o) => ((o.metadata as Obj).annotations as Obj | undefined)?.["reloader.stakater.com/auto"])
        .map((o) => `${o.kind}/${(o.metadata as Obj).name}`)
        .sort();
      expect(annotated).toEqual(["ConfigMap/web-config", "Deployment/web-worker"]);
    },
  },
  {
    name: "images set a new tag, a new name and a digest (containers, initContainers, hooks)",
    spec: [
      "  postRenderers:",
      "    - kustomize:",
      "        images:",
      "          - name: ghcr.io/example/app",
      "            newTag: 2.0.0",
      "          - name: docker.io/library/busybox",
      "            newName: mirror.example.com/busybox",
      "            digest: sha256:0000000000000000000000000000000000000000000000000000000000000001",
    ],
    check: (objects) => {
      expect(containers(find(objects, "Deployment", "web"))[0]!.image).toBe("ghcr.io/example/app:2.0.0");
      const worker = find(objects, "Deployment", "web-worker");
      const busybox =
        "mirror.example.com/busybox@sha256:0000000000000000000000000000000000000000000000000000000000000001";
      expect(containers(worker)[0]!.image).toBe(busybox);
      expect((podSpec(worker).initContainers as Obj[])[0]!.image).toBe(busybox);
      expect(containers(find(objects, "Job", "web-migrate"))[0]!.image).toBe("ghcr.io/example/app:2.0.0");
    },
  },
  {
    name: "two post-renderers apply in order (the second patches what the first added)",
    spec: [
      "  postRenderers:",
      "    - kustomize:",
      "        patches:",
      "          - target: {kind: Deployment, name: web}",
      "            patch: |",
      "              - op: add",
      "                path: /spec/template/spec/containers/0/env",
      "                value: [{name: STAGE, value: first}]",
      "    - kustomize:",
      "        patches:",
      "          - target: {kind: Deployment, name: web}",
      "            patch: |",
      "              - op: test",
      "                path: /spec/template/spec/containers/0/env/0/value",
      "                value: first",
      "              - op: replace",
      "                path: /spec/template/spec/containers/0/env/0/value",
      "                value: second",
      "        images:",
      "          - name: ghcr.io/example/app",
      "            newTag: 3.0.0",
    ],
    check: (objects) => {
      const app = containers(find(objects, "Deployment", "web"))[0]!;
      expect(app.env).toEqual([{ name: "STAGE", value: "second" }]);
      expect(app.image).toBe("ghcr.io/example/app:3.0.0");
    },
  },
  {
    name: "v2beta2: the deprecated patchesStrategicMerge and patchesJson6902",
    apiVersion: "v2beta2",
    spec: [
      "  postRenderers:",
      "    - kustomize:",
      "        patchesStrategicMerge:",
      "          - apiVersion: v1",
      "            kind: Service",
      "            metadata:",
      "              name: web",
      "            spec:",
      "              type: LoadBalancer",
      "        patchesJson6902:",
      "          - target:",
      "              version: v1",
      "              kind: ConfigMap",
      "              name: web-config",
      "            patch:",
      "              - op: add",
      "                path: /data/extra",
      "                value: 'yes'",
    ],
    check: (objects) => {
      expect((find(objects, "Service", "web").spec as Obj).type).toBe("LoadBalancer");
      expect((find(objects, "ConfigMap", "web-config").data as Obj).extra).toBe("yes");
    },
  },
  {
    name: "a patch on a hook's kind reaches the hook (Helm 4 post-renders hooks with the manifests)",
    spec: [
      "  postRenderers:",
      "    - kustomize:",
      "        patches:",
      "          - target: {group: batch, kind: Job}",
      "            patch: |",
      "              apiVersion: batch/v1",
      "              kind: Job",
      "              metadata:",
      "                name: any",
      "              spec:",
      "                backoffLimit: 0",
      "  values:",
      "    podAnnotations:",
      "      prometheus.io/scrape: 'true'",
    ],
    check: (objects) => {
      expect((find(objects, "Job", "web-migrate").spec as Obj).backoffLimit).toBe(0);
    },
  },
];

/** The `spec.postRenderers[].kustomize` blocks of a case, read back from its HelmRelease. */
function kustomizeBlocks(c: Case): Obj[] {
  const doc = parseYaml(hr(c.spec, c.apiVersion), { file: "hr.yaml" }).documents[0]!.value as Obj;
  const spec = doc.spec as Obj;
  return ((spec.postRenderers as Obj[] | undefined) ?? []).map((p) => p.kustomize as Obj);
}

/** One `kustomize build` of `stream` as helm-output.yaml with `fields` in the kustomization. */
async function kustomizeBuild(stream: string, fields: Obj): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-post-render-"));
  temps.push(dir);
  await writeFile(join(dir, "helm-output.yaml"), stream);
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: ["helm-output.yaml"],
    ...fields,
  };
  await writeFile(join(dir, "kustomization.yaml"), JSON.stringify(kustomization));
  const { stdout } = await run(KUSTOMIZE, ["build", dir], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** What helm-controller installs for `c`, computed with the kustomize CLI. */
async function oracle(c: Case): Promise<Obj[]> {
  const engine = await loadHelmEngine({ modulePath: MODULE });
  const values = (parseYaml(hr(c.spec, c.apiVersion), { file: "hr.yaml" }).documents[0]!.value as Obj)
    .spec as Obj;
  const [result] = await engine.render([
    {
      chart: { dir: join(CHARTS, "post-render") },
      release: { name: "web", namespace: "default" },
      values: (values.values as Obj | undefined) ?? {},
    },
  ]);
  expect(result!.error).toBeUndefined();
  // Helm 4's default strategy posts manifests and hooks (tests included) as one stream; the v2beta* APIs were
  // served by helm-controllers on Helm 3, which never post-rendered hooks
  const combined = c.apiVersion === undefined;
  const toStream = (docs: { content: string }[]) => docs.map((d) => `---\n${d.content}\n`).join("");
  let stream = toStream(combined ? [...result!.manifests, ...result!.hooks] : result!.manifests);
  for (const k of kustomizeBlocks(c)) {
    const fields: Obj = {};
    if (k.patches !== undefined) fields.patches = k.patches;
    if (k.images !== undefined) fields.images = k.images;
    if (k.patchesStrategicMerge !== undefined)
      fields.patchesStrategicMerge = (k.patchesStrategicMerge as Obj[]).map((p) => JSON.stringify(p));
    if (k.patchesJson6902 !== undefined)
      fields.patchesJson6902 = (k.patchesJson6902 as Obj[]).map((p) => ({
        target: p.target,
        patch: JSON.stringify(p.patch),
      }));
    stream = await kustomizeBuild(stream, fields);
  }
  // helm-controller's origin labels: a label transformer on metadata/labels only
  stream = await kustomizeBuild(stream, {
    labels: [
      { pairs: { "helm.toolkit.fluxcd.io/name": "web", "helm.toolkit.fluxcd.io/namespace": "default" } },
    ],
  });
  if (!combined) stream += toStream(result!.hooks);
  return parseYaml(stream, { file: "kustomize-output.yaml", version: "1.1" })
    .documents.map((d) => d.value as Obj)
    .filter(
      (o) =>
        !String(((o.metadata as Obj).annotations as Obj | undefined)?.["helm.sh/hook"] ?? "").includes(
          "test",
        ),
    );
}

async function ours(c: Case) {
  const root = await writeRepo({ "web.yaml": hr(c.spec, c.apiVersion) }, ["post-render"]);
  temps.push(root);
  const report = await renderHelmReleases(await buildRepoGraph(root), {
    modulePath: MODULE,
    cacheDir: `${root}/.cache`,
  });
  return report;
}

/** Key-order-insensitive, object-order-insensitive. */
function normalize(objects: Obj[]): unknown[] {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === "object")
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, norm((v as Obj)[k])]),
      );
    return v;
  };
  const id = (o: Obj) => `${o.apiVersion}|${o.kind}|${(o.metadata as Obj).name}`;
  return [...objects].sort((a, b) => id(a).localeCompare(id(b))).map(norm);
}

describe("kustomize CLI oracle (post-renderers)", () => {
  it.runIf(inCi)("is present in CI (run scripts/setup.sh --oracles)", () => {
    expect(haveKustomize, `${KUSTOMIZE} is missing`).toBe(true);
  });
});

const ORACLE_SUITE = haveKustomize
  ? "postRenderers agree with kustomize (as helm-controller runs it)"
  : `postRenderers agree with kustomize — skipped: ${KUSTOMIZE} is missing (run scripts/setup.sh --oracles)`;

describe.skipIf(!haveTools || !haveKustomize)(ORACLE_SUITE, () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const report = await ours(c);
      expect(report.findings).toEqual([]);
      const [release] = report.releases;
      expect(release!.status).toBe("rendered");
      const objects = release!.objects.map((o) => o.object);
      c.check(objects);
      expect(normalize(objects)).toEqual(normalize(await oracle(c)));
    });
  }
});

describe.skipIf(!haveTools)("postRenderers findings", () => {
  it("a JSON patch that cannot apply fails the release at the patch entry, never a crash", async () => {
    const report = await ours({
      name: "bad",
      spec: [
        "  postRenderers:", // line 15
        "    - kustomize:",
        "        patches:",
        "          - target: {kind: Deployment, name: web}", // line 18
        "            patch: |",
        "              - op: replace",
        "                path: /spec/nothing/here",
        "                value: 1",
      ],
      check: () => {},
    });
    const [release] = report.releases;
    expect(release!.status).toBe("error");
    expect(release!.objects).toEqual([]);
    expect(report.findings).toMatchObject([
      { ruleId: "helm/post-render", severity: "error", file: "kubernetes/apps/web.yaml", line: 18 },
    ]);
    expect(report.findings[0]!.message).toContain("postRenderers[0]");
  });

  it("a strategic-merge patch whose id matches nothing fails like kustomize (no target)", async () => {
    const report = await ours({
      name: "no-match",
      spec: [
        "  postRenderers:",
        "    - kustomize:",
        "        patches:",
        "          - patch: |",
        "              apiVersion: apps/v1",
        "              kind: Deployment",
        "              metadata: {name: nope}",
        "              spec: {replicas: 2}",
      ],
      check: () => {},
    });
    expect(report.releases[0]!.status).toBe("error");
    expect(report.findings.map((f) => f.ruleId)).toEqual(["helm/post-render"]);
  });

  it("v2 drops patchesStrategicMerge and unknown fields: warnings at the field, the rest applies", async () => {
    const report = await ours({
      name: "v2-legacy",
      spec: [
        "  postRenderers:",
        "    - kustomize:",
        "        patchesStrategicMerge:",
        "          - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {type: LoadBalancer}}", // line 18
        "        images:",
        "          - name: ghcr.io/example/app",
        "            newTag: 9.9.9",
        "            tag: wrong", // line 22
      ],
      check: () => {},
    });
    const [release] = report.releases;
    expect(release!.status).toBe("rendered");
    expect(report.findings).toMatchObject([
      { ruleId: "helm/post-renderer-invalid", severity: "warning", line: 18 },
      { ruleId: "helm/post-renderer-invalid", severity: "warning", line: 22 },
    ]);
    expect(report.findings.map((f) => f.message).join("\n")).not.toContain("not applied yet");
    const objects = release!.objects.map((o) => o.object);
    expect((find(objects, "Service", "web").spec as Obj).type).toBeUndefined();
    expect(containers(find(objects, "Deployment", "web"))[0]!.image).toBe("ghcr.io/example/app:9.9.9");
  });

  it("postRenderStrategy nohooks leaves hooks as rendered (no patches, no origin labels); CRDs are never post-rendered", async () => {
    const report = await ours({
      name: "nohooks",
      spec: [
        "  postRenderStrategy: nohooks",
        "  postRenderers:",
        "    - kustomize:",
        "        images:",
        "          - name: ghcr.io/example/app",
        "            newTag: 2.0.0",
      ],
      check: () => {},
    });
    const objects = report.releases[0]!.objects.map((o) => o.object);
    const job = find(objects, "Job", "web-migrate");
    expect(containers(job)[0]!.image).toBe("ghcr.io/example/app:1.0.0");
    expect((job.metadata as Obj).labels).toBeUndefined();
    expect(containers(find(objects, "Deployment", "web"))[0]!.image).toBe("ghcr.io/example/app:2.0.0");
    expect(objects.some((o) => o.kind === "Pod")).toBe(false);
  });

  it("a patched field is located at the patch; other fields keep the release's values position", async () => {
    const root = await writeRepo(
      {
        "web.yaml": hr([
          "  postRenderers:",
          "    - kustomize:",
          "        patches:",
          "          - target: {kind: Deployment, name: web}", // line 18
          "            patch: |",
          "              - op: replace",
          "                path: /spec/replicas",
          "                value: 4",
          "  values:", // line 23
          "    image: ghcr.io/example/app:1.1.0",
        ]),
      },
      ["post-render"],
    );
    temps.push(root);
    const report = await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir: `${root}/.cache`,
    });
    const web = report.releases[0]!.objects.find((o) => o.kind === "Deployment" && o.name === "web")!;
    expect(web.namespace).toBe("default");
    expect(web.locate(["spec", "replicas"])).toMatchObject({ file: "kubernetes/apps/web.yaml", line: 18 });
    expect(web.locate(["spec", "template"])).toMatchObject({ file: "kubernetes/apps/web.yaml", line: 24 });
    expect(web.provenance.chain.at(-1)).toBe("patch kubernetes/apps/web.yaml:18");
  });
});
