import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { coreBuildIdentity } from "./identity.js";

describe("coreBuildIdentity", () => {
  it("is the hash of this build's module text, the same on every call", () => {
    const own = readFileSync(new URL("./identity.ts", import.meta.url), "utf8");
    expect(coreBuildIdentity()).toBe(createHash("sha1").update(own).digest("hex"));
    expect(coreBuildIdentity()).toBe(coreBuildIdentity());
  });
});
