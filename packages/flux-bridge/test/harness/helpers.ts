// Test helpers: clients per user, objects applied as Flux or a person would, status written as the
// controllers would (status subresource), and the built CLI run as a user runs it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import type { ClusterClient } from "../../src/cluster-client.js";
import { connectCluster } from "../../src/connect.js";
import type { KubeObject } from "../../src/internal/objects.js";
import { repoRoot, sleep, type TestClusterInfo, type TestUser } from "./cluster.js";

export function cluster(): TestClusterInfo {
  return inject("cluster");
}

export function clientAs(
  user: TestUser,
  options: { requestTimeoutMs?: number; retries?: number } = {},
): ClusterClient {
  return connectCluster({ kubeconfig: cluster().kubeconfigs[user], retryDelayMs: 50, ...options }).client;
}

/** Applies objects the way a given field manager would (default: kustomize-controller, i.e. Flux applied them). */
export async function applyAs(
  objects: KubeObject[],
  fieldManager = "kustomize-controller",
  user: TestUser = "controller",
): Promise<KubeObject[]> {
  const c = clientAs(user);
  const out: KubeObject[] = [];
  for (const o of objects) out.push(await c.apply(o, { fieldManager }));
  return out;
}

export async function ensureNamespaces(...names: string[]): Promise<void> {
  await applyAs(
    names.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
    "test-setup",
    "admin",
  );
}

export interface ConditionInput {
  type?: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message?: string;
}

/** Writes `status` through the status subresource, as the named controller would. */
export async function writeStatus(
  ref: { apiVersion: string; kind: string; name: string; namespace: string },
  status: Record<string, unknown>,
  controller = "kustomize-controller",
): Promise<KubeObject> {
  const c = clientAs("controller");
  const live = await c.get(ref.apiVersion, ref.kind, ref.name, ref.namespace);
  if (!live) throw new Error(`${ref.kind} ${ref.namespace}/${ref.name} does not exist`);
  return c.mergePatch(
    ref,
    { status: { observedGeneration: live.metadata?.generation, ...status } },
    {
      fieldManager: controller,
      subresource: "status",
    },
  );
}

export function conditions(...list: ConditionInput[]): Record<string, unknown>[] {
  return list.map((c) => ({
    type: c.type ?? "Ready",
    status: c.status,
    reason: c.reason,
    message: c.message ?? "",
    lastTransitionTime: "2026-12-01T10:00:00Z",
  }));
}

export const ready = (message = "Applied revision: main@sha1:0123456789abcdef") =>
  conditions({ status: "True", reason: "ReconciliationSucceeded", message });

/**
 * Acts as the controller for a reconcile request: waits for the `requestedAt` annotation to change, then
 * records it as handled with the given Ready condition. Returns the handled token.
 */
export async function handleNextReconcile(
  ref: { apiVersion: string; kind: string; name: string; namespace: string },
  readyCondition: ConditionInput,
  controller = "kustomize-controller",
  timeoutMs = 30_000,
): Promise<string> {
  const c = clientAs("controller");
  const deadline = Date.now() + timeoutMs;
  const initial = (await c.get(ref.apiVersion, ref.kind, ref.name, ref.namespace))?.status
    ?.lastHandledReconcileAt;
  while (Date.now() < deadline) {
    const live = await c.get(ref.apiVersion, ref.kind, ref.name, ref.namespace);
    const token = live?.metadata?.annotations?.["reconcile.fluxcd.io/requestedAt"];
    if (token && token !== initial && live?.spec?.suspend !== true) {
      await writeStatus(
        ref,
        { lastHandledReconcileAt: token, conditions: conditions(readyCondition) },
        controller,
      );
      return token;
    }
    await sleep(100);
  }
  throw new Error(`no reconcile request on ${ref.kind} ${ref.namespace}/${ref.name}`);
}

export const fixtures = join(import.meta.dirname, "../fixtures");

/** The built CLI (`packages/cli/dist/bin.js`), run as a user would; needs `turbo run build` first. */
export function runHomeops(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): { status: number; stdout: string; stderr: string } {
  const bin = join(repoRoot, "packages/cli/dist/bin.js");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm exec turbo run build\` first`);
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
