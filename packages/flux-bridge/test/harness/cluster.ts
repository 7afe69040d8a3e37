// A real kube-apiserver + etcd on 127.0.0.1 for the integration tests: generated certificates, static
// tokens, RBAC, an audit log of every request, the CRDs of the catalog sources applied. No controllers run.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseYaml } from "@homeops/core";
import type { KubeObject } from "../../src/internal/objects.js";

export const repoRoot = resolve(import.meta.dirname, "../../../..");
export const toolsDir = join(repoRoot, ".tools/test-cluster");

/** The users of the test cluster: each test run acts as one of them, so the audit log says who did what. */
export const USERS = {
  /** the harness itself (CRDs, RBAC, namespaces) */
  admin: { groups: ["system:masters"] },
  /** the tests acting as Flux's controllers (status writes) and as a person running kubectl */
  controller: { groups: ["system:masters"] },
  /** homeops read-only commands (full rights: the audit proves it still never writes) */
  reader: { groups: ["system:masters"] },
  /** homeops write verbs (reconcile, suspend, resume, bootstrap) */
  writer: { groups: ["system:masters"] },
  /** may read Flux Kustomizations and sources but not HelmReleases */
  limited: { groups: ["homeops:limited"] },
} as const;
export type TestUser = keyof typeof USERS;

export interface TestClusterInfo {
  server: string;
  workDir: string;
  caFile: string;
  /** a CA that did not sign the server certificate (TLS failure tests) */
  wrongCaFile: string;
  tokens: Record<TestUser, string>;
  /** kubeconfig file per user */
  kubeconfigs: Record<TestUser, string>;
  auditLog: string;
}

export interface TestCluster extends TestClusterInfo {
  stop(): Promise<void>;
  /** stops only the kube-apiserver (etcd keeps running): "the API server went away" */
  stopApiServer(): Promise<void>;
}

export interface StartOptions {
  /** Apply the CRDs of the catalog sources. Default true; false gives a cluster without Flux. */
  crds?: boolean;
}

export function missingBinaries(): string[] {
  return ["kube-apiserver", "etcd"].filter((b) => !existsSync(join(toolsDir, "bin", b)));
}

export async function startTestCluster(options: StartOptions = {}): Promise<TestCluster> {
  const missing = missingBinaries();
  if (missing.length > 0) {
    throw new Error(
      `the flux-bridge test cluster is not built (${missing.join(", ")} missing in ${join(toolsDir, "bin")}): run \`bash tools/test-cluster/build.sh\` (needs Go; scripts/test.sh runs it)`,
    );
  }
  const workDir = mkdtempSync(join(tmpdir(), "homeops-test-cluster-"));
  const processes: ChildProcess[] = [];
  const stop = async () => {
    for (const p of processes.reverse()) await terminate(p);
    if (!process.env.HOMEOPS_KEEP_TEST_CLUSTER) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const certs = generateCertificates(workDir);
    const tokens = Object.fromEntries(Object.keys(USERS).map((u) => [u, `${u}-${randomHex(16)}`])) as Record<
      TestUser,
      string
    >;
    writeFileSync(
      join(workDir, "tokens.csv"),
      Object.entries(USERS)
        .map(([user, { groups }]) => `${tokens[user as TestUser]},${user},${user},"${groups.join(",")}"`)
        .join("\n"),
    );
    writeFileSync(join(workDir, "audit-policy.yaml"), AUDIT_POLICY);
    const [etcdPort, peerPort, apiPort] = await freePorts(3);
    const etcd = spawnLogged(
      join(toolsDir, "bin/etcd"),
      [
        "--name=test",
        `--data-dir=${join(workDir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=test=http://127.0.0.1:${peerPort}`,
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
      join(workDir, "etcd.log"),
    );
    processes.push(etcd);
    const auditLog = join(workDir, "audit.log");
    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = spawnLogged(
      join(toolsDir, "bin/kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(workDir, "apiserver-certs")}`,
        `--tls-cert-file=${certs.serverCert}`,
        `--tls-private-key-file=${certs.serverKey}`,
        `--token-auth-file=${join(workDir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        "--anonymous-auth=false",
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${certs.saPub}`,
        `--service-account-signing-key-file=${certs.saKey}`,
        "--service-cluster-ip-range=10.0.0.0/24",
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        `--audit-policy-file=${join(workDir, "audit-policy.yaml")}`,
        `--audit-log-path=${auditLog}`,
        "--audit-log-mode=blocking",
        "--audit-log-format=json",
      ],
      join(workDir, "apiserver.log"),
    );
    processes.push(apiserver);
    const exited = new Promise<never>((_, reject) => {
      for (const [name, p] of [
        ["etcd", etcd],
        ["kube-apiserver", apiserver],
      ] as const) {
        p.once("exit", (code) =>
          reject(
            new Error(
              `${name} exited (${code}) while starting: ${tail(join(workDir, `${name === "etcd" ? "etcd" : "apiserver"}.log`))}`,
            ),
          ),
        );
      }
    });
    exited.catch(() => {});
    await Promise.race([waitReady(server, certs.caFile, tokens.admin), exited]);

    const kubeconfigs = {} as Record<TestUser, string>;
    for (const user of Object.keys(USERS) as TestUser[]) {
      kubeconfigs[user] = writeKubeconfig(
        join(workDir, `kubeconfig-${user}`),
        server,
        certs.caFile,
        tokens[user],
        user,
      );
    }
    const info: TestClusterInfo = {
      server,
      workDir,
      caFile: certs.caFile,
      wrongCaFile: certs.wrongCaFile,
      tokens,
      kubeconfigs,
      auditLog,
    };
    await applyBaseline(info, options.crds !== false);
    return { ...info, stop, stopApiServer: () => terminate(apiserver) };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ------------------------------------------------------------------------------------------------ setup

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;

const LIMITED_RBAC = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "homeops-limited" },
    rules: [
      {
        apiGroups: ["kustomize.toolkit.fluxcd.io", "source.toolkit.fluxcd.io", "external-secrets.io"],
        resources: ["*"],
        verbs: ["get", "list", "watch"],
      },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "homeops-limited" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "homeops-limited" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "homeops:limited" }],
  },
];

/** Applies RBAC and every CRD of the catalog sources, then waits until each CRD is established. */
async function applyBaseline(info: TestClusterInfo, withCrds: boolean): Promise<void> {
  const { connectCluster } = await import("../../src/connect.js");
  const { client } = connectCluster({
    kubeconfig: info.kubeconfigs.admin,
    requestTimeoutMs: 60_000,
    retries: 8,
  });
  for (const object of LIMITED_RBAC) await client.apply(object, { fieldManager: "test-harness" });
  if (!withCrds) return;
  const crds = readCrds();
  await Promise.all(crds.map((crd) => client.apply(crd, { fieldManager: "test-harness" })));
  await waitEstablished(
    client,
    crds.map((c) => c.metadata.name),
  );
}

export type CrdObject = KubeObject & {
  metadata: { name: string };
  spec: { group: string; names: { kind: string } };
};

/** The CRDs laid out by tools/test-cluster/build.sh (catalog sources), optionally only some kinds. */
export function readCrds(filter?: (crd: CrdObject) => boolean): CrdObject[] {
  const crdDir = join(toolsDir, "crds");
  const crds: CrdObject[] = [];
  for (const family of readdirSync(crdDir, { withFileTypes: true })) {
    if (!family.isDirectory()) continue;
    for (const file of readdirSync(join(crdDir, family.name)).sort()) {
      const text = readFileSync(join(crdDir, family.name, file), "utf8");
      for (const doc of parseYaml(text, { file }).documents) {
        const object = doc.value as CrdObject | null;
        if (object?.kind === "CustomResourceDefinition" && (!filter || filter(object))) crds.push(object);
      }
    }
  }
  if (crds.length === 0)
    throw new Error(`no CRD found under ${crdDir}: rerun tools/test-cluster/build.sh --force`);
  return crds;
}

/** Waits until every named CRD is Established. */
export async function waitEstablished(
  client: import("../../src/cluster-client.js").ClusterClient,
  names: string[],
): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (const name of names) {
    for (;;) {
      const live = await client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name);
      const conditions = (live?.status?.conditions ?? []) as { type: string; status: string }[];
      if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established in time`);
      await sleep(200);
    }
  }
}

function generateCertificates(dir: string) {
  const d = join(dir, "pki");
  mkdirSync(d);
  const run = (...args: string[]) =>
    execFileSync("openssl", args, { cwd: d, stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  run(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=homeops-test-ca",
  );
  run(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "wrong-ca.key",
    "-out",
    "wrong-ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=someone-else",
  );
  run("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver");
  writeFileSync(
    join(d, "server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
  );
  run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "2",
    "-extfile",
    "server.ext",
  );
  run("genrsa", "-out", "sa.key", "2048");
  run("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
  return {
    caFile: join(d, "ca.crt"),
    wrongCaFile: join(d, "wrong-ca.crt"),
    serverCert: join(d, "server.crt"),
    serverKey: join(d, "server.key"),
    saKey: join(d, "sa.key"),
    saPub: join(d, "sa.pub"),
  };
}

/** A kubeconfig for one token user (CA embedded). */
export function writeKubeconfig(
  path: string,
  server: string,
  caFile: string,
  token: string,
  user: string,
): string {
  const ca = readFileSync(caFile).toString("base64");
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${server}
      certificate-authority-data: ${ca}
users:
  - name: ${user}
    user:
      token: ${token}
contexts:
  - name: ${user}@test
    context:
      cluster: test
      user: ${user}
current-context: ${user}@test
`,
  );
  return path;
}

async function waitReady(server: string, caFile: string, token: string): Promise<void> {
  const https = await import("node:https");
  const ca = readFileSync(caFile);
  const deadline = Date.now() + 300_000;
  let last = "";
  while (Date.now() < deadline) {
    const status = await new Promise<number>((done) => {
      const req = https.request(
        `${server}/readyz`,
        { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 5000 },
        (res) => {
          res.resume();
          res.on("end", () => done(res.statusCode ?? 0));
        },
      );
      req.on("error", (e) => {
        last = e.message;
        done(0);
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.end();
    });
    if (status === 200) return;
    if (status) last = `readyz ${status}`;
    await sleep(500);
  }
  throw new Error(`kube-apiserver not ready within 300 s (${last})`);
}

function spawnLogged(binary: string, args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, "a");
  return spawn(binary, args, { stdio: ["ignore", fd, fd] });
}

async function terminate(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise<void>((resolve) => p.once("exit", () => resolve()));
  p.kill("SIGTERM");
  const timer = setTimeout(() => p.kill("SIGKILL"), 10_000);
  await done;
  clearTimeout(timer);
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import("node:net").Server>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-8).join("\n");
  } catch {
    return "(no log)";
  }
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
