import { readFileSync } from "node:fs";
import { UserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { validateClusterConfig } from "./validate.js";

describe("hostile configs fail as user errors with file:line", () => {
  it("a billion laughs in bootstrap/config.yaml is refused (INPUT_LIMIT), not expanded", () => {
    const sample = readFileSync(new URL("../../../../bootstrap/config.sample.yaml", import.meta.url), "utf8");
    const levels = ['x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`x-${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const text = `${levels.join("\n")}\n${sample}`;
    try {
      validateClusterConfig(text, { file: "bootstrap/config.yaml" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({
        code: "INPUT_LIMIT",
        location: { file: "bootstrap/config.yaml", line: 2 },
      });
    }
  });
});
