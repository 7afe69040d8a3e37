import { mkdir, mkdtemp, open, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildKustomizationDir } from "./build-kustomization.js";
import { buildFluxKustomization } from "./build-repo.js";

async function repo(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-manifests-robust-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const cm = (name: string, extra = "") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n${extra}`;

describe("reading manifests stays inside the repository", () => {
  it("a resource symlinked to a file outside is an error naming the link; its content is never read", async () => {
    const outside = await repo({ "secret.yaml": cm("stolen") });
    const root = await repo({
      "app/kustomization.yaml": "resources:\n  - ./cm.yaml\n  - ./passwd.yaml\n",
      "app/cm.yaml": cm("ok"),
    });
    await symlink(join(outside, "secret.yaml"), join(root, "app/passwd.yaml"));
    const build = await buildKustomizationDir(root, "app");
    const finding = build.findings.find((f) => f.ruleId === "build/outside-repo");
    expect(finding?.message).toMatch(
      /app\/passwd\.yaml: the symlink app\/passwd\.yaml -> .* leads outside the repository/,
    );
    expect(build.objects.map((o) => o.name)).not.toContain("stolen");
  });

  it("a directory symlinked outside is refused too", async () => {
    const outside = await repo({
      "kustomization.yaml": "resources:\n  - ./cm.yaml\n",
      "cm.yaml": cm("stolen"),
    });
    const root = await repo({ "app/kustomization.yaml": "resources:\n  - ./ext\n" });
    await symlink(outside, join(root, "app/ext"));
    const build = await buildKustomizationDir(root, "app");
    expect(build.ok).toBe(false);
    expect(build.findings.some((f) => /leads outside the repository/.test(f.message))).toBe(true);
    expect(build.objects.map((o) => o.name)).not.toContain("stolen");
  });

  it("a symlink cycle is named a cycle, once", async () => {
    const root = await repo({ "app/kustomization.yaml": "resources:\n  - ./loop.yaml\n" });
    await symlink("loop.yaml", join(root, "app/loop.yaml"));
    const build = await buildKustomizationDir(root, "app");
    expect(build.ok).toBe(false);
    const cycles = build.findings.filter((f) => f.ruleId === "build/symlink-cycle");
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.message).toBe("app/loop.yaml: symlink cycle through app/loop.yaml -> loop.yaml");
  });
});

describe("limits", () => {
  it("a referenced file over the size limit is an error naming it; an unreferenced one is never read", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources:\n  - ./big.yaml\n",
      "app/big.yaml": `${cm("big")}#${"x".repeat(4096)}\n`,
      "other/huge.yaml": "",
    });
    // 50 MB that nothing references: the build must not read it
    const handle = await open(join(root, "other/huge.yaml"), "w");
    const chunk = Buffer.from("k: v\n".repeat(200_000));
    for (let n = 0; n < 50; n++) await handle.write(chunk);
    await handle.close();
    const build = await buildKustomizationDir(root, "app", { maxFileBytes: 1024 });
    const finding = build.findings.find((f) => f.ruleId === "build/file-too-large");
    expect(finding?.message).toMatch(/^app\/big\.yaml: .* larger than the .* limit/);
    const fine = await buildKustomizationDir(root, "app");
    expect(fine.ok).toBe(true);
    expect(fine.findings.some((f) => f.file === "other/huge.yaml")).toBe(false);
  });

  it("a billion-laughs manifest is an error with file:line", async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const root = await repo({
      "app/kustomization.yaml": "resources:\n  - ./laughs.yaml\n",
      "app/laughs.yaml": `${cm("laughs")}${levels
        .map((l) => `  ${l.replace(": ", ": ")}`)
        .join("\n")
        .replace(/^ {2}/gm, "lol_")}\n`,
    });
    const build = await buildKustomizationDir(root, "app");
    const finding = build.findings.find((f) => f.file === "app/laughs.yaml");
    expect(finding?.message).toMatch(/billion laughs/);
    expect(finding?.line).toBeGreaterThan(1);
  });

  it("invalid UTF-8 in a manifest is an error with the line (Go's YAML reader refuses it too)", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources:\n  - ./bad.yaml\n",
      "app/bad.yaml": Buffer.concat([
        Buffer.from(cm("bad")),
        Buffer.from('  b: "'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"\n'),
      ]),
    });
    const build = await buildKustomizationDir(root, "app");
    expect(build.findings.find((f) => f.file === "app/bad.yaml")).toMatchObject({
      message: expect.stringMatching(/not valid UTF-8/),
      line: 7,
    });
  });

  it("a ${} bomb is a substitution error at its file:line, not a crash", async () => {
    const root = await repo({
      "app/kustomization.yaml": "resources:\n  - ./cm.yaml\n",
      "app/cm.yaml": `${cm("bomb")}  bomb: "${"${A}".repeat(20_000)}"\n  nested: "${"${A:-".repeat(5000)}z${"}".repeat(5000)}"\n`,
    });
    const ks = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "app", namespace: "flux-system" },
      spec: {
        path: "./app",
        sourceRef: { kind: "GitRepository", name: "flux-system" },
        postBuild: { substitute: { A: "x" } },
      },
    };
    const node = await buildFluxKustomization(root, ks);
    const errors = node.findings.filter((f) => f.ruleId === "build/substitution-failed");
    expect(errors.map((f) => f.message).join("\n")).toMatch(/20000 substitutions in one value/);
    expect(errors.every((f) => f.file === "app/cm.yaml" && (f.line ?? 0) >= 7)).toBe(true);
    expect(errors).toHaveLength(2);
  });
});
