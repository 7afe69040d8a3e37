import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ApplyFs, applyRenderPlan, createApplyFs } from "./apply.js";
import { TemplateError } from "./engine.js";
import { isPlanClean, planRender, summarizePlan } from "./plan.js";

async function repo(templates: Record<string, string>, extra: Record<string, string> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-render-"));
  for (const [path, text] of Object.entries(templates)) {
    await mkdir(dirname(join(root, "bootstrap/templates", path)), { recursive: true });
    await writeFile(join(root, "bootstrap/templates", path), text);
  }
  for (const [path, text] of Object.entries(extra)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const data = { apps: { romm: true, grafana: false }, cluster: { name: "home" } };
const templates = {
  "kubernetes/apps/a.yaml.eta": "name: #{= it.cluster.name }#\n",
  "kubernetes/apps/games/romm/app.yaml.eta": "#{ if (it.apps.romm) { }#\nromm: true\n#{ } }#\n",
  "kubernetes/apps/observability/grafana/app.yaml.eta":
    "#{ if (it.apps.grafana) { }#\ngrafana: true\n#{ } }#\n",
  "kubernetes/static.txt": "verbatim {{ .Values }} ${VAR} #{ not a tag }#\n",
  "kubernetes/_ks.partial.eta": "partial: #{= it.app }#\n",
  "kubernetes/uses-partial.yaml.eta": "#{~ include('kubernetes/_ks.partial.eta', { app: 'x' }) }#",
};

async function tree(root: string, under = "kubernetes"): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        out.push(`${rel}/`);
        await walk(join(dir, entry.name), `${rel}/`);
      } else out.push(rel);
    }
  };
  await walk(join(root, under), `${under}/`);
  return out.sort();
}

async function render(root: string, options: { force?: boolean; data?: object } = {}) {
  const plan = await planRender({ rootDir: root, data: options.data ?? data });
  const result = await applyRenderPlan(plan, { force: options.force ?? false });
  return { plan, result, counts: summarizePlan(plan) };
}

describe("planRender + applyRenderPlan", () => {
  it("forgets an owned file that is neither rendered nor on disk (a run killed after deleting it)", async () => {
    const root = await repo(templates);
    await render(root);
    const manifestPath = join(root, ".homeops/rendered.json");
    const owned = JSON.parse(await readFile(manifestPath, "utf8")) as { files: Record<string, unknown> };
    expect(Object.keys(owned.files)).toContain("kubernetes/apps/games/romm/app.yaml");
    // the killed run removed the file of the disabled app but never got to rewrite the manifest
    const { rm } = await import("node:fs/promises");
    await rm(join(root, "kubernetes/apps/games/romm/app.yaml"));
    const off = { ...data, apps: { romm: false, grafana: false } };
    const next = await render(root, { data: off });
    expect(next.result.manifestChanged).toBe(true);
    const after = JSON.parse(await readFile(manifestPath, "utf8")) as { files: Record<string, unknown> };
    expect(Object.keys(after.files)).not.toContain("kubernetes/apps/games/romm/app.yaml");
    expect(isPlanClean(await planRender({ rootDir: root, data: off }))).toBe(true);
  });

  it("creates, then reports everything unchanged; disabled apps leave no files and no dirs", async () => {
    const root = await repo(templates);
    const first = await render(root);
    expect(first.counts).toEqual({ create: 4, update: 0, unchanged: 0, conflict: 0, delete: 0 });
    expect(await tree(root)).toEqual([
      "kubernetes/apps/",
      "kubernetes/apps/a.yaml",
      "kubernetes/apps/games/",
      "kubernetes/apps/games/romm/",
      "kubernetes/apps/games/romm/app.yaml",
      "kubernetes/static.txt",
      "kubernetes/uses-partial.yaml",
    ]);
    expect(await readFile(join(root, "kubernetes/static.txt"), "utf8")).toBe(
      templates["kubernetes/static.txt"],
    );
    const second = await render(root);
    expect(second.counts).toEqual({ create: 0, update: 0, unchanged: 4, conflict: 0, delete: 0 });
    expect(second.result.manifestChanged).toBe(false);
    expect(isPlanClean(second.plan)).toBe(true);
    // a lost manifest: every file is unchanged, but the plan is not clean until the manifest is back
    const { rm } = await import("node:fs/promises");
    await rm(join(root, ".homeops/rendered.json"));
    const lost = await planRender({ rootDir: root, data });
    expect(summarizePlan(lost).unchanged).toBe(4);
    expect(isPlanClean(lost)).toBe(false);
    await applyRenderPlan(lost);
    expect(isPlanClean(await planRender({ rootDir: root, data }))).toBe(true);
    const manifest = JSON.parse(await readFile(join(root, ".homeops/rendered.json"), "utf8"));
    expect(Object.keys(manifest.files)).toEqual([
      "kubernetes/apps/a.yaml",
      "kubernetes/apps/games/romm/app.yaml",
      "kubernetes/static.txt",
      "kubernetes/uses-partial.yaml",
    ]);
  });

  it("overrides win over templates", async () => {
    const root = await repo(templates, { "bootstrap/overrides/kubernetes/apps/a.yaml": "mine: true\n" });
    await render(root);
    expect(await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8")).toBe("mine: true\n");
  });

  it("a template error in the last file writes nothing", async () => {
    const root = await repo({ ...templates, "kubernetes/zzz.yaml.eta": "ok: 1\nbad: #{= it.apps.nope }#\n" });
    await expect(planRender({ rootDir: root, data })).rejects.toThrow(
      /kubernetes\/zzz\.yaml\.eta:2: .*`it\.apps\.nope`/,
    );
    await expect(planRender({ rootDir: root, data })).rejects.toBeInstanceOf(TemplateError);
    await expect(stat(join(root, "kubernetes"))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(root, ".homeops"))).rejects.toThrow(/ENOENT/);
  });

  it("a hand-edited managed file is a conflict and stays untouched; --force keeps a backup", async () => {
    const root = await repo(templates);
    await render(root);
    const file = join(root, "kubernetes/apps/a.yaml");
    await writeFile(file, "name: edited by hand\n");
    const { plan, result } = await render(root, { data: { ...data, cluster: { name: "other" } } });
    const entry = plan.entries.find((e) => e.path === "kubernetes/apps/a.yaml");
    expect(entry?.action).toBe("conflict");
    expect(result.conflicts.map((c) => c.path)).toEqual(["kubernetes/apps/a.yaml"]);
    expect(await readFile(file, "utf8")).toBe("name: edited by hand\n");

    const forced = await render(root, { force: true, data: { ...data, cluster: { name: "other" } } });
    expect(forced.result.backups).toEqual(["kubernetes/apps/a.yaml.homeops-backup"]);
    expect(await readFile(file, "utf8")).toBe("name: other\n");
    expect(await readFile(`${file}.homeops-backup`, "utf8")).toBe("name: edited by hand\n");
    expect((await render(root, { data: { ...data, cluster: { name: "other" } } })).counts.conflict).toBe(0);
  });

  it("never touches a file homeops never wrote, and prunes only unedited files it wrote", async () => {
    const root = await repo(templates, {
      "kubernetes/apps/mine.yaml": "user: file\n",
      "kubernetes/apps/games/romm/notes.md": "x\n",
    });
    await render(root);
    // the user's file where a template now renders: conflict, not overwritten
    const clash = await repo(templates, { "kubernetes/apps/a.yaml": "user owns this\n" });
    const clashRun = await render(clash);
    expect(clashRun.plan.entries.find((e) => e.path === "kubernetes/apps/a.yaml")?.reason).toMatch(
      /never wrote/,
    );
    expect(await readFile(join(clash, "kubernetes/apps/a.yaml"), "utf8")).toBe("user owns this\n");

    // disable romm: its file is pruned, the user's file in that directory survives
    const off = await render(root, { data: { ...data, apps: { romm: false, grafana: false } } });
    expect(off.plan.entries.filter((e) => e.action === "delete").map((e) => e.path)).toEqual([
      "kubernetes/apps/games/romm/app.yaml",
    ]);
    expect(await readFile(join(root, "kubernetes/apps/mine.yaml"), "utf8")).toBe("user: file\n");
    expect(await readFile(join(root, "kubernetes/apps/games/romm/notes.md"), "utf8")).toBe("x\n");
    await expect(stat(join(root, "kubernetes/apps/games/romm/app.yaml"))).rejects.toThrow(/ENOENT/);
  });

  it("prune removes directories it empties, and keeps an edited orphan as a conflict", async () => {
    const root = await repo(templates);
    await render(root);
    const off = await render(root, { data: { ...data, apps: { romm: false, grafana: false } } });
    expect(off.result.deleted).toEqual(["kubernetes/apps/games/romm/app.yaml"]);
    await expect(stat(join(root, "kubernetes/apps/games"))).rejects.toThrow(/ENOENT/);

    await render(root);
    await writeFile(join(root, "kubernetes/apps/games/romm/app.yaml"), "romm: edited\n");
    const edited = await render(root, { data: { ...data, apps: { romm: false, grafana: false } } });
    expect(edited.result.conflicts.map((c) => c.path)).toEqual(["kubernetes/apps/games/romm/app.yaml"]);
    expect(await readFile(join(root, "kubernetes/apps/games/romm/app.yaml"), "utf8")).toBe("romm: edited\n");
  });

  it("a failing write undoes every finished step", async () => {
    const root = await repo(templates);
    await render(root);
    const before = await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8");
    const plan = await planRender({
      rootDir: root,
      data: { ...data, cluster: { name: "new" }, apps: { romm: false, grafana: true } },
    });
    // the third staged file fails (as a full disk would): nothing was renamed yet
    const real = createApplyFs();
    let calls = 0;
    const failing: ApplyFs = {
      ...real,
      stage: async (path, bytes, mode) => {
        if (++calls === 3) throw new Error("disk full");
        return real.stage(path, bytes, mode);
      },
    };
    await expect(applyRenderPlan(plan, { fs: failing })).rejects.toThrow(/disk full/);
    expect(await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8")).toBe(before);
    await expect(stat(join(root, "kubernetes/apps/observability"))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(root, "kubernetes/apps/games/romm/app.yaml"), "utf8")).toBe("romm: true\n");
    expect((await render(root)).counts).toEqual({
      create: 0,
      update: 0,
      unchanged: 4,
      conflict: 0,
      delete: 0,
    });
  });

  it("a failing durability barrier (EIO) is a user error naming the root; the temps go, the tree stays", async () => {
    const root = await repo(templates);
    await render(root);
    const before = await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8");
    const plan = await planRender({ rootDir: root, data: { ...data, cluster: { name: "new" } } });
    const failing: ApplyFs = {
      ...createApplyFs(),
      sync: async () => {
        throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
      },
    };
    const e = await applyRenderPlan(plan, { fs: failing }).catch((error: unknown) => error);
    expect(e).toMatchObject({ code: "FILE_UNWRITABLE", location: { file: "." } });
    expect((e as Error).message).toMatch(/^\.: cannot write: .*\(EIO\)$/);
    expect(await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8")).toBe(before);
    expect(await readdir(join(root, "kubernetes/apps"))).toEqual(["a.yaml", "games"]);
    expect(await readdir(join(root, ".homeops"))).toEqual(["rendered.json"]);
  });

  it("a kill between temp write and rename leaves the old file intact; the next run cleans up", async () => {
    const root = await repo(templates);
    await render(root);
    const target = join(root, "kubernetes/apps/a.yaml");
    const plan = await planRender({ rootDir: root, data: { ...data, cluster: { name: "new" } } });
    class Killed extends Error {}
    let dead = false;
    // after the "kill" no code of the dead process runs: every later operation (undo included) fails
    const killing: ApplyFs = {
      stage: async (path, bytes) => {
        if (dead) throw new Killed("dead");
        // the temp file is written ...
        const temp = join(dirname(path), `.${path.split("/").pop()}.homeops-4242-deadbeef.tmp`);
        await writeFile(temp, bytes);
        // ... and the process dies before it is renamed
        dead = true;
        throw new Killed("SIGKILL");
      },
      sync: async () => {
        throw new Killed("dead");
      },
      commit: async () => {
        throw new Killed("dead");
      },
      remove: async () => {
        throw new Killed("dead");
      },
    };
    await expect(applyRenderPlan(plan, { fs: killing })).rejects.toBeInstanceOf(Killed);
    expect(await readFile(target, "utf8")).toBe("name: home\n");
    const next = await planRender({ rootDir: root, data: { ...data, cluster: { name: "new" } } });
    expect(next.staleTemps).toEqual(["kubernetes/apps/.a.yaml.homeops-4242-deadbeef.tmp"]);
    const applied = await applyRenderPlan(next);
    expect(applied.cleaned).toHaveLength(1);
    expect(await readFile(target, "utf8")).toBe("name: new\n");
    expect(await readdir(join(root, "kubernetes/apps"))).toEqual(["a.yaml", "games"]);
  });

  it("cleans a temp of the ownership manifest that a killed run left (its directory holds no rendered file)", async () => {
    const root = await repo(templates);
    await render(root);
    const temp = ".homeops/.rendered.json.homeops-4242-deadbeef.tmp";
    await writeFile(join(root, temp), "{}");
    const next = await planRender({ rootDir: root, data });
    expect(next.staleTemps).toEqual([temp]);
    expect(isPlanClean(next)).toBe(false);
    expect((await applyRenderPlan(next)).cleaned).toEqual([temp]);
    expect(await readdir(join(root, ".homeops"))).toEqual(["rendered.json"]);
  });

  it("refuses to plan without templates instead of pruning everything", async () => {
    const root = await repo(templates);
    await render(root);
    const { rm } = await import("node:fs/promises");
    await rm(join(root, "bootstrap"), { recursive: true });
    await expect(planRender({ rootDir: root, data })).rejects.toThrow(/no template directory found/);
    expect(await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8")).toBe("name: home\n");
  });

  it("rejects a manifest entry outside the repository", async () => {
    const root = await repo(templates, {
      ".homeops/rendered.json": JSON.stringify({ version: 1, files: { "../outside.yaml": { sha256: "x" } } }),
    });
    await expect(planRender({ rootDir: root, data })).rejects.toThrow(/not a path inside the repository/);
  });

  it("keeps file modes of verbatim files", async () => {
    const root = await repo({ "scripts/run.sh": "#!/bin/sh\necho ${HOME}\n" });
    const { chmod } = await import("node:fs/promises");
    await chmod(join(root, "bootstrap/templates/scripts/run.sh"), 0o755);
    await render(root);
    expect((await stat(join(root, "scripts/run.sh"))).mode & 0o777).toBe(0o755);
  });
});
