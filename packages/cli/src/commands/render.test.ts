import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
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

const ROMM = "kubernetes/apps/games/romm/app/helmrelease.yaml";

describe("homeops render", () => {
  it("renders the sample, then reports every file unchanged", async () => {
    const dir = await freshRepo();
    const first = await homeops(dir, "render");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(ExitCode.Clean);
    expect(first.stdout).toMatch(/render: (\d+) created, 0 updated, 0 deleted, 0 unchanged, 0 conflicts/);
    const created = Number(/render: (\d+) created/.exec(first.stdout)![1]);
    expect(created).toBeGreaterThan(60);
    const second = await homeops(dir, "render");
    expect(second.code).toBe(ExitCode.Clean);
    expect(second.stdout).toContain(
      `render: 0 created, 0 updated, 0 deleted, ${created} unchanged, 0 conflicts`,
    );
    // unchanged files are listed only with --verbose: the summary counts them
    expect(second.stdout.split("\n").filter((l) => l.startsWith("unchanged")).length).toBe(0);
    const verbose = await homeops(dir, "render", "--verbose");
    expect(verbose.stdout.split("\n").filter((l) => l.startsWith("unchanged")).length).toBe(created);
    // Helm templates and Flux variables pass through verbatim
    const romm = await readFile(join(dir, ROMM), "utf8");
    expect(romm).toContain('"{{ .Release.Name }}.${SECRET_DOMAIN}"');
    expect(romm).toContain("TZ: ${TIMEZONE}");
  });

  it("--dry-run and --diff write nothing and exit 1 while the tree is stale", async () => {
    const dir = await freshRepo();
    const dry = await homeops(dir, "render", "--dry-run");
    expect(dry.code).toBe(ExitCode.Findings);
    expect(dry.stdout).toMatch(/^create {4}\.sops\.yaml$/m);
    expect(dry.stdout).toContain("(nothing written: dry run)");
    await expect(readdir(join(dir, "kubernetes"))).rejects.toThrow(/ENOENT/);
    await homeops(dir, "render");
    expect((await homeops(dir, "render", "--dry-run")).code).toBe(ExitCode.Clean);
    await writeFile(
      join(dir, "bootstrap/config.yaml"),
      (await readFile(join(dir, "bootstrap/config.yaml"), "utf8")).replace(
        "timezone: Europe/Amsterdam",
        "timezone: Europe/Paris",
      ),
    );
    const diff = await homeops(dir, "render", "--diff");
    expect(diff.code).toBe(ExitCode.Findings);
    expect(diff.stdout).toContain("--- a/kubernetes/components/common/cluster-settings.yaml");
    expect(diff.stdout).toContain('-  TIMEZONE: "Europe/Amsterdam"');
    expect(diff.stdout).toContain('+  TIMEZONE: "Europe/Paris"');
    const json = await homeops(dir, "render", "--dry-run", "-o", "json");
    const parsed = JSON.parse(json.stdout) as { entries: { path: string; action: string }[] };
    expect(
      parsed.entries.find((e) => e.path === "kubernetes/components/common/cluster-settings.yaml")?.action,
    ).toBe("update");
  });

  it("a hand-edited file is a conflict: untouched, exit 1 with the path; --force keeps a backup", async () => {
    const dir = await freshRepo();
    await homeops(dir, "render");
    const edited = "# my own romm\n";
    await writeFile(join(dir, ROMM), edited);
    await writeFile(join(dir, "kubernetes/apps/games/romm/notes.yaml"), "mine: true\n");
    const run = await homeops(dir, "render");
    expect(run.code).toBe(ExitCode.Findings);
    expect(run.stderr).toContain(`conflict: ${ROMM}: edited by hand since homeops wrote it; left untouched`);
    expect(await readFile(join(dir, ROMM), "utf8")).toBe(edited);
    const forced = await homeops(dir, "render", "--force");
    expect(forced.code).toBe(ExitCode.Clean);
    expect(forced.stdout).toContain(`backup    ${ROMM}.homeops-backup`);
    expect(await readFile(join(dir, `${ROMM}.homeops-backup`), "utf8")).toBe(edited);
    expect(await readFile(join(dir, ROMM), "utf8")).toContain("app-template");
    // disabling romm prunes what homeops wrote; the user's file (and the backup) survive
    await writeFile(
      join(dir, "bootstrap/config.yaml"),
      (await readFile(join(dir, "bootstrap/config.yaml"), "utf8")).replace("romm: true", "romm: false"),
    );
    const off = await homeops(dir, "render");
    expect(off.code).toBe(ExitCode.Clean);
    expect(off.stdout).toMatch(
      /^delete {4}kubernetes\/apps\/games\/romm\/ks\.yaml {2}\(no longer rendered\)$/m,
    );
    expect((await readdir(join(dir, "kubernetes/apps/games/romm"), { recursive: true })).sort()).toEqual([
      "app",
      "app/helmrelease.yaml.homeops-backup",
      "notes.yaml",
    ]);
    expect(await readFile(join(dir, "kubernetes/apps/games/romm/notes.yaml"), "utf8")).toBe("mine: true\n");
  });

  it("a template reading an undefined key fails with file:line and the key, and writes nothing", async () => {
    const dir = await freshRepo();
    await mkdir(join(dir, "bootstrap/overrides/kubernetes"), { recursive: true });
    await writeFile(
      join(dir, "bootstrap/overrides/kubernetes/zz-broken.yaml.eta"),
      "a: 1\nb: #{= it.apps.nope }#\n",
    );
    const run = await homeops(dir, "render");
    expect(run.code).toBe(ExitCode.Operational);
    expect(run.stderr).toContain(
      "bootstrap/overrides/kubernetes/zz-broken.yaml.eta:2: template reads undefined key `it.apps.nope`",
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(readdir(join(dir, "kubernetes"))).rejects.toThrow(/ENOENT/);
  });

  it("an invalid config is reported with file:line (exit 1) and nothing is rendered", async () => {
    const dir = await freshRepo();
    await writeFile(
      join(dir, "bootstrap/config.yaml"),
      (await readFile(join(dir, "bootstrap/config.yaml"), "utf8")).replace(
        "nodeCidr: 10.10.0.0/24",
        "nodeCidr: not-a-cidr",
      ),
    );
    const run = await homeops(dir, "render");
    expect(run.code).toBe(ExitCode.Findings);
    expect(run.stdout).toMatch(/bootstrap\/config\.yaml:\d+:\d+/);
    await expect(readdir(join(dir, "kubernetes"))).rejects.toThrow(/ENOENT/);
    await rm(join(dir, "bootstrap/config.yaml"));
    expect((await homeops(dir, "render")).code).toBe(ExitCode.Operational);
  });
});
