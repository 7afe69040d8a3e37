import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRepository } from "./check-repository.js";
import { openRepository } from "./repository.js";

async function repo(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-repo-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

describe("the repository boundary in `check`", () => {
  it("a symlink leading outside is a finding naming the link, and its content is never checked; binaries are noted", async () => {
    const outside = await repo({ "passwd.yaml": "root:x:0:0\n" });
    const root = await repo({
      "kubernetes/flux/cluster/ks.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
      "kubernetes/icon.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
    });
    await symlink(join(outside, "passwd.yaml"), join(root, "kubernetes/passwd.yaml"));
    const opened = await openRepository(".", { cwd: root });
    const report = await checkRepository(opened);
    const link = report.findings.find((f) => f.file === "kubernetes/passwd.yaml");
    expect(link).toMatchObject({ ruleId: "homeops/file-unreadable", severity: "error" });
    expect(link?.message).toMatch(/the symlink kubernetes\/passwd\.yaml -> .* leads outside the repository/);
    expect((await opened.files()).has("kubernetes/passwd.yaml")).toBe(false);
    expect(report.findings.find((f) => f.file === "kubernetes/icon.png")).toMatchObject({
      ruleId: "homeops/file-not-checked",
      severity: "info",
    });
  });
});
