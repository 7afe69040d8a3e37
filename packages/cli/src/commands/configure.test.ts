import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { createTestIo } from "../internal/test-io.js";
import { freshRepo } from "../internal/test-repo.js";
import { createContext } from "../io.js";
import { runCli } from "../main.js";
import { type ConfigureStage, configureRepository } from "./configure.js";

async function homeops(dir: string, env: Record<string, string | undefined>, ...args: string[]) {
  const t = createTestIo({ cwd: dir, env });
  const code = await runCli(args, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

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
    expect(first.stdout).toMatch(
      /^kubernetes:kubeconform\s+not run \(arrives with the kubeconform command\)$/m,
    );
    expect(first.stdout).not.toMatch(/kubeconform\s+passed/);
    const second = await homeops(dir, env, "configure", "--yes");
    expect(second.code).toBe(ExitCode.Clean);
    expect(second.stdout).toMatch(
      /^render\s+done \(0 created, 0 updated, 0 deleted, \d+ unchanged, 0 conflicts\)$/m,
    );
    expect(second.stdout).not.toMatch(/^(create|update|delete|conflict) /m);
  });

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
});
