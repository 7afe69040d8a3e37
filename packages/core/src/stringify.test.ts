import { describe, expect, it } from "vitest";
import { stringifyYaml, stringifyYamlDocuments } from "./stringify.js";

describe("stringifyYaml", () => {
  it("is deterministic, 2-space, unfolded, without anchors", () => {
    const shared = { a: 1 };
    const long = "x".repeat(200);
    const out = stringifyYaml({
      kind: "ConfigMap",
      data: { one: shared, two: shared, long },
      list: ["a", "b"],
    });
    expect(out).toBe(
      `kind: ConfigMap\ndata:\n  one:\n    a: 1\n  two:\n    a: 1\n  long: ${long}\nlist:\n  - a\n  - b\n`,
    );
    expect(stringifyYaml({ b: 1, a: 2 }, { sortKeys: true })).toBe("a: 2\nb: 1\n");
  });

  it("quotes strings that YAML 1.1 (Go) readers would take for booleans, numbers or times", () => {
    const out = stringifyYaml({
      a: "Yes",
      b: "on",
      c: "y",
      d: "1:20",
      e: "0644",
      f: "true",
      g: "yes please",
    });
    expect(out).toBe('a: "Yes"\nb: "on"\nc: "y"\nd: "1:20"\ne: "0644"\nf: "true"\ng: yes please\n');
    // even a key: yaml.v2 reads a bare `n` key as false
    expect(stringifyYaml({ t: true, n: null, i: 10 })).toBe('t: true\n"n": null\ni: 10\n');
  });

  it("keeps Flux and Helm templates verbatim", () => {
    const out = stringifyYaml({ host: "app.${SECRET_DOMAIN}", tpl: "{{ .Release.Name }}" });
    expect(out).toBe('host: app.${SECRET_DOMAIN}\ntpl: "{{ .Release.Name }}"\n');
  });

  it("separates documents with ---", () => {
    expect(stringifyYamlDocuments([{ a: 1 }, { b: 2 }])).toBe("---\na: 1\n---\nb: 2\n");
  });
});
