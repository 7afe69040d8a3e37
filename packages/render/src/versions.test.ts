import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { renderTemplates } from "./render-tree.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-versions-"));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

describe("versions.yaml", () => {
  it("is data (it.versions), never written; an earlier root wins per name", async () => {
    const dir = await tree({
      "templates/versions.yaml": '# renovate: datasource=helm depName=a\na: "1.0.0"\nb: "2.0.0"\n',
      "templates/x.yaml.eta": "a: #{= it.versions.a }#\nb: #{= it.versions.b }#\nname: #{= it.name }#\n",
      "overrides/versions.yaml": 'b: "2.1.0"\n',
    });
    const files = await renderTemplates({
      roots: [join(dir, "overrides"), join(dir, "templates")],
      data: { name: "n" },
    });
    expect(files.map((f) => f.path)).toEqual(["x.yaml"]);
    expect(files[0]!.content.toString()).toBe("a: 1.0.0\nb: 2.1.0\nname: n\n");
  });

  it("an unquoted number or a list is a UserError naming the file", async () => {
    const dir = await tree({ "templates/versions.yaml": "a: 1.0\n", "templates/x.eta": "x" });
    await expect(renderTemplates({ roots: [join(dir, "templates")], data: {} })).rejects.toMatchObject({
      code: "TEMPLATE_ERROR",
      message: expect.stringContaining("a is not a string"),
    });
    const list = await tree({ "templates/versions.yaml": "- a\n", "templates/x.eta": "x" });
    await expect(renderTemplates({ roots: [join(list, "templates")], data: {} })).rejects.toMatchObject({
      code: "TEMPLATE_ERROR",
    });
  });
});
