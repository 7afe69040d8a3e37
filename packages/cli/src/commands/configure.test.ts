import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { type ConfigureStage, configureStages } from "../internal/configure-stages.js";
import { createTestIo } from "../internal/test-io.js";
import { freshRepo } from "../internal/test-repo.js";
import { createContext } from "../io.js";
import { runCli } from "../main.js";
import { configureRepository } from "./configure.js";

async function homeops(dir: string, env: Record<string, string | undefined>, ...args: string[]) {
  const t = createTestIo({ cwd: dir, env });
  const code = await runCli(args, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

const onPath = (name: string) =>
  findExecutable(name, [process.env.PATH, join(homedir(), "go/bin")]) !== undefined;
/** configure without the validation stages: this test is about encryption only. */
async function configure(dir: string, env: Record<string, string | undefined>) {
  const t = createTestIo({ cwd: dir, env });
  const code = await configureRepository(createContext(t.io), {
    config: "bootstrap/config.yaml",
    yes: true,
    force: false,
    stages: [],
  });
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}
const haveSops = onPath("sops") && onPath("age-keygen");
if (!haveSops && process.env.CI)
  throw new Error("sops and age-keygen are required for the configure SOPS test (CI is set)");

describe("homeops configure", () => {
  it("init → validate → render → encrypt → stages; not-delivered stages are reported as not run", async () => {
    const dir = await freshRepo();
    await rm(join(dir, "bootstrap/config.yaml"));
    const first = await homeops(dir, env, "configure", "--yes");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(ExitCode.Clean);
    expect(first.stdout).toMatch(/^init\s+created bootstrap\/config\.yaml from the sample$/m);
    expect(first.stdout).toMatch(/^validate config\s+passed$/m);
    expect(first.stdout).toMatch(
      /^render\s+done \(\d+ created, 0 updated, 0 deleted, 0 unchanged, 0 conflicts\)$/m,
    );
    // each stage either ran and passed, or says plainly that it did not run
    for (const stage of configureStages) {
      const line = first.stdout.split("\n").find((l) => l.startsWith(`${stage.title} `));
      expect(line, stage.title).toMatch(stage.run ? /\s(passed|not run \(.+\))$/ : /\snot run \(.+\)$/);
    }
    // the delivered validation stages really run on the rendered tree
    expect(first.stdout).toMatch(/^kubernetes:kubeconform\s+passed$/m);
    expect(first.stdout).toMatch(/^kubernetes:check\s+passed$/m);
    // a new repository has no Talos secrets bundle yet: the stage says so (it never invents one)
    expect(first.stdout).toMatch(/^talos\s+not run \(no Talos secrets bundle yet: .*gensecret --new.*\)$/m);
    const second = await homeops(dir, env, "configure", "--yes");
    expect(second.code).toBe(ExitCode.Clean);
    expect(second.stdout).toMatch(
      /^render\s+done \(0 created, 0 updated, 0 deleted, \d+ unchanged, 0 conflicts\)$/m,
    );
    expect(second.stdout).not.toMatch(/^(create|update|delete|conflict) /m);
  }, 120_000); // the kubeconform stage compiles schemas cold; loaded machines are slow

  it("without --yes shows the plan and applies nothing", async () => {
    const dir = await freshRepo();
    const run = await homeops(dir, env, "configure");
    expect(run.code).toBe(ExitCode.Findings);
    expect(run.stdout).toContain("rerun with --yes to apply");
    await expect(readdir(join(dir, "kubernetes"))).rejects.toThrow(/ENOENT/);
  });

  it("runs plugged-in stages and fails when one fails", async () => {
    const dir = await freshRepo();
    const t = createTestIo({ cwd: dir, env });
    const stages: ConfigureStage[] = [
      { id: "ok", title: "ok-stage", run: async () => ExitCode.Clean },
      { id: "bad", title: "bad-stage", run: async () => ExitCode.Findings },
      { id: "later", title: "later-stage", pending: "arrives later" },
    ];
    const code = await configureRepository(createContext(t.io), {
      config: "bootstrap/config.yaml",
      yes: true,
      force: false,
      stages,
    });
    expect(code).toBe(ExitCode.Findings);
    expect(t.stdout()).toMatch(/^ok-stage\s+passed$/m);
    expect(t.stdout()).toMatch(/^bad-stage\s+failed$/m);
    expect(t.stdout()).toMatch(/^later-stage\s+not run \(arrives later\)$/m);
  });

  it("stops before writing anything when a *.sops.* file needs sops and sops is missing", async () => {
    const dir = await freshRepo();
    const secret = "kubernetes/apps/default/secret.sops.yaml";
    await mkdir(join(dir, "bootstrap/overrides/kubernetes/apps/default"), { recursive: true });
    await writeFile(
      join(dir, `bootstrap/overrides/${secret}`),
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  token: plaintext\n",
    );
    const run = await homeops(dir, { PATH: "/nonexistent", HOME: "/nonexistent" }, "configure", "--yes");
    expect(run.code).toBe(ExitCode.Operational);
    expect(run.stderr).toContain(`sops is not installed; it must encrypt ${secret}`);
    await expect(readdir(join(dir, "kubernetes"))).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(dir, secret))).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(!haveSops)(
    "encrypts a rendered *.sops.yaml with the real sops; a second configure leaves it byte-identical",
    async () => {
      const dir = await freshRepo();
      const key = join(await mkdtemp(join(tmpdir(), "homeops-age-")), "age.key");
      execFileSync("age-keygen", ["-o", key], { stdio: "ignore" });
      const recipient = /public key: (age1\w+)/.exec(await readFile(key, "utf8"))![1]!;
      const config = join(dir, "bootstrap/config.yaml");
      await writeFile(config, (await readFile(config, "utf8")).replace(/age1\w{58}/, recipient));
      const secret = "talosconfig/test.sops.yaml";
      await mkdir(join(dir, "bootstrap/overrides/talosconfig"), { recursive: true });
      const plaintext =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  token: plaintext-token\n";
      await writeFile(join(dir, `bootstrap/overrides/${secret}`), plaintext);
      const withSops = {
        ...env,
        PATH: `${process.env.PATH}:${join(homedir(), "go/bin")}`,
        SOPS_AGE_KEY_FILE: key,
      };

      const first = await configure(dir, withSops);
      expect(first.stderr).toBe("");
      expect(first.code, first.stdout).toBe(ExitCode.Clean);
      const encrypted = await readFile(join(dir, secret));
      expect(encrypted.toString()).not.toContain("plaintext-token");
      expect(encrypted.toString()).toMatch(/^sops:$/m);
      const sops =
        onPath("sops") && existsSync(join(homedir(), "go/bin/sops"))
          ? join(homedir(), "go/bin/sops")
          : "sops";
      const decrypted = execFileSync(sops, ["decrypt", secret], {
        cwd: dir,
        env: { ...process.env, ...withSops },
      });
      expect(decrypted.toString()).toBe(plaintext);

      const second = await configure(dir, withSops);
      expect(second.code).toBe(ExitCode.Clean);
      // unchanged files are listed only with --verbose: the summary says nothing changed
      expect(second.stdout).toMatch(
        /^render\s+done \(0 created, 0 updated, 0 deleted, \d+ unchanged, 0 conflicts\)$/m,
      );
      expect((await readFile(join(dir, secret))).equals(encrypted)).toBe(true);
    },
  );
});
