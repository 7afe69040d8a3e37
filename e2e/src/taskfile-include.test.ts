import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, requireBuiltCli, requireTool, run } from "./tools.js";

const pkg = (await import("../../packages/cli/package.json", { with: { type: "json" } })).default as {
  version: string;
};

describe("the reusable Taskfile include, from another repository", () => {
  let task: string;
  let repo: string;

  beforeAll(async () => {
    task = requireTool("task");
    requireBuiltCli();
    repo = await mkdtemp(join(tmpdir(), "homeops-include-"));
    // another repo that installed @homeops/cli: node_modules/@homeops/cli is the package
    await mkdir(join(repo, "node_modules/@homeops"), { recursive: true });
    await symlink(join(repoRoot, "packages/cli"), join(repo, "node_modules/@homeops/cli"));
    await mkdir(join(repo, "k8s"));
    await writeFile(
      join(repo, "Taskfile.yaml"),
      [
        'version: "3"',
        "includes:",
        "  homeops:",
        "    taskfile: ./node_modules/@homeops/cli/taskfiles/homeops.yaml",
        "    vars:",
        '      KUBERNETES_DIR: "{{.ROOT_DIR}}/k8s"',
        "",
      ].join("\n"),
    );
  });

  it("runs a target with the real task binary", () => {
    const result = run(task, ["homeops:version"], { cwd: repo });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it("lists every target with a description", () => {
    const result = run(task, ["--list-all", "--json"], { cwd: repo });
    expect(result.code).toBe(0);
    const tasks = (JSON.parse(result.stdout) as { tasks: { name: string; desc: string }[] }).tasks;
    expect(tasks.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "homeops:check",
        "homeops:configure",
        "homeops:kubeconform",
        "homeops:report",
        "homeops:validate",
      ]),
    );
    for (const t of tasks) expect(t.desc, t.name).not.toBe("");
  });

  it("passes the include's vars to homeops", () => {
    const result = run(task, ["homeops:kubeconform", "--dry"], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`kubeconform "${join(repo, "k8s")}"`);
  });
});
