// Error paths against real servers: a second, bare API server (no Flux CRDs) that is stopped mid-command,
// a closed port, a wrong CA, a wrong token, a user without RBAC for HelmReleases, a server that never answers.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "@homeops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCluster } from "../src/connect.js";
import { getFluxStatus } from "../src/status.js";
import {
  readCrds,
  repoRoot,
  sleep,
  startTestCluster,
  type TestCluster,
  waitEstablished,
  writeKubeconfig,
} from "./harness/cluster.js";
import { cluster, fixtures, runHomeops } from "./harness/helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "homeops-errors-"));

function expectCleanFailure(result: { status: number; stdout: string; stderr: string }, message: RegExp) {
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(result.stderr).not.toMatch(/internal error/);
  for (const token of Object.values(cluster().tokens)) {
    expect(result.stdout + result.stderr).not.toContain(token);
  }
}

describe("connection errors: clear message, exit 2, no stack, no credentials", () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let silentPort = 0;
  let closedPort = 0;
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket)); // accepts and never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    silentPort = (silent.address() as { port: number }).port;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => silent.close(r));
  });

  const kubeconfig = (
    name: string,
    server: string,
    caFile = cluster().caFile,
    token = cluster().tokens.reader,
  ) => writeKubeconfig(join(tmp, name), server, caFile, token, "reader");

  it("unreachable server: bounded retries, then the server named", async () => {
    const file = kubeconfig("closed", `https://127.0.0.1:${closedPort}`);
    const { client } = connectCluster({ kubeconfig: file, retries: 2, retryDelayMs: 10 });
    const error = await getFluxStatus(client).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe("CLUSTER_UNREACHABLE");
    expect(error.message).toBe(
      `cannot reach the API server at https://127.0.0.1:${closedPort} (ECONNREFUSED) while trying to get source.toolkit.fluxcd.io/v1 (API discovery) (3 attempts)`,
    );
    expectCleanFailure(
      runHomeops(["-v", "flux", "status", "--kubeconfig", file]),
      /error: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  });

  it("TLS failure: a CA that did not sign the server certificate", async () => {
    const file = kubeconfig("wrong-ca", cluster().server, cluster().wrongCaFile);
    const error = await getFluxStatus(connectCluster({ kubeconfig: file }).client).catch((e) => e);
    expect(error.code).toBe("CLUSTER_TLS");
    expect(error.message).toMatch(
      /^TLS failure talking to https:\/\/127\.0\.0\.1:\d+ \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
    expectCleanFailure(runHomeops(["flux", "status", "--kubeconfig", file]), /error: TLS failure talking to/);
  });

  it("401: a token the server does not know", async () => {
    const file = kubeconfig("bad-token", cluster().server, cluster().caFile, "not-a-valid-token");
    const error = await getFluxStatus(connectCluster({ kubeconfig: file }).client).catch((e) => e);
    expect(error.code).toBe("CLUSTER_UNAUTHORIZED");
    expect(error.message).toMatch(
      /rejected the credentials of context "reader@test" \(401 Unauthorized\) while trying to get source\.toolkit\.fluxcd\.io\/v1/,
    );
    const result = runHomeops(["flux", "status", "--kubeconfig", file]);
    expectCleanFailure(result, /401 Unauthorized/);
    expect(result.stderr).not.toContain("not-a-valid-token");
  });

  it("403: a user without RBAC for HelmReleases is told the verb and the resource", async () => {
    const file = cluster().kubeconfigs.limited;
    const ks = await getFluxStatus(connectCluster({ kubeconfig: file }).client, { scope: "ks" });
    expect(Array.isArray(ks.rows)).toBe(true);
    const error = await getFluxStatus(connectCluster({ kubeconfig: file }).client, { scope: "hr" }).catch(
      (e) => e,
    );
    expect(error.code).toBe("CLUSTER_FORBIDDEN");
    expect(error.message).toMatch(
      /^forbidden \(403\): not allowed to list helmreleases\.helm\.toolkit\.fluxcd\.io \(all namespaces\): helmreleases\.helm\.toolkit\.fluxcd\.io is forbidden: User "limited" cannot list resource "helmreleases"/,
    );
    expect(error.hint).toBe(
      'grant the user of context "limited@test" RBAC to list helmreleases.helm.toolkit.fluxcd.io, or use an admin kubeconfig',
    );
    expectCleanFailure(
      runHomeops(["flux", "status", "hr", "--kubeconfig", file]),
      /error: forbidden \(403\): not allowed to list helmreleases\.helm\.toolkit\.fluxcd\.io/,
    );
  });

  it("timeout: a server that accepts connections and never answers", async () => {
    const file = kubeconfig("silent", `https://127.0.0.1:${silentPort}`);
    const error = await getFluxStatus(
      connectCluster({ kubeconfig: file, requestTimeoutMs: 200, retries: 1, retryDelayMs: 10 }).client,
    ).catch((e) => e);
    expect(error.code).toBe("CLUSTER_TIMEOUT");
    expect(error.message).toMatch(
      /did not answer in time \(no answer within 200 ms\) while trying to get .* \(2 attempts\)/,
    );
    expectCleanFailure(
      runHomeops(["flux", "status", "--kubeconfig", file, "--request-timeout", "300ms"]),
      /did not answer in time/,
    );
  });

  it("a missing --kubeconfig file and an unknown context", () => {
    expectCleanFailure(
      runHomeops(["flux", "status", "--kubeconfig", join(tmp, "nope")]),
      /error: kubeconfig .*nope does not exist/,
    );
    expectCleanFailure(
      runHomeops(["flux", "status", "--kubeconfig", cluster().kubeconfigs.reader, "--context", "prod"]),
      /error: the kubeconfig has no context "prod"\nhint: contexts: reader@test/,
    );
  });
});

describe("a cluster without Flux, and an API server stopped mid-command", () => {
  let bare: TestCluster;
  beforeAll(async () => {
    bare = await startTestCluster({ crds: false });
  }, 300_000);
  afterAll(async () => {
    await bare?.stop();
  });

  it("Flux CRDs absent: 404 says 'Flux not installed?', exit 2", async () => {
    const error = await getFluxStatus(connectCluster({ kubeconfig: bare.kubeconfigs.reader }).client).catch(
      (e) => e,
    );
    expect(error.code).toBe("CLUSTER_NOT_FOUND");
    expect(error.message).toBe(`the cluster at ${bare.server} does not serve source.toolkit.fluxcd.io/v1`);
    expect(error.hint).toMatch(/^Flux not installed\? Its CRDs \(source\.toolkit\.fluxcd\.io\) are missing/);
    expectCleanFailure(
      runHomeops(["flux", "status", "--kubeconfig", bare.kubeconfigs.reader]),
      /hint: Flux not installed\?/,
    );
  });

  it("bootstrap apps without Flux writes nothing (checked before the first write)", async () => {
    const before = await connectCluster({ kubeconfig: bare.kubeconfigs.admin }).client.list(
      "v1",
      "Namespace",
    );
    const result = runHomeops(["bootstrap", "apps", "--kubeconfig", bare.kubeconfigs.writer], {
      cwd: join(fixtures, "bootstrap"),
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Flux not installed\?/);
    const after = await connectCluster({ kubeconfig: bare.kubeconfigs.admin }).client.list("v1", "Namespace");
    expect(after.map((n) => n.metadata?.name).sort()).toEqual(before.map((n) => n.metadata?.name).sort());
  });

  it("the API server stops while `flux status --watch` runs: exit 2 after bounded retries", async () => {
    const admin = connectCluster({ kubeconfig: bare.kubeconfigs.admin }).client;
    const crds = readCrds(
      (c) => c.spec.names.kind === "Kustomization" && c.spec.group === "kustomize.toolkit.fluxcd.io",
    );
    for (const crd of crds) await admin.apply(crd, { fieldManager: "test-harness" });
    await waitEstablished(
      admin,
      crds.map((c) => c.metadata.name),
    );
    await admin.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "mid" } },
      { fieldManager: "test-harness" },
    );
    await admin.apply(
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "never-ready", namespace: "mid" },
        spec: { interval: "1h", path: "./x", prune: true, sourceRef: { kind: "GitRepository", name: "x" } },
      },
      { fieldManager: "kustomize-controller" },
    );
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, "packages/cli/dist/bin.js"),
        "-v",
        "flux",
        "status",
        "ks",
        "-n",
        "mid",
        "--watch",
        "--timeout",
        "2m",
        "--kubeconfig",
        bare.kubeconfigs.reader,
      ],
      {
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
      },
    );
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number>((r) => child.on("exit", (code) => r(code ?? -1)));
    for (let i = 0; i < 200 && !stderr.includes("0/1 Ready"); i++) await sleep(100);
    expect(stderr).toContain("0/1 Ready");
    await bare.stopApiServer();
    const code = await exited;
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /error: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \((ECONNREFUSED|ECONNRESET)\) while trying to list kustomizations\.kustomize\.toolkit\.fluxcd\.io in namespace mid \(4 attempts\)/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    for (const token of Object.values(bare.tokens)) expect(stderr).not.toContain(token);
  });
});

writeFileSync(join(tmp, ".keep"), "");
