import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, requireBuiltCli, run } from "./tools.js";

const pkg = (await import("../../packages/cli/package.json", { with: { type: "json" } })).default as {
  version: string;
};

describe("the built homeops binary", () => {
  const bin = requireBuiltCli();

  it("prints its version and help", () => {
    const version = run("node", [bin, "--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = run("node", [bin, "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: homeops");
    expect(help.stdout).toContain("Exit codes: 0 clean, 1 findings or diff, 2 operational error.");
  });

  it("exits 2 on usage errors without a stack trace", () => {
    const result = run("node", [bin, "no-such-verb"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'no-such-verb'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("ends quietly when its output pipe closes early (`homeops … | head -1`)", () => {
    const result = run("sh", ["-c", `node "${bin}" explain --list | head -1`]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toBe("");
  });

  it("never colors output when NO_COLOR is set or output is not a TTY", () => {
    const result = run("node", [bin, "no-such-verb"], { env: { FORCE_COLOR: undefined, NO_COLOR: "1" } });
    expect(result.stderr).not.toContain("\u001b[");
  });
});

describe("the built homeops binary on a repository with template data files", () => {
  const bin = requireBuiltCli();

  it("never lets the YAML parser's own warnings reach the terminal (`{{X}}` read as a map key)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-e2e-warnings-"));
    await cp(join(repoRoot, "packages/invariants/test/fixtures/repo"), dir, { recursive: true });
    const data = "kubernetes/apps/games/romm/app/resources/templated.yaml";
    await mkdir(join(dir, dirname(data)), { recursive: true });
    // yaml 2.x warns "Keys with collection values will be stringified" on each of these keys
    await writeFile(join(dir, data), "{{ .Release.Name }}: 1\n{{X}}:\n  - a\n");
    const result = run("node", [bin, "check", dir], { cwd: dir });
    await rm(dir, { recursive: true, force: true });
    expect(result.stderr).not.toMatch(/stringified|Warning|YAMLWarning/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
  });
});

describe("the built homeops binary on a repository without Flux", () => {
  const bin = requireBuiltCli();

  it("check: exit 2, naming what root discovery looked for and how to name the root; kubeconform says so", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-e2e-noroot-"));
    await mkdir(join(dir, "manifests"), { recursive: true });
    await writeFile(
      join(dir, "manifests/cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: b\n",
    );
    const check = run("node", [bin, "check", "."], { cwd: dir });
    const kubeconform = run("node", [bin, "kubeconform", "manifests"], { cwd: dir });
    await rm(dir, { recursive: true, force: true });
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(
      /^error: no Flux root found in the repository\nhint: looked for a FluxInstance/,
    );
    expect(check.stderr).toContain("--cluster-root <dir>");
    expect(check.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(kubeconform.stdout).toMatch(/Flux roots: none found under manifests, .*looked for a FluxInstance/);
  });
});
