import { describe, expect, it } from "vitest";
import { toGithubAnnotation } from "./github.js";

describe("toGithubAnnotation", () => {
  it("escapes properties and data the way workflow commands require", () => {
    expect(
      toGithubAnnotation({
        ruleId: "docs/stale-reference",
        severity: "warning",
        message: "100% gone\nreally",
        hint: "fix it",
        file: "docs/a,b:c.md",
        line: 3,
        column: 7,
      }),
    ).toBe(
      "::warning file=docs/a%2Cb%3Ac.md,line=3,col=7,title=docs/stale-reference::100%25 gone%0Areally%0Ahint: fix it",
    );
  });

  it("maps info to notice and works without a location", () => {
    expect(toGithubAnnotation({ ruleId: "build/x", severity: "info", message: "m" })).toBe(
      "::notice title=build/x::m",
    );
  });
});
