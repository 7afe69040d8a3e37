import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { UserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { type ApplyFs, applyRenderPlan, createApplyFs } from "./apply.js";
import { TemplateEngine } from "./engine.js";
import { LOCK_PATH, lockRepository } from "./lock.js";
import { planRender, summarizePlan } from "./plan.js";

async function repo(templates: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-robust-"));
  for (const [path, text] of Object.entries(templates)) {
    await mkdir(dirname(join(root, "bootstrap/templates", path)), { recursive: true });
    await writeFile(join(root, "bootstrap/templates", path), text);
  }
  return root;
}

const data = { cluster: { name: "home" } };
const templates = {
  "kubernetes/apps/a.yaml.eta": "name: #{= it.cluster.name }#\nkind: A\n",
  "kubernetes/apps/b.yaml.eta": "name: b-#{= it.cluster.name }#\n",
  "kubernetes/c.yaml": "c: 1\n",
};

async function rejection(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error("expected a UserError");
}

describe("render never writes through a symlink", () => {
  it("refuses a symlinked output directory that leads outside, naming the link; nothing is written", async () => {
    const root = await repo(templates);
    const outside = await mkdtemp(join(tmpdir(), "homeops-outside-"));
    await mkdir(join(root, "kubernetes"), { recursive: true });
    await symlink(outside, join(root, "kubernetes/apps"));
    const e = await rejection(planRender({ rootDir: root, data }));
    expect(e.code).toBe("SYMLINK_REFUSED");
    expect(e.message).toMatch(/^kubernetes\/apps\/a\.yaml: not written, kubernetes\/apps is a symlink/);
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(join(root, "kubernetes"))).toEqual(["apps"]);
  });

  it("refuses a rendered file that is a symlink, even one pointing inside", async () => {
    const root = await repo(templates);
    await mkdir(join(root, "kubernetes"), { recursive: true });
    await writeFile(join(root, "elsewhere.yaml"), "mine\n");
    await symlink("../elsewhere.yaml", join(root, "kubernetes/c.yaml"));
    const e = await rejection(planRender({ rootDir: root, data }));
    expect(e.message).toMatch(/kubernetes\/c\.yaml: not written, kubernetes\/c\.yaml is a symlink/);
    expect(await readFile(join(root, "elsewhere.yaml"), "utf8")).toBe("mine\n");
  });

  it("apply checks again: a symlink that appeared after the plan is refused before any write", async () => {
    const root = await repo(templates);
    const plan = await planRender({ rootDir: root, data });
    const outside = await mkdtemp(join(tmpdir(), "homeops-outside-"));
    await mkdir(join(root, "kubernetes"), { recursive: true });
    await symlink(outside, join(root, "kubernetes/apps"));
    expect((await rejection(applyRenderPlan(plan))).code).toBe("SYMLINK_REFUSED");
    expect(await readdir(outside)).toEqual([]);
  });

  it("refuses a symlinked template instead of skipping it silently", async () => {
    const root = await repo(templates);
    await writeFile(join(root, "real.eta"), "x: 1\n");
    await symlink(join(root, "real.eta"), join(root, "bootstrap/templates/kubernetes/link.yaml.eta"));
    expect((await rejection(planRender({ rootDir: root, data }))).message).toMatch(
      /templates may not be symlinks/,
    );
  });
});

describe("CRLF line endings", () => {
  it("a checkout with CRLF (git autocrlf) is unchanged, not a conflict, and stays as it is", async () => {
    const root = await repo(templates);
    await applyRenderPlan(await planRender({ rootDir: root, data }));
    for (const path of ["kubernetes/apps/a.yaml", "kubernetes/c.yaml"]) {
      const text = await readFile(join(root, path), "utf8");
      await writeFile(join(root, path), text.replace(/\n/g, "\r\n"));
    }
    const plan = await planRender({ rootDir: root, data });
    expect(summarizePlan(plan)).toMatchObject({ conflict: 0, update: 0, unchanged: 3 });
    expect(plan.entries.find((e) => e.path === "kubernetes/c.yaml")?.reason).toMatch(/CRLF/);
    // a config change updates a CRLF file homeops wrote: owned, so no false "edited by hand"
    const next = await planRender({ rootDir: root, data: { cluster: { name: "lab" } } });
    expect(next.entries.find((e) => e.path === "kubernetes/apps/a.yaml")?.action).toBe("update");
    expect(summarizePlan(next).conflict).toBe(0);
  });

  it("templates saved with CRLF render the same files as with LF", async () => {
    const lf = await repo(templates);
    const crlf = await repo(
      Object.fromEntries(Object.entries(templates).map(([k, v]) => [k, v.replace(/\n/g, "\r\n")])),
    );
    const a = await planRender({ rootDir: lf, data });
    const b = await planRender({ rootDir: crlf, data });
    const text = (p: typeof a, path: string) =>
      p.entries.find((e) => e.path === path)?.rendered?.content.toString();
    expect(text(b, "kubernetes/apps/a.yaml")).toBe(text(a, "kubernetes/apps/a.yaml"));
  });
});

describe("interrupted apply", () => {
  // the signal arrives after the first file is staged (before the tree changes), or after the first rename
  for (const when of ["stage", "commit"] as const) {
    it(`an abort after the first ${when} restores every file and the ownership manifest; the next run has no conflict`, async () => {
      const root = await repo(templates);
      await applyRenderPlan(await planRender({ rootDir: root, data }));
      const before = await readFile(join(root, ".homeops/rendered.json"), "utf8");
      const a = await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8");
      const controller = new AbortController();
      const real = createApplyFs();
      let calls = 0;
      const fs: ApplyFs = { ...real };
      if (when === "stage")
        fs.stage = async (path, content, mode) => {
          const temp = await real.stage(path, content, mode);
          if (++calls === 1) controller.abort();
          return temp;
        };
      else
        fs.commit = async (temp, path) => {
          await real.commit(temp, path);
          if (++calls === 1) controller.abort();
        };
      const plan = await planRender({ rootDir: root, data: { cluster: { name: "lab" } } });
      const e = await rejection(applyRenderPlan(plan, { fs, signal: controller.signal }));
      expect(e.code).toBe("INTERRUPTED");
      expect(await readFile(join(root, ".homeops/rendered.json"), "utf8")).toBe(before);
      expect(await readFile(join(root, "kubernetes/apps/a.yaml"), "utf8")).toBe(a);
      expect((await readdir(join(root, "kubernetes/apps"))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const again = await planRender({ rootDir: root, data: { cluster: { name: "other" } } });
      expect(summarizePlan(again)).toMatchObject({ conflict: 0, update: 2 });
    });
  }
});

describe("lockRepository", () => {
  it("a second lock names the holder's pid; a lock left by a dead process is taken over", async () => {
    const root = await repo(templates);
    const lock = await lockRepository(root);
    const e = await rejection(lockRepository(root));
    expect(e.code).toBe("LOCKED");
    expect(e.message).toBe(`another homeops is running (pid ${process.pid})`);
    await lock.release();
    const again = await lockRepository(root);
    await again.release();
    // pid 2^22+1 is above Linux's pid_max: no such process
    await writeFile(join(root, LOCK_PATH), `4194305 ${(await import("node:os")).hostname()}\n`);
    const taken = await lockRepository(root);
    await taken.release();
    expect(await readdir(join(root, ".homeops"))).not.toContain("lock");
  });

  it("removes the attempt a killed run left beside the lock, never a live process' one", async () => {
    const root = await repo(templates);
    await mkdir(join(root, ".homeops"), { recursive: true });
    // 4194305: above Linux's pid_max, no such process; process.ppid: alive
    await writeFile(join(root, `${LOCK_PATH}.4194305.tmp`), "");
    await writeFile(join(root, `${LOCK_PATH}.${process.ppid}.tmp`), "");
    const lock = await lockRepository(root);
    await lock.release();
    expect((await readdir(join(root, ".homeops"))).filter((f) => f.startsWith("lock"))).toEqual([
      `lock.${process.ppid}.tmp`,
    ]);
  });
});

describe("template syntax errors", () => {
  it("a JavaScript syntax error inside tags names its template line", () => {
    const engine = new TemplateEngine();
    const source = "a: 1\nb: #{= it.x }#\n#{ if (it.y) { }#\nc: 2\n#{ } catch }#\nd: 3\n";
    try {
      engine.render(source, { x: 1, y: true }, "bootstrap/templates/x.yaml.eta");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).location).toEqual({ file: "bootstrap/templates/x.yaml.eta", line: 5 });
      expect((error as UserError).message).toMatch(
        /^bootstrap\/templates\/x\.yaml\.eta:5: template syntax: Unexpected token 'catch'/,
      );
    }
  });
});
