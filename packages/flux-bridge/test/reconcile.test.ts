import { UserError } from "@homeops/core";
import { beforeAll, describe, expect, it } from "vitest";
import { reconcileFluxObject, resumeFluxObject, suspendFluxObject } from "../src/reconcile.js";
import {
  applyAs,
  clientAs,
  ensureNamespaces,
  handleNextReconcile,
  ready,
  writeStatus,
} from "./harness/helpers.js";

const NS = "rc-flux";
const KS = "kustomize.toolkit.fluxcd.io/v1";
const SRC = "source.toolkit.fluxcd.io/v1";
const ref = (name: string, kind = "Kustomization", apiVersion = KS) => ({
  apiVersion,
  kind,
  name,
  namespace: NS,
});

describe("reconcile, suspend, resume (writes with field manager homeops)", () => {
  beforeAll(async () => {
    await ensureNamespaces(NS);
    await applyAs([
      {
        apiVersion: SRC,
        kind: "GitRepository",
        metadata: { name: "repo", namespace: NS },
        spec: { interval: "1h", url: "https://example.com/x", ref: { branch: "main" } },
      },
      ...["apps", "slow", "pausable", "frozen"].map((name) => ({
        apiVersion: KS,
        kind: "Kustomization",
        metadata: { name, namespace: NS },
        spec: {
          interval: "1h",
          path: "./x",
          prune: true,
          sourceRef: { kind: "GitRepository", name: "repo" },
          ...(name === "frozen" ? { suspend: true } : {}),
        },
      })),
    ]);
    for (const name of ["apps", "slow", "pausable", "frozen"])
      await writeStatus(ref(name), { conditions: ready() });
    await writeStatus(
      ref("repo", "GitRepository", SRC),
      { conditions: ready("stored artifact") },
      "source-controller",
    );
  });

  it("annotates requestedAt, waits for lastHandledReconcileAt and Ready (with the source first)", async () => {
    const controller = (async () => {
      await handleNextReconcile(
        ref("repo", "GitRepository", SRC),
        { status: "True", reason: "Succeeded", message: "stored artifact for main@sha1:feed" },
        "source-controller",
      );
      return handleNextReconcile(ref("apps"), {
        status: "True",
        reason: "ReconciliationSucceeded",
        message: "Applied revision: main@sha1:feed",
      });
    })();
    const result = await reconcileFluxObject(clientAs("writer"), "ks", "apps", NS, {
      withSource: true,
      intervalMs: 100,
      timeoutMs: 30_000,
    });
    const token = await controller;
    expect(result).toMatchObject({
      ready: true,
      message: "Applied revision: main@sha1:feed",
      sources: [`GitRepository ${NS}/repo`],
    });
    const live = await clientAs("controller").get(KS, "Kustomization", "apps", NS);
    expect(live?.metadata?.annotations?.["reconcile.fluxcd.io/requestedAt"]).toBe(token);
    const managers = (live?.metadata?.managedFields ?? []) as { manager: string; operation: string }[];
    expect(managers.some((m) => m.manager === "homeops" && m.operation === "Update")).toBe(true);
  });

  it("times out with a clear message when no controller handles the request", async () => {
    const error = await reconcileFluxObject(clientAs("writer"), "ks", "slow", NS, {
      intervalMs: 100,
      timeoutMs: 700,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe("CLUSTER_TIMEOUT");
    expect(error.message).toMatch(
      /timed out after 1 s waiting for Kustomization rc-flux\/slow to handle the reconcile request of .* \(last handled: never\)/,
    );
  });

  it("refuses to reconcile a suspended object", async () => {
    const error = await reconcileFluxObject(clientAs("writer"), "ks", "frozen", NS, { timeoutMs: 500 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe("Kustomization rc-flux/frozen is suspended: nothing was requested");
    const live = await clientAs("controller").get(KS, "Kustomization", "frozen", NS);
    expect(live?.metadata?.annotations?.["reconcile.fluxcd.io/requestedAt"]).toBeUndefined();
  });

  it("suspend merge-patches spec.suspend; resume clears it and waits for Ready", async () => {
    const first = await suspendFluxObject(clientAs("writer"), "ks", "pausable", NS);
    expect(first.changed).toBe(true);
    expect((await clientAs("controller").get(KS, "Kustomization", "pausable", NS))?.spec?.suspend).toBe(true);
    expect((await suspendFluxObject(clientAs("writer"), "ks", "pausable", NS)).changed).toBe(false);

    const controller = handleNextReconcile(ref("pausable"), {
      status: "True",
      reason: "ReconciliationSucceeded",
      message: "Applied revision: main@sha1:beef",
    });
    const resumed = await resumeFluxObject(clientAs("writer"), "ks", "pausable", NS, {
      intervalMs: 100,
      timeoutMs: 30_000,
    });
    await controller;
    expect(resumed).toMatchObject({
      changed: true,
      ready: true,
      message: "Applied revision: main@sha1:beef",
    });
    expect((await clientAs("controller").get(KS, "Kustomization", "pausable", NS))?.spec?.suspend).toBe(
      false,
    );
  });

  it("a missing object is a clear error", async () => {
    const error = await suspendFluxObject(clientAs("writer"), "hr", "nope", NS).catch((e) => e);
    expect(error.message).toBe("HelmRelease rc-flux/nope does not exist in the cluster");
  });
});
