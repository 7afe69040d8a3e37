import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findExecutable, isUserError } from "@homeops/core";
import { type ClusterConfig, validateClusterConfig } from "@homeops/schema";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commandLine, talosCommands } from "./commands.js";
import { talosModelFromConfig } from "./model.js";
import {
  createSecretsBundleFile,
  generateTalosConfigs,
  isFullyEncrypted,
  readSecretsBundle,
  type SopsRunner,
  TALOS_LAYOUT,
  validateTalosRepository,
} from "./repository.js";
import { pemOf } from "./secrets.js";
import "reflect-metadata";

const repoRoot = resolve(new URL("../../..", import.meta.url).pathname);
const findTool = (name: string) => findExecutable(name, [join(repoRoot, ".tools/bin"), process.env.PATH]);
const sopsBin = findTool("sops");
const ageKeygen = findTool("age-keygen");
const haveTools = sopsBin !== undefined && ageKeygen !== undefined;
if (!haveTools && process.env.CI === "true")
  throw new Error("sops and age-keygen are required under CI (bash scripts/setup.sh --oracles)");
if (!haveTools)
  console.warn("sops/age-keygen not found (bash scripts/setup.sh --oracles): SOPS tests skipped");

const sampleText = readFileSync(join(repoRoot, "bootstrap/config.yaml"), "utf8");

describe.skipIf(!haveTools)("a repository's Talos side (real sops + age)", () => {
  let root: string;
  let config: ClusterConfig;
  let sops: SopsRunner;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "homeops-talos-repo-"));
    execFileSync(ageKeygen as string, ["-o", join(root, "age.key")], { stdio: "ignore" });
    const recipient = /public key: (age1\w+)/.exec(
      readFileSync(join(root, "age.key"), "utf8"),
    )?.[1] as string;
    const text = sampleText.replace(/age1[0-9a-z]{58}/, recipient);
    const result = validateClusterConfig(text, { file: "bootstrap/config.yaml" });
    if (!result.ok) throw new Error(JSON.stringify(result.findings));
    config = result.value;
    writeFileSync(join(root, ".gitignore"), "age.key\ntalosconfig/talosconfig\ntalosconfig/clusterconfig/\n");
    sops = {
      sops: sopsBin as string,
      env: { PATH: process.env.PATH, SOPS_AGE_KEY_FILE: join(root, "age.key"), HOME: root },
    };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("a missing bundle is an operational error naming the path, and nothing is generated", async () => {
    const error = await generateTalosConfigs({ root, config, sops }).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain(TALOS_LAYOUT.secrets);
    expect((error as { code: string }).code).toBe("FILE_NOT_FOUND");
    expect(existsSync(join(root, TALOS_LAYOUT.clusterconfig))).toBe(false);
    expect(existsSync(join(root, TALOS_LAYOUT.secrets))).toBe(false);
  });

  it("gensecret --new writes the bundle SOPS-encrypted (every value), readable by the sops CLI", async () => {
    const { path, bundle } = await createSecretsBundleFile({ root, config, sops });
    expect(path).toBe(TALOS_LAYOUT.secrets);
    const stored = readFileSync(join(root, path), "utf8");
    expect(isFullyEncrypted(stored)).toBe(true);
    expect(stored).not.toContain(bundle.cluster.secret);
    expect(stored).not.toContain("PRIVATE KEY");
    const decrypted = execFileSync(
      sops.sops,
      ["decrypt", "--input-type", "yaml", "--output-type", "yaml", join(root, path)],
      {
        env: { ...process.env, SOPS_AGE_KEY_FILE: join(root, "age.key") },
      },
    ).toString();
    expect((parse(decrypted) as { cluster: { secret: string } }).cluster.secret).toBe(bundle.cluster.secret);
    expect(await readSecretsBundle({ root, config, sops })).toEqual(bundle);
  }, 60_000);

  it("gensecret --new refuses to overwrite", async () => {
    const before = readFileSync(join(root, TALOS_LAYOUT.secrets), "utf8");
    const error = await createSecretsBundleFile({ root, config, sops }).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(/refusing to overwrite/);
    expect(readFileSync(join(root, TALOS_LAYOUT.secrets), "utf8")).toBe(before);
  });

  it("a plaintext bundle inside the repository is refused", async () => {
    const error = await createSecretsBundleFile({
      root,
      config,
      sops,
      secretsFile: "talosconfig/secrets.yaml",
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/outside Git/);
    expect(existsSync(join(root, "talosconfig/secrets.yaml"))).toBe(false);
  });

  it("generates every node's config and the talosconfig: mode 0600, byte-identical the second time", async () => {
    const now = new Date("2026-12-02T06:00:00Z");
    const first = await generateTalosConfigs({ root, config, sops, now });
    expect(first.files.map((f) => f.path)).toEqual([
      ...config.nodes.map((n) => `${TALOS_LAYOUT.clusterconfig}/${config.cluster.name}-${n.name}.yaml`),
      TALOS_LAYOUT.talosconfig,
    ]);
    const contents = first.files.map((f) => readFileSync(join(root, f.path), "utf8"));
    for (const f of first.files) expect(statSync(join(root, f.path)).mode & 0o777, f.path).toBe(0o600);
    const second = await generateTalosConfigs({ root, config, sops, now: new Date("2026-12-20T06:00:00Z") });
    expect(second.written).toEqual([]);
    expect(second.files.map((f) => readFileSync(join(root, f.path), "utf8"))).toEqual(contents);
  }, 60_000);

  it("talosconfig: context = cluster, endpoints = controllers, admin O=os:admin signed by the OS CA", async () => {
    const doc = parse(readFileSync(join(root, TALOS_LAYOUT.talosconfig), "utf8")) as {
      context: string;
      contexts: Record<string, { endpoints: string[]; ca: string; crt: string; key: string }>;
    };
    expect(doc.context).toBe(config.cluster.name);
    const ctx = doc.contexts[config.cluster.name];
    expect(ctx?.endpoints).toEqual(config.nodes.filter((n) => n.controller).map((n) => n.address));
    const bundle = await readSecretsBundle({ root, config, sops });
    expect(ctx?.ca).toBe(bundle.certs.os.crt);
    const admin = new x509.X509Certificate(pemOf(ctx?.crt ?? ""));
    expect(admin.subject).toBe("O=os:admin");
    expect(
      await admin.verify({
        publicKey: new x509.X509Certificate(pemOf(bundle.certs.os.crt)).publicKey,
        signatureOnly: true,
      }),
    ).toBe(true);
  });

  it("worker configs hold no private key material", async () => {
    const bundle = await readSecretsBundle({ root, config, sops });
    const workers = config.nodes.filter((n) => !n.controller);
    expect(workers.length).toBeGreaterThan(0);
    for (const n of workers) {
      const text = readFileSync(
        join(root, TALOS_LAYOUT.clusterconfig, `${config.cluster.name}-${n.name}.yaml`),
        "utf8",
      );
      for (const secret of [
        bundle.certs.os.key,
        bundle.certs.k8s.key,
        bundle.certs.etcd.key,
        bundle.certs.k8sAggregator.key,
        bundle.certs.k8sServiceAccount.key,
        bundle.secretboxEncryptionSecret ?? "x",
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/PRIVATE KEY|etcd:|Layer2VIPConfig|aggregatorCA|serviceAccount/);
    }
  });

  it("user patches apply in order all → controlplane|worker → <node>", async () => {
    const dir = join(root, TALOS_LAYOUT.patches);
    const put = (layer: string, name: string, value: string) => {
      mkdirSync(join(dir, layer), { recursive: true });
      writeFileSync(
        join(dir, layer, name),
        `machine:\n  sysctls:\n    homeops.order: "${value}"\n    homeops.${layer}: "yes"\n`,
      );
    };
    put("all", "10-a.yaml", "all");
    put("controlplane", "10-cp.yaml", "controlplane");
    put("worker", "10-w.yaml", "worker");
    put("k8s-0", "10-node.yaml", "node");
    const { files } = await generateTalosConfigs({ root, config, sops, dryRun: true });
    const sysctls = (node: string) => {
      const f = files.find((x) => x.node === node);
      return (parse(f?.content.split("\n---\n")[0] ?? "") as { machine: { sysctls: Record<string, string> } })
        .machine.sysctls;
    };
    expect(sysctls("k8s-0")).toMatchObject({
      "homeops.order": "node",
      "homeops.all": "yes",
      "homeops.controlplane": "yes",
      "homeops.k8s-0": "yes",
    });
    expect(sysctls("k8s-1")).toMatchObject({ "homeops.order": "controlplane" });
    expect(sysctls("k8s-1")["homeops.worker"]).toBeUndefined();
    expect(sysctls("k8s-3")).toMatchObject({ "homeops.order": "worker", "homeops.all": "yes" });
    mkdirSync(join(dir, "k8s-99"));
    const error = await generateTalosConfigs({ root, config, sops, dryRun: true }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/k8s-99 names no node/);
    rmSync(dir, { recursive: true });
  });

  it("refuses to write outputs Git would not ignore", async () => {
    writeFileSync(join(root, ".gitignore"), "age.key\n");
    const error = await generateTalosConfigs({ root, config, sops }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/would not be ignored by Git/);
    writeFileSync(join(root, ".gitignore"), "age.key\ntalosconfig/talosconfig\ntalosconfig/clusterconfig/\n");
  });

  it("validate: every generated config passes Talos' rules and the completeness rules", async () => {
    const v = await validateTalosRepository({ root, config, sops });
    expect(v.findings).toEqual([]);
    expect(v.verdicts).toHaveLength(config.nodes.length);
    expect(v.schemaSkipped).toMatch(/no Talos JSON Schema/);
  });
});

describe("talosctl command lines", () => {
  const result = validateClusterConfig(sampleText, { file: "config.yaml" });
  if (!result.ok) throw new Error("sample invalid");
  const model = talosModelFromConfig(result.value);
  it("apply: one per node, with the node's file", () => {
    expect(talosCommands(model, "apply").map(commandLine)).toEqual(
      model.nodes.map(
        (n) =>
          `talosctl --talosconfig talosconfig/talosconfig --nodes ${n.address} --endpoints ${n.address} apply-config --file talosconfig/clusterconfig/home-${n.name}.yaml`,
      ),
    );
  });
  it("--node picks a node by address or name; an unknown node is a usage error", () => {
    expect(talosCommands(model, "upgrade", { node: "10.10.0.13" }).map(commandLine)).toEqual([
      `talosctl --talosconfig talosconfig/talosconfig --nodes 10.10.0.13 --endpoints 10.10.0.13 upgrade --image factory.talos.dev/metal-installer-secureboot/${result.value.talos.schematicId}:v1.13.2 --wait`,
    ]);
    expect(() => talosCommands(model, "reset", { node: "10.9.9.9" })).toThrow(/no node 10.9.9.9/);
  });
  it("bootstrap, kubeconfig and upgrade-k8s go to the first controller", () => {
    expect(talosCommands(model, "bootstrap").map(commandLine)).toEqual([
      "talosctl --talosconfig talosconfig/talosconfig --nodes 10.10.0.10 --endpoints 10.10.0.10 bootstrap",
    ]);
    expect(talosCommands(model, "upgrade-k8s").map(commandLine)).toEqual([
      "talosctl --talosconfig talosconfig/talosconfig --nodes 10.10.0.10 --endpoints 10.10.0.10 upgrade-k8s --to 1.35.1",
    ]);
    expect(commandLine(talosCommands(model, "kubeconfig")[0] ?? { node: "", argv: [] })).toContain(
      "kubeconfig --force --force-context-name home kubeconfig",
    );
  });
});
