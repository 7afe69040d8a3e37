// HelmReleases of a repository rendered from local charts (GitRepository flux-system): values composed from
// valuesFrom + values, schema findings at the HelmRelease values' file:line, disableSchemaValidation, provenance.
import { rm } from "node:fs/promises";
import { buildRepoGraph } from "@homeops/manifests";
import { afterAll, describe, expect, it } from "vitest";
import { renderHelmReleases } from "../src/releases.js";
import { haveTools, MODULE } from "./support/oracle.js";
import { writeRepo } from "./support/repo.js";

const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))));

const hr = (name: string, chart: string, body: string[]) =>
  [
    "---",
    "apiVersion: helm.toolkit.fluxcd.io/v2",
    "kind: HelmRelease",
    "metadata:",
    `  name: ${name}`,
    "  namespace: default",
    "spec:",
    "  interval: 1h",
    "  chart:",
    "    spec:",
    `      chart: ./charts/${chart}`,
    "      sourceRef:",
    "        kind: GitRepository",
    "        name: flux-system",
    "        namespace: flux-system",
    ...body,
    "",
  ].join("\n");

describe.skipIf(!haveTools)("renderHelmReleases (local charts)", () => {
  it("reports a wrong type, a missing required value and an unknown key at the values' file:line", async () => {
    const root = await writeRepo(
      {
        "strict.yaml": hr("strict", "strict", [
          "  values:",
          "    replicas: two", // line 17: wrong type
          "    colour: blue", // line 18: unknown key (additionalProperties: false)
        ]),
        "skipped.yaml": hr("lenient", "strict", [
          "  install:",
          "    disableSchemaValidation: true",
          "  values:",
          "    replicas: 2",
        ]),
      },
      ["strict"],
    );
    temps.push(root);
    const graph = await buildRepoGraph(root);
    const report = await renderHelmReleases(graph, { modulePath: MODULE, cacheDir: `${root}/.cache` });
    const strict = report.releases.find((r) => r.name === "strict")!;
    expect(strict.status).toBe("error");
    const schema = report.findings.filter((f) => f.ruleId === "helm/values-schema");
    const byPath = Object.fromEntries(schema.map((f) => [f.path, f]));
    expect(byPath.replicas).toMatchObject({ file: "kubernetes/apps/strict.yaml", line: 17 });
    expect(byPath.replicas?.message).toContain("got string, want integer");
    expect(byPath["(values)"]?.message).toMatch(/missing propert(y|ies) 'hostname'/);
    expect(byPath["(values)"]).toMatchObject({ file: "kubernetes/apps/strict.yaml", line: 17 });
    const unknown = schema.find((f) => f.message.includes("colour"));
    expect(unknown).toMatchObject({ file: "kubernetes/apps/strict.yaml" });
    const lenient = report.releases.find((r) => r.name === "lenient")!;
    expect(lenient.status).toBe("rendered");
    expect(lenient.objects.map((o) => `${o.kind}/${o.name}`)).toEqual(["Deployment/lenient"]);
  });

  it("composes valuesFrom (ConfigMap, targetPath) and values in Flux's order, with provenance and origin labels", async () => {
    const root = await writeRepo(
      {
        "values.yaml": [
          "apiVersion: v1",
          "kind: ConfigMap",
          "metadata:",
          "  name: app-values",
          "  namespace: default",
          "data:",
          "  values.yaml: |",
          "    controllers:",
          "      main:",
          "        replicas: 3",
          "        containers:",
          "          app:",
          "            image: {repository: from-configmap, tag: '1'}",
          "  tag: '2.0'",
          "",
        ].join("\n"),
        "app.yaml": hr("echo", "app-template", [
          "  targetNamespace: apps",
          "  valuesFrom:",
          "    - kind: ConfigMap",
          "      name: app-values",
          "    - kind: ConfigMap",
          "      name: app-values",
          "      valuesKey: tag",
          "      targetPath: controllers.main.containers.app.image.tag",
          "  values:",
          "    controllers:",
          "      main:",
          "        containers:",
          "          app:",
          "            image:",
          "              repository: inline",
          "    persistence:",
          "      config:",
          "        existingClaim: echo-config",
        ]),
      },
      ["app-template"],
    );
    temps.push(root);
    const graph = await buildRepoGraph(root);
    const report = await renderHelmReleases(graph, { modulePath: MODULE, cacheDir: `${root}/.cache` });
    expect(report.findings).toEqual([]);
    const [release] = report.releases;
    expect(release).toMatchObject({ status: "rendered", releaseName: "apps-echo", releaseNamespace: "apps" });
    const deploy = release!.objects.find((o) => o.kind === "Deployment")!;
    expect(deploy).toMatchObject({ name: "apps-echo", namespace: "apps" });
    const spec = deploy.object.spec as {
      replicas: number;
      template: { spec: { containers: { image: string }[]; volumes: unknown[] } };
    };
    expect(spec.replicas).toBe(3);
    expect(spec.template.spec.containers[0]!.image).toBe("inline:2.0");
    expect(spec.template.spec.volumes).toEqual([
      { name: "config", persistentVolumeClaim: { claimName: "echo-config" } },
    ]);
    expect((deploy.object.metadata as { labels: Record<string, string> }).labels).toMatchObject({
      "helm.toolkit.fluxcd.io/name": "echo",
      "helm.toolkit.fluxcd.io/namespace": "default",
    });
    expect(deploy.provenance.file).toBe("kubernetes/apps/app.yaml");
    expect(deploy.provenance.chain.slice(-3)).toEqual([
      "HelmRelease default/echo",
      "app-template@4.2.0",
      "templates/common.yaml",
    ]);
    expect(release!.notes).toContain("apps-echo installed in apps");
  });

  it("a missing valuesFrom ConfigMap is an error at the reference; an optional one is ignored", async () => {
    const root = await writeRepo(
      {
        "a.yaml": hr("a", "strict", [
          "  valuesFrom:",
          "    - kind: ConfigMap",
          "      name: nowhere",
          "  values:",
          "    hostname: a",
        ]),
        "b.yaml": hr("b", "strict", [
          "  valuesFrom:",
          "    - kind: Secret",
          "      name: nowhere",
          "      optional: true",
          "  values:",
          "    hostname: b",
        ]),
      },
      ["strict"],
    );
    temps.push(root);
    const report = await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir: `${root}/.cache`,
    });
    expect(report.findings).toMatchObject([
      { ruleId: "helm/values-from-missing", file: "kubernetes/apps/a.yaml", line: 17 },
    ]);
    expect(report.releases.map((r) => r.status)).toEqual(["error", "rendered"]);
  });

  it("a valuesFrom Secret that an unknown operator's resource of its name may write renders with a placeholder (info, never an error)", async () => {
    const root = await writeRepo(
      {
        "c.yaml": hr("c", "strict", [
          "  valuesFrom:",
          "    - kind: Secret",
          "      name: vault-item",
          "      valuesKey: host",
          "      targetPath: hostname",
        ]),
        "item.yaml": [
          "apiVersion: onepassword.com/v1",
          "kind: OnePasswordItem",
          "metadata:",
          "  name: vault-item",
          "  namespace: default",
          "spec:",
          "  itemPath: vaults/x/items/vault-item",
          "",
        ].join("\n"),
      },
      ["strict"],
    );
    temps.push(root);
    const report = await renderHelmReleases(await buildRepoGraph(root), {
      modulePath: MODULE,
      cacheDir: `${root}/.cache`,
    });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.findings).toMatchObject([
      { ruleId: "helm/values-from-unknown", severity: "info", file: "kubernetes/apps/c.yaml", line: 17 },
    ]);
    expect(report.findings[0]!.message).toContain("OnePasswordItem default/vault-item");
    expect(report.releases.map((r) => r.status)).toEqual(["rendered"]);
  });
});
