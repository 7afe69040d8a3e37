import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { findExecutable } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { applyRenderPlan } from "./apply.js";
import { planRender } from "./plan.js";
import {
  createSopsEncryptor,
  decryptSops,
  findSops,
  isSopsEncrypted,
  isSopsPath,
  readAgeRecipients,
} from "./sops.js";

const run = promisify(execFile);
const sops = await findSops({ env: process.env, extraDirs: [join(homedir(), "go/bin")] });
const ageKeygen = await findAgeKeygen();
const missing = sops === undefined || ageKeygen === undefined;
if (missing && process.env.CI) {
  throw new Error("sops and age-keygen must be installed for the SOPS round-trip tests (CI is set)");
}

async function findAgeKeygen(): Promise<string | undefined> {
  return findExecutable("age-keygen", [process.env.PATH]);
}

const secret = [
  "# yaml-language-server: $schema=https://kubernetesjsonschema.dev/v1.18.1-standalone-strict/secret-v1.json",
  "apiVersion: v1",
  "kind: Secret",
  "metadata:",
  "  name: #{= it.name }#",
  "stringData:",
  "  token: #{= it.token }#",
  "",
].join("\n");

const sopsConfig = [
  "creation_rules:",
  "  - path_regex: kubernetes/.*\\.sops\\.ya?ml$",
  '    encrypted_regex: "^(data|stringData)$"',
  "    age: #{= it.recipient }#",
  "stores:",
  "  yaml:",
  "    indent: 2",
  "",
].join("\n");

describe("sops helpers", () => {
  it("recognises sops paths and encrypted content", () => {
    expect(isSopsPath("kubernetes/a/secret.sops.yaml")).toBe(true);
    expect(isSopsPath("kubernetes/a/secret.yaml")).toBe(false);
    expect(isSopsPath("kubernetes/sops.yaml")).toBe(false);
    expect(isSopsPath(".sops.yaml")).toBe(false);
    expect(isSopsEncrypted("a: b\n")).toBe(false);
    expect(isSopsEncrypted("a: ENC[x]\nsops:\n  mac: ENC[AES256_GCM,data:x]\n")).toBe(true);
    expect(
      readAgeRecipients("creation_rules:\n  - age: age1a,age1b\n  - key_groups:\n      - age: [age1c]\n"),
    ).toEqual(["age1a", "age1b", "age1c"]);
  });

  it("refuses a config without recipients", () => {
    expect(() =>
      createSopsEncryptor({ sops: "sops", rootDir: "/", sopsConfig: "creation_rules: []\n", env: {} }),
    ).toThrow(/no age recipient/);
  });
});

describe.skipIf(missing)("SOPS round trip with the real sops and age", () => {
  it("recognises what the real sops writes in every format it encrypts, and no plaintext of them", async () => {
    const root = await mkdtemp(join(tmpdir(), "homeops-sops-formats-"));
    const keyFile = join(root, "age.key");
    await run(ageKeygen!, ["-o", keyFile]);
    const recipient = (await readFile(keyFile, "utf8")).match(/public key: (age1\w+)/)![1]!;
    await writeFile(join(root, ".sops.yaml"), `creation_rules:\n  - age: ${recipient}\n`);
    // a plaintext that merely has a sops key (sops itself refuses to encrypt those) is not encrypted
    for (const fake of [
      "sops: x\n",
      '{"sops": {"mac": "plain"}}',
      "sops_version=3\n",
      "[sops]\nversion = 3\n",
    ])
      expect(isSopsEncrypted(fake), fake).toBe(false);
    const plaintexts: Record<string, string> = {
      yaml: "token: s3cr3t\n",
      json: '{"token": "s3cr3t"}\n',
      dotenv: "TOKEN=s3cr3t\n",
      ini: "[app]\ntoken = s3cr3t\n",
    };
    for (const [format, text] of Object.entries(plaintexts)) {
      const file = join(root, `secret.sops.${format === "dotenv" ? "env" : format}`);
      await writeFile(file, text);
      expect(isSopsEncrypted(text), `${format} plaintext`).toBe(false);
      const { stdout } = await run(sops!, ["--encrypt", file], {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      });
      expect(stdout, format).not.toContain("s3cr3t");
      expect(isSopsEncrypted(stdout), `${format} as sops writes it`).toBe(true);
    }
  });

  it("encrypts rendered *.sops.yaml, decrypts back, and a second run leaves it byte-identical", async () => {
    const root = await mkdtemp(join(tmpdir(), "homeops-sops-"));
    const keyFile = join(root, "..", `${root.split("/").pop()}-age.key`);
    await run(ageKeygen!, ["-o", keyFile]);
    const recipient = (await readFile(keyFile, "utf8")).match(/public key: (age1\w+)/)![1]!;
    for (const [path, text] of Object.entries({
      ".sops.yaml.eta": sopsConfig,
      "kubernetes/app/secret.sops.yaml.eta": secret,
    })) {
      await mkdir(dirname(join(root, "bootstrap/templates", path)), { recursive: true });
      await writeFile(join(root, "bootstrap/templates", path), text);
    }
    const data = { name: "app-secret", token: "s3cr3t-value", recipient };
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOPS_AGE_KEY_FILE: keyFile };

    const plan = await planRender({ rootDir: root, data });
    const renderedConfig = plan.entries.find((e) => e.path === ".sops.yaml")!.rendered!.content.toString();
    const plaintext = plan.entries.find((e) => e.path === "kubernetes/app/secret.sops.yaml")!.rendered!
      .content;
    const options = { sops: sops!, rootDir: root, sopsConfig: renderedConfig, env };
    await applyRenderPlan(plan, { encrypt: createSopsEncryptor(options) });

    const onDisk = await readFile(join(root, "kubernetes/app/secret.sops.yaml"));
    expect(isSopsEncrypted(onDisk)).toBe(true);
    expect(onDisk.toString()).not.toContain("s3cr3t-value");
    expect(onDisk.toString()).toContain("name: app-secret");
    expect((await decryptSops("kubernetes/app/secret.sops.yaml", options)).toString()).toBe(
      plaintext.toString(),
    );

    const again = await planRender({ rootDir: root, data });
    expect(again.entries.map((e) => e.action)).toEqual(["unchanged", "unchanged"]);
    await applyRenderPlan(again, { encrypt: createSopsEncryptor(options) });
    expect((await readFile(join(root, "kubernetes/app/secret.sops.yaml"))).equals(onDisk)).toBe(true);

    // a changed value re-encrypts; the file still decrypts to the new rendering
    const changed = await planRender({ rootDir: root, data: { ...data, token: "rotated" } });
    expect(changed.entries.find((e) => e.sops)?.action).toBe("update");
    await applyRenderPlan(changed, { encrypt: createSopsEncryptor(options) });
    expect((await decryptSops("kubernetes/app/secret.sops.yaml", options)).toString()).toContain(
      "token: rotated",
    );
  });

  it("without an encryptor nothing is written, and no plaintext *.sops.* is left", async () => {
    const root = await mkdtemp(join(tmpdir(), "homeops-sops-"));
    for (const [path, text] of Object.entries({
      "kubernetes/a.yaml": "a: 1\n",
      "kubernetes/app/secret.sops.yaml.eta": secret,
    })) {
      await mkdir(dirname(join(root, "bootstrap/templates", path)), { recursive: true });
      await writeFile(join(root, "bootstrap/templates", path), text);
    }
    const plan = await planRender({ rootDir: root, data: { name: "x", token: "plain" } });
    await expect(applyRenderPlan(plan)).rejects.toThrow(/must be encrypted with sops/);
    await expect(stat(join(root, "kubernetes"))).rejects.toThrow(/ENOENT/);
    // a sops binary that fails: same outcome
    const broken = createSopsEncryptor({
      sops: "/nonexistent/sops",
      rootDir: root,
      sopsConfig: "creation_rules:\n  - age: age1x\n",
      env: {},
    });
    await expect(applyRenderPlan(plan, { encrypt: broken })).rejects.toThrow(/cannot run sops/);
    await expect(stat(join(root, "kubernetes"))).rejects.toThrow(/ENOENT/);
  });
});
