import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./tools.js";

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packagesDir = join(repoRoot, "packages");
const packages = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const dir = join(packagesDir, d.name);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as {
      references?: { path: string }[];
    };
    return {
      short: d.name,
      dir,
      manifest,
      refs: (tsconfig.references ?? []).map((r) => r.path.replace("../", "")),
    };
  });

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Workspace packages each source file imports (static and dynamic imports). */
function importedWorkspacePackages(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(dir, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']@homeops\/([a-z-]+)["']/g)) {
      found.set(m[1]!, relative(repoRoot, file));
    }
  }
  return found;
}

describe("package dependency rules (DESIGN.md)", () => {
  it("finds the packages", () => {
    expect(packages.map((p) => p.short)).toEqual(
      expect.arrayContaining(["core", "schema", "render", "manifests", "invariants", "cli"]),
    );
  });

  for (const pkg of packages) {
    it(`${pkg.manifest.name}: every import of a workspace package is a workspace:^ dependency and a tsconfig reference`, () => {
      const deps = pkg.manifest.dependencies ?? {};
      for (const [imported, file] of importedWorkspacePackages(pkg.dir)) {
        if (imported === pkg.short) continue;
        expect(deps[`@homeops/${imported}`], `${file} imports @homeops/${imported}`).toBe("workspace:^");
        expect(pkg.refs, `${pkg.short}/tsconfig.json references ../${imported}`).toContain(imported);
      }
      for (const dep of Object.keys(deps).filter((d) => d.startsWith("@homeops/"))) {
        expect(deps[dep], `${dep} must be workspace:^`).toBe("workspace:^");
        expect(pkg.refs, `${pkg.short}/tsconfig.json must reference ${dep}`).toContain(
          dep.slice("@homeops/".length),
        );
      }
    });

    if (pkg.short !== "cli") {
      it(`${pkg.manifest.name}: a library never imports the cli`, () => {
        expect(importedWorkspacePackages(pkg.dir).has("cli")).toBe(false);
        expect(pkg.manifest.dependencies?.["@homeops/cli"]).toBeUndefined();
      });
    }
  }

  /** DESIGN.md's "may import" column, for the packages listed here. */
  const allowedEdges: Record<string, readonly string[]> = {
    talos: ["core", "schema"],
    repo: ["core", "schema", "manifests", "invariants", "talos", "helm"],
  };
  for (const [short, allowed] of Object.entries(allowedEdges)) {
    it(`@homeops/${short} imports only ${allowed.join(", ")} (DESIGN.md)`, () => {
      const pkg = packages.find((p) => p.short === short);
      expect(pkg, short).toBeDefined();
      if (!pkg) return;
      const deps = Object.keys(pkg.manifest.dependencies ?? {})
        .filter((d) => d.startsWith("@homeops/"))
        .map((d) => d.slice("@homeops/".length));
      expect(deps.filter((d) => !allowed.includes(d))).toEqual([]);
      expect(
        [...importedWorkspacePackages(pkg.dir).keys()].filter((d) => d !== short && !allowed.includes(d)),
      ).toEqual([]);
    });
  }

  it("has no dependency cycles", () => {
    const graph = new Map(
      packages.map((p) => [
        p.short,
        Object.keys(p.manifest.dependencies ?? {})
          .filter((d) => d.startsWith("@homeops/"))
          .map((d) => d.slice("@homeops/".length)),
      ]),
    );
    const state = new Map<string, "visiting" | "done">();
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === "done") return;
      if (state.get(node) === "visiting")
        throw new Error(`dependency cycle: ${[...path, node].join(" -> ")}`);
      state.set(node, "visiting");
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
  });

  it("keeps @kubernetes/client-node inside flux-bridge", () => {
    for (const pkg of packages.filter((p) => p.short !== "flux-bridge")) {
      expect(pkg.manifest.dependencies?.["@kubernetes/client-node"], pkg.short).toBeUndefined();
    }
  });
});
