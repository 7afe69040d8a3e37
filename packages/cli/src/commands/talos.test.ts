import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { createTestIo } from "../internal/test-io.js";
import { freshRepo } from "../internal/test-repo.js";
import { runCli } from "../main.js";

async function homeops(dir: string, ...args: string[]) {
  const t = createTestIo({ cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const code = await runCli(args, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

async function repoWithConfig(): Promise<string> {
  const dir = await freshRepo();
  const sample = await readFile(new URL("../../../../bootstrap/config.yaml", import.meta.url), "utf8");
  await mkdir(join(dir, "bootstrap"), { recursive: true });
  await writeFile(join(dir, "bootstrap/config.yaml"), sample);
  return dir;
}

describe("homeops talos", () => {
  it("generate without a bundle: exit 2 naming the path, no stack trace, nothing written", async () => {
    const dir = await repoWithConfig();
    const r = await homeops(dir, "talos", "generate");
    expect(r.code).toBe(ExitCode.Operational);
    expect(r.stderr).toContain("talosconfig/secrets.sops.yaml does not exist");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });

  it("gensecret without --new refuses (exit 2)", async () => {
    const dir = await repoWithConfig();
    const r = await homeops(dir, "talos", "gensecret");
    expect(r.code).toBe(ExitCode.Operational);
    expect(r.stderr).toContain("pass --new");
  });

  it("command prints the exact talosctl lines; an unknown node is exit 2", async () => {
    const dir = await repoWithConfig();
    const r = await homeops(dir, "talos", "command", "apply", "--node", "10.10.0.11", "--insecure");
    expect(r.code).toBe(ExitCode.Clean);
    expect(r.stdout).toBe(
      "talosctl --talosconfig talosconfig/talosconfig --nodes 10.10.0.11 --endpoints 10.10.0.11 apply-config --insecure --file talosconfig/clusterconfig/home-k8s-1.yaml\n",
    );
    const dry = await homeops(dir, "talos", "command", "reset", "--node", "k8s-3", "--exec", "--dry-run");
    expect(dry.stdout).toMatch(/^talosctl .* reset --system-labels-to-wipe STATE/);
    expect((await homeops(dir, "talos", "command", "apply", "--node", "10.9.9.9")).code).toBe(
      ExitCode.Operational,
    );
    expect((await homeops(dir, "talos", "command", "frobnicate")).code).toBe(ExitCode.Operational);
  });

  it("url prints the schematic and the factory URLs", async () => {
    const dir = await repoWithConfig();
    const r = await homeops(dir, "talos", "url", "--node", "k8s-3");
    expect(r.code).toBe(ExitCode.Clean);
    expect(r.stdout).toContain(
      "installer factory.talos.dev/metal-installer-secureboot/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.13.2",
    );
  });
});
