import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeChanges, diffRepository } from "../src/diff-repository.js";
import { openRepository } from "../src/repository.js";
import { changes, fixtureRepo, git, SECRET_VALUES } from "./diff-fixture.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function diffOf(change: Parameters<typeof fixtureRepo>[0], base = "main") {
  const dir = await fixtureRepo(change);
  dirs.push(dir);
  const repo = await openRepository(".", { cwd: dir });
  return { dir, report: await diffRepository(repo, { base }) };
}

describe("diffRepository", () => {
  it("reports nothing when the work tree equals the base", async () => {
    const { report } = await diffOf({});
    expect(report.data?.differs).toBe(false);
    expect(report.data?.kustomizations).toEqual([]);
    expect(report.summary).toMatch(/^no difference from main \([0-9a-f]{12}\)$/);
  });

  it("a changed HelmRelease value: one object, its values path, the container matched by name", async () => {
    const { report } = await diffOf(changes.helmValue);
    const [ks] = report.data!.kustomizations;
    expect(report.data!.kustomizations).toHaveLength(1);
    expect(ks!.kustomization).toBe("flux-system/echo");
    expect(ks!.objects).toHaveLength(1);
    const hr = ks!.objects[0]!;
    expect(hr).toMatchObject({ action: "changed", kind: "HelmRelease", name: "echo", namespace: "default" });
    expect(hr.values).toEqual([
      {
        path: "controllers.main.containers[name=app].image.tag",
        action: "changed",
        before: '"1.0.0"',
        after: '"1.1.0"',
      },
    ]);
    expect(describeChanges(hr)).toEqual([
      'values.controllers.main.containers[name=app].image.tag: "1.0.0" → "1.1.0"',
    ]);
    expect(hr.diff).toContain("-              tag: 1.0.0");
    expect(hr.diff).toContain("+              tag: 1.1.0");
    expect(hr.file).toBe("kubernetes/apps/default/echo/app/helmrelease.yaml");
  });

  it("an added app: its Flux Kustomization in the parent and its own objects", async () => {
    const { report } = await diffOf(changes.addedApp);
    const byName = Object.fromEntries(report.data!.kustomizations.map((k) => [k.kustomization, k]));
    expect(Object.keys(byName)).toEqual(["flux-system/cluster-apps", "flux-system/ping"]);
    expect(byName["flux-system/ping"]!.action).toBe("added");
    expect(byName["flux-system/ping"]!.objects.map((o) => `${o.action} ${o.kind}`)).toEqual([
      "added HelmRelease",
    ]);
    expect(byName["flux-system/cluster-apps"]!.objects.map((o) => `${o.action} ${o.kind} ${o.name}`)).toEqual(
      ["added Kustomization ping"],
    );
  });

  it("a removed app: removed from the parent, its Kustomization gone with its objects", async () => {
    const { report } = await diffOf(changes.removedApp);
    const ks = report.data!.kustomizations.find((k) => k.kustomization === "flux-system/whoami")!;
    expect(ks.action).toBe("removed");
    expect(ks.objects.map((o) => `${o.action} ${o.kind} ${o.name}`)).toEqual(["removed HelmRelease whoami"]);
    expect(report.data!.counts).toEqual({ added: 0, removed: 2, changed: 0 });
    // a removed object has no line in the head: no annotation position
    expect(report.findings.find((f) => f.ruleId === "diff/removed")?.file).toBeUndefined();
  });

  it("a parent patch changes every child Kustomization", async () => {
    const { report } = await diffOf(changes.parentPatch);
    const [parent, root] = report.data!.kustomizations;
    // the root (kubernetes/flux/cluster, applied by flux-system) applies cluster-apps, whose spec changed
    expect(report.data!.kustomizations.map((k) => k.kustomization)).toEqual([
      "flux-system/cluster-apps",
      "flux-system/flux-system",
    ]);
    expect(root!.objects.map((o) => `${o.action} ${o.kind} ${o.name}`)).toEqual([
      "changed Kustomization cluster-apps",
    ]);
    expect(parent!.objects.map((o) => `${o.kind} ${o.name}: ${describeChanges(o).join(", ")}`)).toEqual([
      'Kustomization echo: spec.timeout: "5m" → "10m"',
      'Kustomization secrets: spec.timeout: "5m" → "10m"',
      'Kustomization whoami: spec.timeout: "5m" → "10m"',
    ]);
  });

  it("a component change changes every Kustomization that uses it", async () => {
    const { report } = await diffOf(changes.component);
    expect(report.data!.kustomizations.map((k) => `${k.kustomization} ${k.counts.changed}`)).toEqual([
      "flux-system/echo 1",
      "flux-system/whoami 1",
    ]);
    const hr = report.data!.kustomizations[0]!.objects[0]!;
    expect(describeChanges(hr)).toEqual([`metadata.labels["app.kubernetes.io/part-of"]: "home" → "homelab"`]);
  });

  it("a Secret change names the keys and never a value", async () => {
    const { report } = await diffOf(changes.secret);
    const secret = report.data!.kustomizations[0]!.objects[0]!;
    expect(secret).toMatchObject({ kind: "Secret", name: "api-token", secret: true });
    expect(describeChanges(secret)).toEqual([
      "stringData.token changed (value hidden)",
      "stringData.extra added (value hidden)",
    ]);
    const everything = JSON.stringify(report);
    for (const value of SECRET_VALUES) expect(everything).not.toContain(value);
    expect(secret.diff).toContain("-  token: (hidden) old value");
    expect(secret.diff).toContain("+  token: (hidden) new value");
    expect(secret.diff).toContain("   user: (hidden)");
  });

  it("defaults to the merge base with the upstream branch, and never touches the work tree or index", async () => {
    const dir = await fixtureRepo(changes.helmValue, { commit: true });
    dirs.push(dir);
    // main moves on after the branch point: the merge base is still the branch point
    git(dir, "checkout", "-q", "main");
    git(dir, "commit", "-q", "--allow-empty", "-m", "later");
    git(dir, "checkout", "-q", "pr");
    git(dir, "branch", "-q", "--set-upstream-to", "main");
    const status = git(dir, "status", "--porcelain=v2", "--branch");
    const before = await readFile(join(dir, ".git/index"));
    const repo = await openRepository(".", { cwd: dir });
    const report = await diffRepository(repo);
    expect(report.data!.base.rev).toBe("merge-base(HEAD, main)");
    expect(report.data!.base.commit).toBe(git(dir, "rev-parse", "main~1").trim());
    expect(report.data!.counts.changed).toBe(1);
    expect(git(dir, "status", "--porcelain=v2", "--branch")).toBe(status);
    expect(await readFile(join(dir, ".git/index"))).toEqual(before);
  });

  it("no upstream, an unknown base, or no Git: a UserError that says what to pass", async () => {
    const dir = await fixtureRepo({});
    dirs.push(dir);
    const repo = await openRepository(".", { cwd: dir });
    await expect(diffRepository(repo)).rejects.toMatchObject({
      code: "USAGE",
      hint: expect.stringContaining("--base"),
    });
    await expect(diffRepository(repo, { base: "nope" })).rejects.toMatchObject({
      code: "USAGE",
      message: expect.stringContaining("--base nope"),
    });
    await rm(join(dir, ".git"), { recursive: true });
    await expect(diffRepository(repo, { base: "main" })).rejects.toMatchObject({ code: "USAGE" });
  });
});
