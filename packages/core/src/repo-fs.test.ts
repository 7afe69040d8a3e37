import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UserError } from "./errors.js";
import {
  assertNoSymlinkOnPath,
  createSymlinkGuard,
  decodeUtf8,
  fsUserError,
  readRepoFile,
  resolveInsideRoot,
} from "./repo-fs.js";

async function codeOf(p: Promise<unknown>): Promise<{ code?: string; message: string; hint?: string }> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  }
  throw new Error("expected a UserError");
}

describe("the repository boundary", () => {
  let root: string;
  let outside: string;

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), "homeops-boundary-"));
    root = join(base, "repo");
    outside = join(base, "outside");
    await mkdir(join(root, "apps/real"), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, "secret.yaml"), "password: hunter2\n");
    await writeFile(join(root, "apps/real/a.yaml"), "a: 1\n");
    await symlink(join(outside, "secret.yaml"), join(root, "apps/passwd.yaml"));
    await symlink(outside, join(root, "apps/out"));
    await symlink("real", join(root, "apps/inside"));
    await symlink("loop-b", join(root, "apps/loop-a"));
    await symlink("loop-a", join(root, "apps/loop-b"));
  });

  it("follows a symlink that stays inside", async () => {
    expect(await resolveInsideRoot(root, "apps/inside/a.yaml")).toMatch(/repo\/apps\/real\/a\.yaml$/);
    expect((await readRepoFile(root, "apps/inside/a.yaml")).toString()).toBe("a: 1\n");
  });

  it("refuses a file symlink leading outside, naming the link", async () => {
    const e = await codeOf(readRepoFile(root, "apps/passwd.yaml"));
    expect(e.code).toBe("OUTSIDE_REPO");
    expect(e.message).toMatch(/apps\/passwd\.yaml -> .*outside\/secret\.yaml leads outside the repository/);
  });

  it("refuses a path below a directory symlink leading outside, even when the file does not exist yet", async () => {
    expect((await codeOf(readRepoFile(root, "apps/out/secret.yaml"))).message).toMatch(
      /the symlink apps\/out ->/,
    );
    expect((await codeOf(resolveInsideRoot(root, "apps/out/new/file.yaml"))).code).toBe("OUTSIDE_REPO");
    expect((await codeOf(resolveInsideRoot(root, "../outside/secret.yaml"))).code).toBe("OUTSIDE_REPO");
  });

  it("names a symlink cycle a cycle", async () => {
    const e = await codeOf(readRepoFile(root, "apps/loop-a"));
    expect(e.code).toBe("SYMLINK_CYCLE");
    expect(e.message).toMatch(/symlink cycle through apps\/loop-a -> loop-b/);
  });

  it("refuses to write through any symlink, inside or out", async () => {
    await assertNoSymlinkOnPath(root, "apps/real/new.yaml");
    await assertNoSymlinkOnPath(root, "new/dir/file.yaml");
    expect((await codeOf(assertNoSymlinkOnPath(root, "apps/out/x.yaml"))).code).toBe("SYMLINK_REFUSED");
    expect((await codeOf(assertNoSymlinkOnPath(root, "apps/inside/a.yaml"))).message).toMatch(
      /apps\/inside\/a\.yaml: not written, apps\/inside is a symlink \(-> real\)/,
    );
    expect((await codeOf(assertNoSymlinkOnPath(root, "apps/passwd.yaml"))).hint).toMatch(/real file/);
  });

  it("a symlink guard refuses what assertNoSymlinkOnPath refuses, with the same error, and tells absent from present", async () => {
    const guard = createSymlinkGuard(root);
    const paths = [
      "apps/real/new.yaml",
      "new/dir/file.yaml",
      "apps/out/x.yaml",
      "apps/inside/a.yaml",
      "apps/inside/deeper/b.yaml",
      "apps/passwd.yaml",
      "../elsewhere.yaml",
      "apps/real/a.yaml",
      "apps/real/a.yaml/below.yaml",
    ];
    for (const path of paths) {
      // twice: the second answer comes from what the guard remembers
      for (let i = 0; i < 2; i++) {
        let guarded: unknown;
        try {
          guard.assertNoSymlink(path);
        } catch (error) {
          guarded = error;
        }
        const direct = await assertNoSymlinkOnPath(root, path).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect((guarded as UserError | undefined)?.message, path).toBe(
          (direct as UserError | undefined)?.message,
        );
        expect((guarded as UserError | undefined)?.hint, path).toBe((direct as UserError | undefined)?.hint);
      }
    }
    expect(guard.assertNoSymlink("apps/real/a.yaml")?.isFile()).toBe(true);
    expect(guard.assertNoSymlink("apps/real")?.isDirectory()).toBe(true);
    expect(guard.assertNoSymlink("new/dir/file.yaml")).toBeNull();
    expect(guard.assertNoSymlink("apps/real/a.yaml/below.yaml")).toBeNull();
  });

  it("refuses files over the size limit by name, and directories as files", async () => {
    const e = await codeOf(readRepoFile(root, "apps/real/a.yaml", { maxBytes: 2 }));
    expect(e.code).toBe("FILE_TOO_LARGE");
    expect(e.message).toMatch(/^apps\/real\/a\.yaml: .* larger than the .* limit/);
    expect((await codeOf(readRepoFile(root, "apps/real"))).message).toMatch(/is a directory/);
    expect((await codeOf(readRepoFile(root, "apps/missing.yaml"))).code).toBe("FILE_NOT_FOUND");
  });
});

describe("fsUserError", () => {
  it("names the environment's failures, and leaves other errors alone", () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const e = fsUserError(enospc, "kubernetes/a.yaml", "write") as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.code).toBe("FILE_UNWRITABLE");
    expect(e.message).toBe("kubernetes/a.yaml: cannot write: no space left on device (ENOSPC)");
    const eacces = fsUserError(Object.assign(new Error("x"), { code: "EACCES" }), "f", "read") as UserError;
    expect(eacces.code).toBe("FILE_UNREADABLE");
    expect(eacces.message).toMatch(/permission denied/);
    const bug = new TypeError("x is undefined");
    expect(fsUserError(bug, "f", "read")).toBe(bug);
  });
});

describe("decodeUtf8", () => {
  it("decodes UTF-8 and refuses invalid bytes with the line", () => {
    expect(decodeUtf8(Buffer.from("a: é\n"), "f")).toBe("a: é\n");
    const bad = Buffer.concat([Buffer.from("a: 1\nb: "), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]);
    expect(() => decodeUtf8(bad, "m.yaml")).toThrowError(
      expect.objectContaining({ code: "ENCODING", location: { file: "m.yaml", line: 2 } }),
    );
  });
});
