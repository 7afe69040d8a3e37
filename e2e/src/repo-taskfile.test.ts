import { describe, expect, it } from "vitest";
import { repoRoot, requireBuiltCli, requireTool, run } from "./tools.js";

interface ListedTask {
  name: string;
  desc: string;
}

describe("the repository Taskfile", () => {
  const task = requireTool("task");

  it("gives every public target a description", () => {
    const result = run(task, ["--list-all", "--json"], { cwd: repoRoot });
    expect(result.code).toBe(0);
    const tasks = (JSON.parse(result.stdout) as { tasks: ListedTask[] }).tasks.filter(
      (t) => t.name !== "default",
    );
    expect(tasks.length).toBeGreaterThan(10);
    for (const t of tasks) expect(t.desc, `task ${t.name} has no desc`).not.toBe("");
    expect(tasks.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "init",
        "configure",
        "kubernetes:kubeconform",
        "kubernetes:check",
        "talos:generate-config",
        "flux:reconcile",
        "report",
      ]),
    );
  });

  it("calls homeops from the user-facing targets", () => {
    for (const target of ["configure", "kubernetes:kubeconform", "kubernetes:check", "bootstrap:validate"]) {
      const result = run(task, ["--dry", "--yes", target], { cwd: repoRoot });
      expect(result.code, `${target}: ${result.stderr}`).toBe(0);
      expect(result.stderr, target).toMatch(/node_modules\/\.bin\/homeops" -C/);
    }
  });

  it("reports a live-cluster stage without a cluster as an honest exit-2 error", () => {
    requireBuiltCli();
    const result = run(task, ["--yes", "flux:status", "--", "--kubeconfig", "/nonexistent/kubeconfig"], {
      cwd: repoRoot,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("kubeconfig /nonexistent/kubeconfig does not exist");
    expect(result.stdout).not.toMatch(/ok|success|passed/i);
  });
});
