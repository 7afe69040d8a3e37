import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIFF_BASE, DIFF_HEAD, gitRepo, manyApps } from "../internal/test-git-repo.js";
import { createTestIo } from "../internal/test-io.js";
import { runCli } from "../main.js";

let dir: string;
beforeAll(async () => {
  dir = await gitRepo(DIFF_BASE, DIFF_HEAD, { commit: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const t = createTestIo({ cwd: dir, ...(options.tty ? { tty: true } : {}), env: options.env ?? {} });
  const code = await runCli(["diff", "--base", "main", ...args], t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

describe("homeops diff", () => {
  it.each(["text", "markdown", "github", "json"])(
    "--output %s: snapshot, exit 1, no Secret value",
    async (format) => {
      const r = await run(["--output", format]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain("secret-value");
      await expect(r.stdout).toMatchFileSnapshot(`__snapshots__/diff.${format}.snap`);
    },
  );

  it("text --full prints the unified diffs; colours only on a TTY", async () => {
    const plain = await run(["--full"]);
    expect(plain.stdout).toContain("\n    +      tag: 1.1.0\n");
    expect(plain.stdout).not.toContain("\u001b[");
    const tty = await run(["--full"], { tty: true, env: { FORCE_COLOR: "1" } });
    expect(tty.stdout).toContain("\u001b[32m+      tag: 1.1.0");
    expect(tty.stdout).not.toContain("secret-value");
  });

  it("exit 0 and one line when nothing differs", async () => {
    const r = await run(["--base", "HEAD", "--output", "text"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no difference from HEAD \([0-9a-f]{12}\)\n$/);
  });

  it("a bad base is exit 2 with a hint, never a stack", async () => {
    const r = await run(["--base", "no-such-branch"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--base no-such-branch: not a commit");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("markdown stays within its budget, leaves blocks out whole and says so", async () => {
    const big = await gitRepo(manyApps(30, "1.0.0"), manyApps(30, "2.0.0"));
    try {
      for (const budget of [1000, 5000]) {
        const t = createTestIo({ cwd: big });
        const code = await runCli(
          ["diff", "--base", "main", "-o", "markdown", "--budget", String(budget)],
          t.io,
        );
        expect(code).toBe(1);
        const out = t.stdout();
        expect(out.length).toBeLessThanOrEqual(budget);
        expect(out.startsWith("<!-- homeops-diff -->\n")).toBe(true);
        expect(out).toMatch(/left out to stay within \d+ characters/);
        // fences stay balanced: no block is cut in the middle
        expect((out.match(/^```/gm) ?? []).length % 2).toBe(0);
        expect((out.match(/<details>/g) ?? []).length).toBe((out.match(/<\/details>/g) ?? []).length);
      }
      const all = createTestIo({ cwd: big });
      await runCli(["diff", "--base", "main", "-o", "markdown"], all.io);
      expect(all.stdout().length).toBeLessThanOrEqual(60_000);
      expect(all.stdout()).toContain("<details><summary>Full diff</summary>");
    } finally {
      await rm(big, { recursive: true, force: true });
    }
  });

  it("a --budget below 1000 is a usage error", async () => {
    const r = await run(["--output", "markdown", "--budget", "10"]);
    expect(r.code).toBe(2);
  });
});
