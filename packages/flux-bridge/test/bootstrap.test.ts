import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapApps } from "../src/bootstrap-apps.js";
import { repoRoot } from "./harness/cluster.js";
import { clientAs, cluster, fixtures, runHomeops } from "./harness/helpers.js";

const SECRET_VALUE = "s3cr3t-bootstrap-token-7f1e";
const tools = join(repoRoot, ".tools/bin");
const env = (keyFile: string) => ({ PATH: `${tools}:${process.env.PATH ?? ""}`, SOPS_AGE_KEY_FILE: keyFile });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe("bootstrap apps: namespaces, SOPS secrets decrypted in memory, the Flux root; idempotent", () => {
  let repo: string;
  let keyDir: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "homeops-bootstrap-"));
    keyDir = mkdtempSync(join(tmpdir(), "homeops-bootstrap-key-"));
    cpSync(join(fixtures, "bootstrap"), repo, { recursive: true });
    execFileSync("age-keygen", ["-o", join(keyDir, "age.key")], { stdio: "ignore" });
    const recipient = /public key: (age1\w+)/.exec(readFileSync(join(keyDir, "age.key"), "utf8"))?.[1];
    writeFileSync(
      join(repo, ".sops.yaml"),
      `creation_rules:\n  - path_regex: .*\\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${recipient}\n`,
    );
    const plain = join(keyDir, "plain.yaml");
    writeFileSync(
      plain,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: bootstrap-token\n  namespace: bs-flux\ntype: Opaque\nstringData:\n  token: ${SECRET_VALUE}\n`,
    );
    const encrypted = execFileSync(
      join(tools, "sops"),
      ["encrypt", "--filename-override", "bootstrap/token.sops.yaml", plain],
      { cwd: repo, env: env(join(keyDir, "age.key")) },
    );
    rmSync(plain);
    writeFileSync(join(repo, "bootstrap/token.sops.yaml"), encrypted);
  });
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  });

  const objects = [
    ["v1", "Namespace", "bs-flux", undefined],
    ["v1", "Namespace", "bs-media", undefined],
    ["v1", "Namespace", "bs-tools", undefined],
    ["v1", "Secret", "bootstrap-token", "bs-flux"],
    ["source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "bs-flux"],
    ["kustomize.toolkit.fluxcd.io/v1", "Kustomization", "cluster", "bs-flux"],
  ] as const;

  it("creates what it should; a second run changes nothing (resourceVersions unchanged)", async () => {
    const before = new Map(filesUnder(repo).map((f) => [f, statSync(f).mtimeMs]));
    const first = await bootstrapApps(clientAs("writer"), {
      root: repo,
      sops: join(tools, "sops"),
      env: env(join(keyDir, "age.key")),
    });
    expect(first.changed).toBe(true);
    expect(first.steps.map((s) => `${s.action} ${s.kind} ${s.name}`).sort()).toEqual(
      objects.map(([, kind, name]) => `created ${kind} ${name}`).sort(),
    );
    const reader = clientAs("reader");
    const versions = async () =>
      Promise.all(
        objects.map(
          async ([apiVersion, kind, name, ns]) =>
            (await reader.get(apiVersion, kind, name, ns))?.metadata?.resourceVersion,
        ),
      );
    const v1 = await versions();
    expect(v1.every(Boolean)).toBe(true);
    const secret = await reader.get("v1", "Secret", "bootstrap-token", "bs-flux");
    expect(
      Buffer.from(String((secret?.data as Record<string, string> | undefined)?.token), "base64").toString(),
    ).toBe(SECRET_VALUE);
    const managers = (secret?.metadata?.managedFields ?? []) as { manager: string; operation: string }[];
    expect(managers.map((m) => `${m.manager}/${m.operation}`)).toEqual(["homeops/Apply"]);

    const second = runHomeops(["bootstrap", "apps"], {
      cwd: repo,
      env: { ...env(join(keyDir, "age.key")), KUBECONFIG: cluster().kubeconfigs.writer },
    });
    expect(second.stderr).toBe("");
    expect(second.status).toBe(0);
    expect(second.stdout).toContain("nothing to change");
    expect(second.stdout).not.toContain(SECRET_VALUE);
    expect(await versions()).toEqual(v1);

    // plaintext never touched the disk: no file changed, none holds the value
    for (const file of filesUnder(repo)) {
      expect(before.get(file), `${file} is new`).toBe(statSync(file).mtimeMs);
      expect(readFileSync(file, "utf8")).not.toContain(SECRET_VALUE);
    }
  });
});
