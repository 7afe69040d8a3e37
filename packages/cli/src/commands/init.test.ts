import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { createTestIo } from "../internal/test-io.js";
import { freshRepo } from "../internal/test-repo.js";
import { runCli } from "../main.js";

describe("homeops init", () => {
  it("copies the sample when the config is missing, and never overwrites it", async () => {
    const dir = await freshRepo();
    const { rm } = await import("node:fs/promises");
    await rm(join(dir, "bootstrap/config.yaml"));
    const t = createTestIo({ cwd: dir });
    expect(await runCli(["init"], t.io)).toBe(ExitCode.Clean);
    expect(t.stdout()).toContain("created bootstrap/config.yaml from bootstrap/config.sample.yaml");
    expect(await readFile(join(dir, "bootstrap/config.yaml"), "utf8")).toBe(
      await readFile(join(dir, "bootstrap/config.sample.yaml"), "utf8"),
    );
    await writeFile(join(dir, "bootstrap/config.yaml"), "# mine\n");
    const again = createTestIo({ cwd: dir });
    expect(await runCli(["init"], again.io)).toBe(ExitCode.Clean);
    expect(again.stdout()).toContain("bootstrap/config.yaml exists; left as it is");
    expect(await readFile(join(dir, "bootstrap/config.yaml"), "utf8")).toBe("# mine\n");
  });

  it("fails clearly without a sample", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-init-"));
    const t = createTestIo({ cwd: dir });
    expect(await runCli(["init"], t.io)).toBe(ExitCode.Operational);
    expect(t.stderr()).toContain("bootstrap/config.sample.yaml not found");
  });
});
