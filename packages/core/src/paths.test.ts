import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  isPathInside,
  relativePath,
  stageFileSync,
  syncFiles,
  writeFileAtomic,
  writeFileAtomicSync,
} from "./paths.js";

describe("writeFileAtomic", () => {
  it("replaces the file and leaves no temp file behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-core-"));
    const target = join(dir, "sub", "file.yaml");
    await writeFileAtomic(target, "one\n");
    await writeFileAtomic(target, "two\n", { mode: 0o600 });
    expect(await readFile(target, "utf8")).toBe("two\n");
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, "sub"))).toEqual(["file.yaml"]);
  });

  it("keeps the old file when the write fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-core-"));
    const target = join(dir, "file.yaml");
    await writeFile(target, "old\n");
    await expect(writeFileAtomic(target, { bad: true } as unknown as string)).rejects.toThrow();
    expect(await readFile(target, "utf8")).toBe("old\n");
    expect(await readdir(dir)).toEqual(["file.yaml"]);
  });
});

describe("writeFileAtomicSync", () => {
  it("replaces the file with the mode asked for and leaves no temp file behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-core-"));
    const target = join(dir, "sub", "file.yaml");
    writeFileAtomicSync(target, "one\n");
    writeFileAtomicSync(target, new TextEncoder().encode("two\n"), { mode: 0o600, createParent: false });
    expect(await readFile(target, "utf8")).toBe("two\n");
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, "sub"))).toEqual(["file.yaml"]);
  });

  it("keeps the old file when the write fails, and creates no directory when told not to", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-core-"));
    const target = join(dir, "file.yaml");
    await writeFile(target, "old\n");
    expect(() => writeFileAtomicSync(target, { bad: true } as unknown as string)).toThrow();
    expect(await readFile(target, "utf8")).toBe("old\n");
    expect(await readdir(dir)).toEqual(["file.yaml"]);
    expect(() => writeFileAtomicSync(join(dir, "absent", "f.yaml"), "x", { createParent: false })).toThrow(
      /ENOENT/,
    );
    expect(await readdir(dir)).toEqual(["file.yaml"]);
  });
});

describe("stageFileSync + syncFiles", () => {
  it("stages beside the target without touching it; the batch is made durable with and without syncfs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-core-"));
    const target = join(dir, "sub", "file.yaml");
    await writeFileAtomic(target, "old\n");
    const temp = stageFileSync(target, "new\n", { mode: 0o600 });
    expect(temp).toMatch(/sub\/\.file\.yaml\.homeops-\d+-[0-9a-f]{8}\.tmp$/);
    expect(await readFile(target, "utf8")).toBe("old\n");
    expect((await stat(temp)).mode & 0o777).toBe(0o600);
    await syncFiles([temp]);
    // a batch large enough for syncfs
    const batch = Array.from({ length: 40 }, (_, i) =>
      stageFileSync(join(dir, "batch", `f${i}.yaml`), `${i}\n`),
    );
    await syncFiles(batch);
    expect(await readFile(batch[39]!, "utf8")).toBe("39\n");
    // without coreutils' sync on PATH: an fsync of each file
    const path = process.env.PATH;
    process.env.PATH = "";
    try {
      await syncFiles([temp, target, ...batch]);
    } finally {
      process.env.PATH = path;
    }
    await expect(syncFiles([join(dir, "absent")])).rejects.toThrow(/ENOENT/);
    expect(await readFile(temp, "utf8")).toBe("new\n");
  });
});

describe("paths", () => {
  it("tells inside from outside", () => {
    expect(isPathInside("/repo", "/repo/kubernetes/apps")).toBe(true);
    expect(isPathInside("/repo", "/repo")).toBe(true);
    expect(isPathInside("/repo", "/repository")).toBe(false);
    expect(isPathInside("/repo", "/etc")).toBe(false);
    expect(isPathInside("/repo/", "/repo/a")).toBe(true);
    expect(isPathInside("/", "/etc")).toBe(true);
    expect(isPathInside("/repo", "/repo/a/../../etc")).toBe(false);
    expect(isPathInside("/repo/a/..", "/repo/b")).toBe(true);
    expect(isPathInside("/repo", "/repo/..a")).toBe(true);
    expect(isPathInside("/repo", "/repo/../repo2")).toBe(false);
    expect(relativePath("/repo", "/repo/kubernetes/apps")).toBe("kubernetes/apps");
  });
});
