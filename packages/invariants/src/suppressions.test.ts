import { describe, expect, it } from "vitest";
import { findInlineSuppressions } from "./suppressions.js";

describe("findInlineSuppressions", () => {
  it("applies a comment alone on its line to the next code line, a trailing one to its own line", () => {
    const text = [
      "spec:",
      "  # homeops-ignore storage/nfs-literal: the NAS has a fixed name",
      "",
      "  # another comment",
      "  server: nas.internal",
      "  path: /export # homeops-ignore storage/nfs-literal: fixed export",
    ].join("\n");
    expect(findInlineSuppressions("a.yaml", text)).toEqual([
      {
        file: "a.yaml",
        line: 2,
        column: 3,
        rule: "storage/nfs-literal",
        reason: "the NAS has a fixed name",
        appliesTo: 5,
        header: false,
      },
      {
        file: "a.yaml",
        line: 6,
        column: 17,
        rule: "storage/nfs-literal",
        reason: "fixed export",
        appliesTo: 6,
        header: false,
      },
    ]);
  });

  it("keeps a missing reason empty (reported by the check) and reads Markdown comments", () => {
    expect(findInlineSuppressions("a.yaml", "x: 1 # homeops-ignore flux/unwired-app\n")[0]).toMatchObject({
      rule: "flux/unwired-app",
      reason: "",
    });
    expect(
      findInlineSuppressions(
        "README.md",
        "<!-- homeops-ignore docs/stale-reference: moved later -->\nsee `a/b`\n",
      ),
    ).toEqual([
      expect.objectContaining({ rule: "docs/stale-reference", reason: "moved later", appliesTo: 2 }),
    ]);
  });

  it("marks suppressions among the leading comments as covering the whole file", () => {
    const text =
      "# yaml-language-server: $schema=x\n# homeops-ignore flux/unreferenced-file: kept for reference\n---\nkind: ConfigMap\n";
    expect(findInlineSuppressions("a.yaml", text)).toEqual([
      expect.objectContaining({ line: 2, appliesTo: 4, header: true }),
    ]);
  });

  it("ignores the marker outside comments", () => {
    expect(findInlineSuppressions("a.yaml", 'x: "homeops-ignore flux/unwired-app: no"\n')).toEqual([]);
  });
});
