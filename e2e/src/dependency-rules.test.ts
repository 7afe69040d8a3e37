import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { findCycles } from "@homeops/invariants";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./tools.js";

/**
 * The allowed edges of ../shared/DESIGN.md ("Packages (one noun each; arrows = may import)"), exactly.
 * `types` edges may only be `import type` in runtime code. A package missing here is a failure: add its
 * row to DESIGN.md first, then here.
 */
export const ALLOWED: Record<string, Record<string, "runtime" | "types">> = {
  core: {},
  schema: { core: "runtime" },
  render: { core: "runtime", schema: "runtime" },
  manifests: { core: "runtime" },
  invariants: { core: "runtime", schema: "types", manifests: "types" },
  repo: {
    core: "runtime",
    schema: "runtime",
    manifests: "runtime",
    invariants: "runtime",
    talos: "runtime",
    helm: "runtime",
  },
  helm: { core: "runtime", manifests: "runtime" },
  talos: { core: "runtime", schema: "runtime" },
  "flux-bridge": {
    core: "runtime",
    schema: "runtime",
    manifests: "runtime",
    invariants: "runtime",
    repo: "runtime",
  },
  report: { core: "runtime", repo: "runtime", "flux-bridge": "runtime" },
  cli: Object.fromEntries(
    [
      "core",
      "schema",
      "render",
      "manifests",
      "invariants",
      "repo",
      "helm",
      "talos",
      "flux-bridge",
      "report",
    ].map((p) => [p, "runtime" as const]),
  ),
};

/** One import of a workspace package: who, what, from which file, type-only or not, test code or not. */
export interface Edge {
  from: string;
  to: string;
  file: string;
  typeOnly: boolean;
  test: boolean;
}

/** Every edge outside the table (test code may import any package that is a dependency of it). */
export function edgeViolations(
  edges: readonly Edge[],
  allowed: Record<string, Record<string, "runtime" | "types">>,
): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (e.from === e.to) continue;
    const row = allowed[e.from];
    if (!row) {
      out.push(`${e.from} is not in DESIGN.md's table (${e.file})`);
      continue;
    }
    if (e.to === "cli") out.push(`${e.file}: a library never imports the cli`);
    else if (e.test) continue;
    else if (!row[e.to]) out.push(`${e.file}: ${e.from} → ${e.to} is not an allowed edge`);
    else if (row[e.to] === "types" && !e.typeOnly)
      out.push(`${e.file}: ${e.from} → ${e.to} is allowed for types only (use \`import type\`)`);
  }
  return out;
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packagesDir = join(repoRoot, "packages");
const packages = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => {
    const dir = join(packagesDir, d.name);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    } catch {
      return []; // not a package (yet)
    }
    const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as {
      references?: { path: string }[];
    };
    return [
      {
        short: d.name,
        dir,
        manifest,
        refs: (tsconfig.references ?? []).map((r) => r.path.replace("../", "")),
      },
    ];
  });

const workspaceDeps = (deps: Record<string, string> | undefined) =>
  Object.keys(deps ?? {})
    .filter((d) => d.startsWith("@homeops/"))
    .map((d) => d.slice("@homeops/".length));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Static and dynamic imports of workspace packages in a package's src/ (and test/). */
function edgesOf(pkg: (typeof packages)[number]): Edge[] {
  const edges: Edge[] = [];
  for (const sub of ["src", "test"]) {
    let files: string[];
    try {
      files = sourceFiles(join(pkg.dir, sub));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const rel = relative(repoRoot, file);
      const test = sub === "test" || /\.test\.ts$/.test(file) || /\/(testing|internal\/test-)/.test(rel);
      for (const m of text.matchAll(
        /(import|export)(\s+type)?\s*(?:[^"';]*?\sfrom\s*|\(\s*)["']@homeops\/([a-z-]+)["']/g,
      )) {
        edges.push({ from: pkg.short, to: m[3]!, file: rel, typeOnly: m[2] !== undefined, test });
      }
    }
  }
  return edges;
}

describe("package dependency rules (DESIGN.md's allowed edges)", () => {
  it("finds the packages", () => {
    expect(packages.map((p) => p.short)).toEqual(
      expect.arrayContaining(["core", "schema", "render", "manifests", "invariants", "repo", "cli"]),
    );
  });

  it("fails on an edge outside the table (synthetic graph)", () => {
    const edge = (from: string, to: string, extra: Partial<Edge> = {}): Edge => ({
      from,
      to,
      file: `packages/${from}/src/x.ts`,
      typeOnly: false,
      test: false,
      ...extra,
    });
    expect(edgeViolations([edge("schema", "core"), edge("cli", "repo")], ALLOWED)).toEqual([]);
    expect(edgeViolations([edge("manifests", "schema")], ALLOWED)).toEqual([
      "packages/manifests/src/x.ts: manifests → schema is not an allowed edge",
    ]);
    expect(edgeViolations([edge("invariants", "manifests")], ALLOWED)).toHaveLength(1);
    expect(edgeViolations([edge("invariants", "manifests", { typeOnly: true })], ALLOWED)).toEqual([]);
    expect(edgeViolations([edge("render", "cli", { test: true })], ALLOWED)).toHaveLength(1);
    expect(edgeViolations([edge("newpkg", "core")], ALLOWED)).toHaveLength(1);
    expect(edgeViolations([edge("core", "schema", { test: true })], ALLOWED)).toEqual([]);
  });

  it("every package is in the table and every import is an allowed edge", () => {
    expect(edgeViolations(packages.flatMap(edgesOf), ALLOWED)).toEqual([]);
  });

  for (const pkg of packages) {
    it(`${pkg.manifest.name}: runtime imports are workspace:^ dependencies, test imports (dev)dependencies, each a tsconfig reference; no unused dependency`, () => {
      const deps = pkg.manifest.dependencies ?? {};
      const devDeps = pkg.manifest.devDependencies ?? {};
      const edges = edgesOf(pkg).filter((e) => e.to !== pkg.short);
      for (const e of edges) {
        const spec = deps[`@homeops/${e.to}`] ?? (e.test ? devDeps[`@homeops/${e.to}`] : undefined);
        expect(spec, `${e.file} imports @homeops/${e.to}`).toBe("workspace:^");
        expect(pkg.refs, `${pkg.short}/tsconfig.json references ../${e.to}`).toContain(e.to);
      }
      for (const dep of workspaceDeps(deps)) {
        expect(deps[`@homeops/${dep}`], `@homeops/${dep} must be workspace:^`).toBe("workspace:^");
        expect(pkg.refs, `${pkg.short}/tsconfig.json must reference ${dep}`).toContain(dep);
        expect(
          edges.some((e) => e.to === dep && !e.test),
          `${pkg.short} depends on @homeops/${dep} but no runtime code imports it (make it a devDependency or drop it)`,
        ).toBe(true);
      }
    });
  }

  it("has no dependency cycles", () => {
    const graph = new Map(packages.map((p) => [p.short, workspaceDeps(p.manifest.dependencies)]));
    expect(findCycles(graph).map((c) => c.join(" -> "))).toEqual([]);
    // the same helper finds a planted one
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "a"]]);
  });

  it("typechecks test code: a package with .ts files under test/ runs tsc over tsconfig.test.json", () => {
    for (const pkg of packages) {
      let tests: string[];
      try {
        tests = sourceFiles(join(pkg.dir, "test")).filter((f) => !f.endsWith(".d.ts"));
      } catch {
        continue;
      }
      if (tests.length === 0) continue;
      const script = (pkg.manifest as { scripts?: Record<string, string> }).scripts?.typecheck ?? "";
      expect(script, `${pkg.short}: typecheck script`).toContain("tsconfig.test.json");
      const config = JSON.parse(readFileSync(join(pkg.dir, "tsconfig.test.json"), "utf8")) as {
        include?: string[];
      };
      expect(config.include, `${pkg.short}/tsconfig.test.json`).toContain("test");
    }
  });

  // A type error planted in test code must fail the typecheck the package's script runs: a package's test/
  // (tsconfig.test.json) and e2e/src (e2e's tsconfig.json). The planted file is not a *.test.ts, so no
  // test runner picks it up, and it is removed whatever happens.
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  for (const [where, dir, config] of [
    ["a package's test/", "packages/manifests/test", "packages/manifests/tsconfig.test.json"],
    ["e2e/src", "e2e/src", "e2e/tsconfig.json"],
  ] as const) {
    it(`fails the typecheck on a type error planted in ${where}`, { timeout: 120_000 }, () => {
      const planted = join(repoRoot, dir, `planted-type-error-${process.pid}.ts`);
      writeFileSync(planted, 'export const planted: number = "not a number";\n');
      try {
        const r = spawnSync(process.execPath, [tsc, "-p", join(repoRoot, config)], { encoding: "utf8" });
        expect(r.status, r.stdout + r.stderr).not.toBe(0);
        expect(r.stdout).toMatch(
          new RegExp(`planted-type-error-${process.pid}\\.ts\\(1,14\\): error TS2322`),
        );
      } finally {
        rmSync(planted, { force: true });
      }
    });
  }

  it("keeps @kubernetes/client-node inside flux-bridge", () => {
    for (const pkg of packages.filter((p) => p.short !== "flux-bridge")) {
      expect(pkg.manifest.dependencies?.["@kubernetes/client-node"], pkg.short).toBeUndefined();
    }
  });
});
