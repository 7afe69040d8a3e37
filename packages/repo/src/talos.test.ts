import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isUserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { openRepository } from "./repository.js";
import { talosCommandLines, talosStageReadiness, talosUrls, talosValidate } from "./talos.js";

async function repoDir(config?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-repo-talos-"));
  await mkdir(join(dir, "bootstrap"), { recursive: true });
  const sample = await readFile(new URL("../../../bootstrap/config.yaml", import.meta.url), "utf8");
  await writeFile(join(dir, "bootstrap/config.yaml"), config ?? sample);
  return dir;
}

describe("talos stages over a repository", () => {
  it("command lines for every node / one node", async () => {
    const repo = await openRepository(await repoDir(), { cwd: "/" });
    const all = await talosCommandLines(repo, "apply");
    expect(all.data?.commands.map((c) => c.node)).toEqual(["k8s-0", "k8s-1", "k8s-2", "k8s-3"]);
    const one = await talosCommandLines(repo, "upgrade-k8s");
    expect(one.data?.commands.map((c) => c.line)).toEqual([
      "talosctl --talosconfig talosconfig/talosconfig --nodes 10.10.0.10 --endpoints 10.10.0.10 upgrade-k8s --to 1.35.1",
    ]);
  });

  it("a repository that never had a bundle: the stage is not run, and says why", async () => {
    const repo = await openRepository(await repoDir(), { cwd: "/" });
    expect(await talosStageReadiness(repo)).toMatch(/no Talos secrets bundle yet: .*gensecret --new/);
  });

  it("configs were generated before but the bundle is gone: exit-2 error naming it, never a new bundle", async () => {
    const dir = await repoDir();
    await mkdir(join(dir, "talosconfig/clusterconfig"), { recursive: true });
    const repo = await openRepository(dir, { cwd: "/" });
    expect(await talosStageReadiness(repo)).toBeUndefined();
    const error = await talosValidate(repo).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain("talosconfig/secrets.sops.yaml does not exist");
  });

  it("an invalid config gives its findings, nothing generated", async () => {
    const repo = await openRepository(await repoDir("version: 1\ncluster: {}\n"), { cwd: "/" });
    const report = await talosUrls(repo);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.data && "images" in report.data).toBe(false);
  });

  it("url: schematic ids and installer URLs per node", async () => {
    const repo = await openRepository(await repoDir(), { cwd: "/" });
    const report = await talosUrls(repo, { node: "k8s-0" });
    expect(report.data?.images.map((i) => i.urls.installer)).toEqual([
      "factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.13.2",
    ]);
    expect(report.findings).toEqual([]);
  });
});
