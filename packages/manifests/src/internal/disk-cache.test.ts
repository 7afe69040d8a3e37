import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiskCache } from "./disk-cache.js";

const fresh = () => join(mkdtempSync(join(tmpdir(), "homeops-disk-cache-")), "c.bin");

describe("DiskCache", () => {
  it("keeps entries between instances, only for the same identity", () => {
    const file = fresh();
    const a = new DiskCache<{ n: number[] }>(file, "one");
    a.set("k", { n: [1, 2] });
    a.save();
    expect(new DiskCache(file, "one").get("k")).toEqual({ n: [1, 2] });
    expect(new DiskCache(file, "two").get("k")).toBeUndefined();
    // kept as it was when set: a caller changing its object later changes nothing kept
    const value = { n: [3] };
    a.set("later", value);
    value.n.push(4);
    expect(a.get("later")).toEqual({ n: [3] });
  });

  it("writes nothing when nothing changed, and drops entries no run read in 8 saving runs", () => {
    const file = fresh();
    const first = new DiskCache<string>(file, "id");
    first.set("old", "o");
    first.set("read", "r");
    first.save();
    const written = statSync(file).mtimeMs;
    const idle = new DiskCache<string>(file, "id");
    expect(idle.get("read")).toBe("r");
    idle.save();
    expect(statSync(file).mtimeMs).toBe(written);
    // each later run reads "read" and adds an entry (so it writes); "old" is not read again
    for (let run = 1; run <= 8; run++) {
      // (a look without a save does not count as a run)
      expect(new DiskCache<string>(file, "id").get("old"), `before run ${run}`).toBe("o");
      const c = new DiskCache<string>(file, "id");
      expect(c.get("read")).toBe("r");
      c.set(`new-${run}`, "n");
      c.save();
    }
    const after = new DiskCache<string>(file, "id");
    expect(after.get("old")).toBeUndefined();
    expect(after.get("read")).toBe("r");
    expect(after.get("new-1")).toBe("n");
  });

  it("starts empty on a damaged file, and an unwritable directory only costs speed", () => {
    const file = fresh();
    writeFileSync(file, "not a cache");
    const c = new DiskCache<string>(file, "id");
    expect(c.get("k")).toBeUndefined();
    c.set("k", "v");
    c.save();
    expect(new DiskCache<string>(file, "id").get("k")).toBe("v");
    // a cache file below a regular file cannot be written, not even by root (ENOTDIR)
    const blocked = join(file, "below", "c.bin");
    const ro = new DiskCache<string>(blocked, "id");
    ro.set("k", "v");
    expect(() => ro.save()).not.toThrow();
    expect(existsSync(blocked)).toBe(false);
    expect(readFileSync(file).length).toBeGreaterThan(0);
  });
});
