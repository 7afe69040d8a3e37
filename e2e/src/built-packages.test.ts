import { existsSync } from "node:fs";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publint } from "publint";
import { describe, expect, it } from "vitest";
import { repoRoot, run } from "./tools.js";

const names = ["core", "schema", "render", "manifests", "invariants", "cli"];

describe("each package as another repository would use it", () => {
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

    it(`@homeops/${name} imports from its built output in a plain Node ESM script`, async () => {
      const consumer = await mkdtemp(join(tmpdir(), `homeops-consumer-${name}-`));
      await mkdir(join(consumer, "node_modules/@homeops"), { recursive: true });
      await symlink(dir, join(consumer, "node_modules/@homeops", name));
      await writeFile(join(consumer, "package.json"), '{"type":"module"}\n');
      await writeFile(
        join(consumer, "main.js"),
        `import * as mod from "@homeops/${name}";\nconsole.log(JSON.stringify(Object.keys(mod).sort()));\n`,
      );
      const result = run("node", ["main.js"], { cwd: consumer });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).length).toBeGreaterThan(0);
    });
  }
});
