import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listFiles } from "@homeops/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { fastParse } from "./fast-yaml.js";
import { parseGoYamlUncached } from "./go-yaml.js";

// The fast reader must read a text exactly as go-yaml.ts does (every document's value, key order included,
// and start) or leave it to go-yaml.ts: never another value, and never a text go-yaml.ts refuses.
function agrees(text: string): "fast" | "left" {
  const fast = fastParse(text);
  if (fast === undefined) return "left";
  const full = parseGoYamlUncached(text, "f.yaml");
  expect(full.ok, `go-yaml.ts refuses what js-yaml read:\n${text}`).toBe(true);
  if (!full.ok) return "fast";
  const want = full.documents.map((d) => ({ value: d.value, start: d.start() }));
  expect(fast, text).toEqual(want);
  // the same key order (the reports' and the builds' output order)
  expect(JSON.stringify(fast.map((d) => d.value))).toBe(JSON.stringify(want.map((d) => d.value)));
  return "fast";
}

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const repoTexts = listFiles(repoRoot, ".", {
  enter: (_, name) => !name.startsWith(".") && name !== "node_modules" && name !== "dist",
})
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => readFileSync(join(repoRoot, f), "utf8"));

/** `text` with each edit applied: at a position, `cut` characters replaced by `insert`. */
function edited(text: string, edits: readonly [number, number, string][]): string {
  for (const [at, cut, insert] of edits) {
    const i = at % (text.length + 1);
    text = text.slice(0, i) + insert + text.slice(Math.min(text.length, i + cut));
  }
  return text;
}

describe("fastParse", () => {
  it("reads every YAML file of this repository as go-yaml.ts does, and most of them itself", () => {
    expect(repoTexts.length).toBeGreaterThan(300);
    let fast = 0;
    for (const text of repoTexts) if (agrees(text) === "fast") fast++;
    // (a fast path that never answers would pass the check above)
    expect(fast / repoTexts.length).toBeGreaterThan(0.7);
  });

  it.each([
    [
      "yaml.v3 scalars",
      "a: 0644\nb: 1_000\nc: 0b101\nd: 2001-12-14\ne: 2001-12-14 21:59:43.10 -5\nf: yes\ng: on\nh: .inf\ni: -.Inf\nj: 0x1F\nk: 1e3\nl: 1:20\nm: TRUE\nn: '0644'\n",
    ],
    ["numeric and timestamp keys", "0644: a\n1_000: b\n2001-12-14: c\ntrue: d\n1.50: e\n"],
    ["several documents", "# c\n---\na: 1\n---\n# a comment\nb: 2\n"],
    ["a leading marker and CRLF", '---\r\napiVersion: v1\r\nkind: ConfigMap\r\ndata:\r\n  a: "x"\r\n'],
    ["indented root and a root sequence", "  a: 1\n  b: 2\n---\n- x\n- y: 1\n"],
    ["anchors and aliases", "a: &app web\nb: *app\nc:\n  - &list [1, 2]\n  - *list\n"],
    ["literal blocks", "a: |\n  x\n  y\nb: |-\n  z\n\nc: |+\n  k\n\n"],
    ["quoted and multi-line scalars", "a: 'it''s'\nb: \"\\u00e9\\n\\t\"\nc: plain\n  continued\n"],
    ["empty collections", "a: {}\nb: []\nc: [{}, []]\n"],
    ["Flux variables as keys", "controllers:\n  ${APP}:\n    image: ${IMAGE:=x}\n"],
    ["a long value", `k: ${"v".repeat(1100)}\n`],
  ])("agrees on %s", (_, text) => {
    expect(agrees(text)).toBe("fast");
  });

  // (a pattern that backtracks, as the quote one did with `\\[^\n]?`, never ends on these: the test's
  // timeout fails it; linear ones take milliseconds)
  it("ends on long lines of backslashes, brackets and key characters", { timeout: 120_000 }, () => {
    for (const text of [
      `a: ${"\\d".repeat(100_000)}\n`,
      `a: "${"\\d".repeat(100_000)}\n`,
      `a: ${"[1, ".repeat(50_000)}${"]".repeat(50_000)}\n`,
      `${"k".repeat(200_000)}\n`,
      `a: ${"{} ".repeat(100_000)}\n`,
    ])
      expect(() => fastParse(text)).not.toThrow();
  });

  it.each([
    ["an alias as a key (yaml.v3 cuts it)", "a: &x k\n*x: v\n"],
    ["a merge key", "base: &b {x: 1}\nc:\n  <<: *b\n"],
    ["a folded scalar (kyaml's round trip)", "a: >\n  x\n    y\n"],
    ["an empty value in a flow mapping", "a: {x: , y}\n"],
    ["an empty value (a strategic merge drops it)", "metadata:\n  annotations:\n"],
    ["a null document", "null\n"],
    ["an empty document", "a: 1\n---\n"],
    ["a tag", "a: !!str 1\n"],
    ["a null key", "null: a\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a syntax error", "a: [1\n"],
    ["a directive", "%YAML 1.2\n---\na: 1\n"],
    ["a BOM", "\ufeffa: 1\n"],
    ["an empty text", ""],
    ["an anchor libyaml ends earlier", "a: &app.x 1\n"],
    ["a quoted scalar on several lines", 'a: "x\n  y"\n'],
    ["an anchor alone on its line", "&a\nk: v\n"],
    ["an indentation indicator", "|1-\n lead\n"],
    ["a key after an anchor", "name: &app x  namespace: y\n"],
    [
      "a billion laughs in block style",
      `a0: &a0\n  - x\n${Array.from({ length: 7 }, (_, i) => `a${i + 1}: &a${i + 1}\n${"  - *a".concat(String(i), "\n").repeat(8)}`).join("")}`,
    ],
    ["a flow collection as a key", "- {}: x\n- { }: y\n- []: z\n"],
    ["a plain scalar starting with a colon", '- :":  "\n'],
    ["a key of 1,024 characters or more", `${"k".repeat(1100)}: v\n`],
    ["a comment right after a flow collection", "a: {}#c\n"],
  ])("leaves %s to go-yaml.ts", (_, text) => {
    expect(agrees(text)).toBe("left");
  });

  // generated documents in many styles, and random edits of them: the two readers never disagree (the same
  // documents every run; FAST_YAML_RUNS=1000000 FAST_YAML_SEED=<n> looks further)
  const runs = {
    numRuns: Number(process.env.FAST_YAML_RUNS ?? 3000),
    seed: Number(process.env.FAST_YAML_SEED ?? 20261208),
  };
  const scalar = fc.oneof(
    fc.constantFrom(
      "yes",
      "no",
      "on",
      "0644",
      "1_000",
      "0x1F",
      "0b11",
      ".inf",
      "-.nan",
      "1e3",
      "1:20",
      "2001-12-14",
      "2001-12-14T21:59:43Z",
      "true",
      "False",
      "~",
      "",
      " lead",
      "trail ",
      "a: b",
      "- x",
      "#c",
      "x #c",
      "'q'",
      '"d"',
      "*a",
      "&a",
      "!t",
      "{x}",
      "[y]",
      "%p",
      "@r",
      "`b",
      "multi\nline",
      "tab\tin",
      "é",
      "${VAR}",
    ),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      scalar,
      fc.array(tie("node"), { maxLength: 3 }),
      fc.dictionary(
        fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("0644", "yes", "1e3")),
        tie("node"),
        {
          maxKeys: 3,
        },
      ),
    ),
  })).node;
  const edit = fc.tuple(
    fc.nat(),
    fc.nat(3),
    fc.constantFrom(
      " ",
      ":",
      "-",
      "#",
      "'",
      '"',
      "\n",
      "[",
      "]",
      "{",
      "}",
      "|",
      ">",
      "&",
      "*",
      "!",
      "%",
      "@",
      ",",
      "?",
      "\t",
      "---\n",
    ),
  );

  it("agrees with go-yaml.ts on generated and edited documents", {
    timeout: runs.numRuns * 5 + 20_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 3 }),
        fc.constantFrom("PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE", "BLOCK_LITERAL"),
        fc.boolean(),
        fc.array(edit, { maxLength: 3 }),
        (docs, defaultStringType, flow, edits) => {
          const text = docs
            .map((d) =>
              stringify(d, {
                defaultStringType: defaultStringType as "PLAIN",
                collectionStyle: flow ? "flow" : "block",
                aliasDuplicateObjects: false,
              }),
            )
            .join("---\n");
          agrees(edited(text, edits));
        },
      ),
      runs,
    );
  });

  it("agrees with go-yaml.ts on edited files of this repository", {
    timeout: runs.numRuns * 5 + 20_000,
  }, () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 4 }), (pick, edits) => {
        agrees(edited(repoTexts[pick % repoTexts.length]!, edits));
      }),
      runs,
    );
  });
});
