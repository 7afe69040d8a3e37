import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseYaml } from "@homeops/core";
import { loadClusterConfig } from "@homeops/schema";
import { describe, expect, it } from "vitest";
import { applyRenderPlan } from "./apply.js";
import { planFromRendered } from "./plan.js";
import { type RenderedFile, renderTemplates } from "./render-tree.js";

// Golden trees: the templates rendered from a config, committed and reviewed. A stale golden fails.
const repoRoot = resolve(import.meta.dirname, "../../..");
const fixtures = resolve(import.meta.dirname, "../test/fixtures");
const roots = [join(repoRoot, "bootstrap/overrides"), join(repoRoot, "bootstrap/templates")];
const update = process.env.HOMEOPS_UPDATE_GOLDEN === "1";

interface GoldenCase {
  name: string;
  config: string;
  /** the directory holding the expected tree */
  expected: string;
  /** subdirectories of `expected` that must hold nothing but rendered files */
  owned: string[];
  hint: string;
}

const cases: GoldenCase[] = [
  {
    name: "sample (the committed repository)",
    config: join(repoRoot, "bootstrap/config.sample.yaml"),
    expected: repoRoot,
    owned: ["kubernetes"],
    hint: "the committed tree is stale: run `task configure` (or `homeops render`) and commit the result",
  },
  ...["single-node", "multi-controller-bgp", "apps-off", "internal-only"].map((name) => ({
    name,
    config: join(fixtures, name, "config.yaml"),
    expected: join(fixtures, name, "expected"),
    owned: ["."],
    hint: "regenerate with `HOMEOPS_UPDATE_GOLDEN=1 pnpm vitest run --project @homeops/render src/golden.test.ts` and review the diff",
  })),
];

async function walk(dir: string, prefix = ""): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function render(config: string): Promise<RenderedFile[]> {
  const loaded = await loadClusterConfig(config);
  if (!loaded.ok) throw new Error(`invalid config ${config}: ${JSON.stringify(loaded.findings, null, 2)}`);
  return renderTemplates({ roots, data: loaded.value });
}

describe.each(cases)("golden tree: $name", (golden) => {
  it("matches the rendering", async () => {
    const files = await render(golden.config);
    if (update && golden.expected !== repoRoot) {
      await rm(golden.expected, { recursive: true, force: true });
      for (const f of files) {
        await mkdir(dirname(join(golden.expected, f.path)), { recursive: true });
        await writeFile(join(golden.expected, f.path), f.content);
      }
    }
    const problems: string[] = [];
    for (const f of files) {
      const current = await readFile(join(golden.expected, f.path)).catch(() => null);
      if (current === null) problems.push(`missing: ${f.path}`);
      else if (!current.equals(f.content)) problems.push(`differs: ${f.path}`);
    }
    const rendered = new Set(files.map((f) => f.path));
    for (const dir of golden.owned) {
      for (const rel of await walk(golden.expected, dir === "." ? "" : dir)) {
        if (!rendered.has(rel)) problems.push(`not rendered any more: ${rel}`);
      }
    }
    expect(problems, `${golden.hint}\n${problems.join("\n")}`).toEqual([]);
  });

  it("renders valid YAML, each file starting with its schema line", async () => {
    for (const f of await render(golden.config)) {
      if (!/\.ya?ml$/.test(f.path)) continue;
      const text = f.content.toString("utf8");
      expect(text.split("\n")[0], f.path).toMatch(/^# yaml-language-server: \$schema=https:\/\/\S+$/);
      expect(() => parseYaml(text, { file: f.path }), f.path).not.toThrow();
      expect(text.endsWith("\n") && !text.endsWith("\n\n"), `${f.path} ends with exactly one newline`).toBe(
        true,
      );
      expect(text, `${f.path} has no trailing spaces`).not.toMatch(/[ \t]+\n/);
    }
  });

  it("applied to an empty repository, leaves no empty directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-golden-"));
    const files = await render(golden.config);
    await applyRenderPlan(await planFromRendered({ rootDir: dir, files }));
    const empty: string[] = [];
    const check = async (rel: string) => {
      const entries = await readdir(join(dir, rel), { withFileTypes: true });
      if (entries.length === 0) empty.push(rel);
      for (const e of entries) if (e.isDirectory()) await check(join(rel, e.name));
    };
    await check(".");
    expect(empty).toEqual([]);
  });
});

describe("optional apps", () => {
  it("all off: no file of a disabled app exists anywhere", async () => {
    const paths = (await render(join(fixtures, "apps-off/config.yaml"))).map((f) => f.path);
    for (const gone of ["observability/", "games/", "metrics-server", "external-dns", "romm", "grafana"]) {
      expect(
        paths.filter((p) => p.includes(gone)),
        gone,
      ).toEqual([]);
    }
    const kubeSystem = await readFile(
      join(fixtures, "apps-off/expected/kubernetes/apps/kube-system/kustomization.yaml"),
      "utf8",
    );
    expect(kubeSystem).not.toContain("metrics-server");
  });

  it("bgp replaces L2 announcements", async () => {
    const paths = (await render(join(fixtures, "multi-controller-bgp/config.yaml"))).map((f) => f.path);
    expect(paths).toContain("kubernetes/apps/kube-system/cilium/config/bgp.yaml");
    expect(paths).not.toContain("kubernetes/apps/kube-system/cilium/config/l2.yaml");
  });
});
