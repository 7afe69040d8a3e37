import { describe, expect, it } from "vitest";
import { asWritten } from "../src/model.js";

const at = (line: number, column: number) => ({ file: "app/helmrelease.yaml", line, column });
const sources = new Map([
  [
    "app/helmrelease.yaml",
    [
      "hostnames:",
      '  - "{{ .Release.Name }}.${SECRET_DOMAIN}"',
      "  - app.${SECRET_DOMAIN} # the public name",
      "  - 'it''s.${DOMAIN}'",
      "host: plain.example.com",
      "other: ${OTHER}",
      "flow: [a.${DOMAIN}, b.${DOMAIN}]",
    ].join("\n"),
  ],
]);

describe("asWritten: hostnames shown with their placeholders", () => {
  it("takes the source's double-quoted, plain and single-quoted scalar when it only differs by ${…}", () => {
    expect(asWritten(sources, at(2, 5), "{{ .Release.Name }}.example.com")).toBe(
      "{{ .Release.Name }}.${SECRET_DOMAIN}",
    );
    expect(asWritten(sources, at(3, 5), "app.example.com")).toBe("app.${SECRET_DOMAIN}");
    expect(asWritten(sources, at(4, 5), "it's.example.com")).toBe("it's.${DOMAIN}");
    expect(asWritten(sources, at(6, 8), "app.example.com")).toBe("${OTHER}");
    expect(asWritten(sources, at(7, 8), "a.example.com")).toBe("a.${DOMAIN}");
    expect(asWritten(sources, at(7, 21), "b.example.com")).toBe("b.${DOMAIN}");
  });

  it("keeps the built value where the source has no placeholder, is another scalar, or is unknown", () => {
    expect(asWritten(sources, at(5, 7), "plain.example.com")).toBe("plain.example.com");
    expect(asWritten(sources, at(1, 1), "x")).toBe("x");
    expect(asWritten(undefined, at(2, 5), "y")).toBe("y");
    expect(asWritten(sources, { file: "missing.yaml", line: 1, column: 1 }, "z")).toBe("z");
  });
});
