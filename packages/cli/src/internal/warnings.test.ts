import { describe, expect, it } from "vitest";
import { dropDependencyDeprecations } from "./warnings.js";

describe("dropDependencyDeprecations", () => {
  it("drops DEP0040 (punycode, loaded by a dependency), in both call forms, and lets other warnings through", async () => {
    const original = process.emitWarning;
    const seen: string[] = [];
    const listener = (w: Error & { code?: string }) => seen.push(`${w.name} ${w.code}`);
    process.on("warning", listener);
    try {
      dropDependencyDeprecations();
      process.emitWarning("punycode", "DeprecationWarning", "DEP0040");
      process.emitWarning("punycode", { type: "DeprecationWarning", code: "DEP0040" });
      process.emitWarning("another", "HomeopsTestWarning", "HOMEOPS_TEST");
      process.emitWarning("another", { type: "HomeopsTestWarning", code: "HOMEOPS_TEST_2" });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.emitWarning = original;
      process.off("warning", listener);
    }
    expect(seen).toEqual(["HomeopsTestWarning HOMEOPS_TEST", "HomeopsTestWarning HOMEOPS_TEST_2"]);
  });
});
