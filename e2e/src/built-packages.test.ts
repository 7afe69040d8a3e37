import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { publint } from "publint";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, run } from "./tools.js";

// every workspace package, as a consumer installs it (the cli's bundle imports several of them)
const names = readdirSync(join(repoRoot, "packages"))
  .filter((name) => existsSync(join(repoRoot, "packages", name, "package.json")))
  .sort();

interface PackedManifest {
  name: string;
  dependencies?: Record<string, string>;
}

/** The directory a third-party dependency resolves to from inside the workspace package (pnpm links it there). */
function workspaceDependencyDir(fromPackage: string, dep: string): string {
  const linked = join(repoRoot, "packages", fromPackage, "node_modules", dep);
  if (!existsSync(linked))
    throw new Error(`${dep} is not installed for @homeops/${fromPackage}: run pnpm install`);
  return realpathSync(linked);
}

describe("each package as another repository installs it (packed tarballs, no workspace)", () => {
  let consumer: string;

  beforeAll(async () => {
    consumer = await mkdtemp(join(tmpdir(), "homeops-consumer-"));
    const packs = join(consumer, "packs");
    await mkdir(join(consumer, "node_modules/@homeops"), { recursive: true });
    const thirdParty = new Map<string, string>();
    for (const name of names) {
      const dir = join(repoRoot, "packages", name);
      execFileSync("pnpm", ["pack", "--pack-destination", packs], { cwd: dir, stdio: "ignore" });
      const tarball = (await readdir(packs)).find((f) => f.startsWith(`homeops-${name}-`))!;
      const out = join(consumer, "extract", name);
      await mkdir(out, { recursive: true });
      execFileSync("tar", ["-xzf", join(packs, tarball), "-C", out]);
      await rename(join(out, "package"), join(consumer, "node_modules/@homeops", name));
      const manifest = JSON.parse(
        readFileSync(join(consumer, "node_modules/@homeops", name, "package.json"), "utf8"),
      ) as PackedManifest;
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        if (!dep.startsWith("@homeops/")) thirdParty.set(dep, workspaceDependencyDir(name, dep));
      }
    }
    // third-party dependencies come from the registry in real life; here, from the workspace store
    for (const [dep, dir] of thirdParty) {
      await mkdir(dirname(join(consumer, "node_modules", dep)), { recursive: true });
      await symlink(dir, join(consumer, "node_modules", dep));
    }
    await writeFile(join(consumer, "package.json"), '{"type":"module"}\n');
  }, 120_000);

  for (const name of names) {
    const dir = join(repoRoot, "packages", name);

    it(`@homeops/${name} is built with type declarations`, () => {
      expect(existsSync(join(dir, "dist/index.js")), "run `pnpm build`").toBe(true);
      expect(existsSync(join(dir, "dist/index.d.ts"))).toBe(true);
    });

    it(`@homeops/${name} passes publint (strict, as packed)`, async () => {
      const { messages } = await publint({ pkgDir: dir, strict: true, pack: "pnpm" });
      expect(messages.map((m) => `${m.type} ${m.code} ${JSON.stringify(m.args)}`)).toEqual([]);
    });

    it(`@homeops/${name} has no workspace: ranges or source conditions once packed`, () => {
      const packed = readFileSync(join(consumer, "node_modules/@homeops", name, "package.json"), "utf8");
      expect(packed).not.toContain("workspace:");
      expect(packed).not.toContain("@homeops/source");
    });

    it(`@homeops/${name} imports from its packed build in a plain Node ESM script`, async () => {
      const script = join(consumer, `import-${name}.js`);
      await writeFile(
        script,
        `import * as mod from "@homeops/${name}";\nconsole.log(JSON.stringify(Object.keys(mod).sort()));\n`,
      );
      const result = run("node", [script], { cwd: consumer });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).length).toBeGreaterThan(0);
    });
  }

  it("the packed homeops bin runs", () => {
    const result = run("node", [join(consumer, "node_modules/@homeops/cli/dist/bin.js"), "--version"], {
      cwd: consumer,
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
