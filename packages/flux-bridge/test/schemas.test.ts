// `homeops schemas pull --from-cluster`: the cluster's installed CRDs become strict schemas in the schema
// cache, and an offline `homeops kubeconform` then judges custom resources by exactly those CRDs.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYaml } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { pullClusterSchemas } from "../src/cluster-schemas.js";
import type { KubeObject } from "../src/internal/objects.js";
import { applyAs, clientAs, cluster, fixtures, runHomeops } from "./harness/helpers.js";

const WIDGET = "example.homeops.dev/v1alpha1/Widget";

interface ObjectVerdict {
  kind: string;
  name: string;
  status: string;
  violations: unknown[];
}

function widgets(stdout: string): ObjectVerdict[] {
  const report = JSON.parse(stdout) as { data?: { objects?: ObjectVerdict[] } };
  return (report.data?.objects ?? []).filter((o) => o.kind === "Widget");
}

describe("schemas pull --from-cluster against a real API server", () => {
  it("stores an installed CRD's strict schema; kubeconform then catches an invalid custom resource", async () => {
    const file = join(fixtures, "schemas/widget-crd.yaml");
    const crd = parseYaml(readFileSync(file, "utf8"), { file }).documents[0]!.value as KubeObject;
    await applyAs([crd], "test-setup", "admin");

    // the library: read-only, one schema per served version, converted as the catalog converts CRDs
    const libraryCache = mkdtempSync(join(tmpdir(), "homeops-cluster-schemas-"));
    const report = await pullClusterSchemas(clientAs("reader"), libraryCache);
    expect(report.data?.stored).toContain(WIDGET);
    const index = JSON.parse(readFileSync(join(libraryCache, "index.json"), "utf8")) as {
      kinds: Record<string, string>;
    };
    expect(index.kinds[WIDGET]).toMatch(
      /^cluster:https:\/\/127\.0\.0\.1:\d+\/example\.homeops\.dev\/widget_v1alpha1\.json$/,
    );

    // the CLI, as a user runs it: before the pull the Widgets have no schema, after it the bad one is invalid
    const repo = mkdtempSync(join(tmpdir(), "homeops-widgets-"));
    cpSync(join(fixtures, "schemas/kubernetes"), join(repo, "kubernetes"), { recursive: true });
    writeFileSync(
      join(repo, "kubernetes/apps/widgets/kustomization.yaml"),
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./widgets.yaml\n",
    );
    const cache = mkdtempSync(join(tmpdir(), "homeops-cache-"));
    const env = { HOMEOPS_CACHE_DIR: cache };
    const before = runHomeops(["-C", repo, "kubeconform", "kubernetes", "--output", "json"], { env });
    expect(widgets(before.stdout).map((o) => o.status)).toEqual(["skipped", "skipped"]);

    const pull = runHomeops(["-C", repo, "schemas", "pull", "--from-cluster"], {
      env: { ...env, KUBECONFIG: cluster().kubeconfigs.reader },
    });
    expect(pull.status, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/schemas from \d+ CRDs of https:\/\/127\.0\.0\.1:\d+/);

    const after = runHomeops(["-C", repo, "kubeconform", "kubernetes", "--output", "json"], { env });
    expect(after.status, after.stderr).toBe(1);
    const verdicts = widgets(after.stdout);
    expect(verdicts.find((o) => o.name === "good")?.status).toBe("valid");
    const bad = verdicts.find((o) => o.name === "bad");
    expect(bad?.status).toBe("invalid");
    expect(JSON.stringify(bad?.violations)).toMatch(/size/);
  }, 120_000);
});
