// The fast reader of a build's YAML files. The `yaml` package (go-yaml.ts) gives every node a source
// position and reproduces what the Go side does to a document, and it is most of a cold run's time: a
// thousand files take it ~0.45 s here, js-yaml ~0.1 s. Most files need no position inside them (a build
// asks for one only where it reports something or reads a kustomization's own fields), so a file is read
// with js-yaml first, as a parse cache entry is: the documents' plain values and starts, the `yaml` parse
// made only when a position inside is asked for (`YamlDocument.restore`).
//
// js-yaml reads YAML as the specification says; yaml.v3 and the `yaml` package's rules here differ from it
// in a few constructs, and a file with any of them is left to go-yaml.ts (before js-yaml reads it, by its
// text): merge keys, an anchor or alias named with other characters than libyaml's or followed by anything
// but a space (`*app: x`), many aliases, tags, folded scalars, indentation indicators, quoted scalars and
// flow collections over several lines, non-empty flow mappings, pairs in flow sequences, collections as
// keys, explicit keys, directives, document end markers, content on a `---` line, tabs in indentation, a
// BOM or control characters, null keys. What js-yaml reads is taken only when every document is a
// collection or a non-null scalar with no null inside (a null may be an empty value, which a strategic
// merge treats differently; an empty document is a null too) and the documents are where a scan of the
// lines finds them; anything js-yaml refuses (a duplicate key, a syntax error) is read again by
// go-yaml.ts, which reports it with its position. `fast-yaml.test.ts` holds both readers to the same
// values and starts on every file of this repository and on generated and edited documents.
import type { YamlPosition } from "@homeops/core";
import { FAILSAFE_SCHEMA, loadAll, Type } from "js-yaml";
import { goNumber, goTimestamp, NUMBER_LIKE, TIMESTAMP } from "./go-scalars.js";

/** A document as the parse cache keeps it: its plain value and where its content starts (1-based). */
export interface FastDocument {
  value: unknown;
  start: YamlPosition;
}

// the plain-scalar rules of go-yaml.ts, in its order: yaml.v3's timestamps and numbers, then YAML 1.2
// core's null and booleans (`yes`/`on` stay strings)
const schema = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type("tag:yaml.org,2002:timestamp", {
      kind: "scalar",
      resolve: (s: string) => TIMESTAMP.test(s),
      construct: (s: string) => goTimestamp(s) ?? s,
    }),
    new Type("tag:yaml.org,2002:float", {
      kind: "scalar",
      resolve: (s: string) => NUMBER_LIKE.test(s),
      construct: goNumber,
    }),
    new Type("tag:yaml.org,2002:null", {
      kind: "scalar",
      resolve: (s: string) => /^(?:~|[Nn]ull|NULL)?$/.test(s),
      construct: () => null,
    }),
    new Type("tag:yaml.org,2002:bool", {
      kind: "scalar",
      resolve: (s: string) => /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s),
      construct: (s: string) => s[0] === "t" || s[0] === "T",
    }),
  ],
});

// Constructs whose reading differs between the readers (see above), found by their text. A match may be
// a false alarm (`*` in a cron schedule): the file is then read by go-yaml.ts, as it was before.
const LEFT_TO_GO_YAML = [
  /(?:^|[\s[\]{},])!/m, // a tag
  /<</, // a merge key
  /(?:^|[\s:?[{,-])>[-+0-9]*[ \t]*(?:#.*)?\r?$/m, // a folded block scalar
  /(?:^|[\s:?[{,-])\|[-+]?[0-9]/m, // a literal block scalar's indentation indicator
  /(?:^|[\s[,])\{(?![ \t]*\})/m, // a flow mapping that is not `{}`
  /\][ \t]*:|(?:^|[\s[,])\{[ \t]*\}[ \t]*:/m, // a flow collection as a key (not `${APP}:`)
  /(?:^|[\s[{,]):\S/m, // a plain scalar starting with `:`
  /(?:^|[\s[{,])\?(?:[ \t]|\r?$)/m, // an explicit key
  /^(?:%|\.\.\.|---[ \t]+[^\s#]|---\S)/m, // a directive, a document end, content on a `---` line, `----`
  /^[ -]*\t/m, // a tab in indentation
  /^[ \t-]*(?:~|[Nn]ull|NULL)?[ \t]*:(?:[ \t]|\r?$)/m, // a null (or empty) key
  /__proto__/,
  /^[^\n]{1000,}:(?:[ \t]|\r?$)/m, // a key of 1,024 characters or more (yaml.v3 refuses it)
  /["'\]}]#/, // a comment right after a quote or a flow collection (go-yaml.ts refuses it)
  // a quoted scalar that goes on past its line (its continuation lines' indentation is checked differently)
  // (a backslash escapes the next character, or ends the line: one way to read each, so no backtracking)
  /^(?:[^"\n\\]|\\[^\n]|\\$)*"(?:(?:[^"\n\\]|\\[^\n]|\\$)*"(?:[^"\n\\]|\\[^\n]|\\$)*")*(?:[^"\n\\]|\\[^\n]|\\$)*$/m,
  /^[^'\n]*'(?:[^'\n]*'[^'\n]*')*[^'\n]*$/m,
  // a BOM, control characters, non-characters and lone surrogates (the readers' character checks differ)
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
];

/**
 * The documents of `text` as go-yaml.ts reads them (their plain values and starts), or undefined when the
 * text is go-yaml.ts's to read (a construct the readers differ in, an error, a null or empty document).
 */
export function fastParse(text: string): FastDocument[] | undefined {
  for (const pattern of LEFT_TO_GO_YAML) if (pattern.test(text)) return undefined;
  if (!plainAnchors(text) || !flowOnOneLine(text)) return undefined;
  const starts = documentStarts(text);
  let values: unknown[];
  try {
    values = loadAll(text, undefined, { schema, json: false }) as unknown[];
  } catch {
    return undefined;
  }
  if (values.length !== starts.length) return undefined;
  const out: FastDocument[] = [];
  for (const [i, start] of starts.entries()) {
    const value = values[i];
    // (an empty document: go-yaml.ts reads a null, placed by the `---` before it)
    if (start === undefined || value === null || value === undefined || !plainValue(value)) return undefined;
    out.push({ value, start });
  }
  return out;
}

/**
 * Where each document's content starts (its first line that is not blank nor a comment, at its first
 * character; undefined: the document has none), split at `---` lines as YAML splits them: a first `---`
 * before any content opens the first document.
 */
function documentStarts(text: string): (YamlPosition | undefined)[] {
  const docs: (YamlPosition | undefined)[] = [undefined];
  let marked = false;
  let line = 0;
  for (let at = 0; at <= text.length; line++) {
    const end = text.indexOf("\n", at);
    const stop = end === -1 ? text.length : end;
    const content = text.slice(at, stop);
    if (/^---(?:\s|$)/.test(content)) {
      if (marked || docs[docs.length - 1] !== undefined) docs.push(undefined);
      marked = true;
    } else if (!/^\s*(?:#.*)?$/.test(content) && docs[docs.length - 1] === undefined) {
      docs[docs.length - 1] = { line: line + 1, column: content.search(/\S/) + 1 };
    }
    if (end === -1) break;
    at = end + 1;
  }
  // a text that is only a `---` line (or nothing) has one empty document
  return docs;
}

/** The most aliases a file read here may hold: go-yaml.ts applies the alias limit (a billion laughs). */
const MAX_ALIASES = 64;

/**
 * Whether every anchor and alias of `text` is one both readers read alike: a mapping value's or a
 * sequence entry's, named with the characters libyaml allows (letters, digits, `-`, `_`) and followed by
 * a space or the line's end (`*app:` is a key yaml.v3 cuts differently), and not too many aliases.
 */
function plainAnchors(text: string): boolean {
  let aliases = 0;
  for (const m of text.matchAll(/(?:^|[\s[\]{},])([&*])([^\s]*)/gm)) {
    if (!/^[0-9A-Za-z_-]+$/.test(m[2]!)) return false;
    // a mapping value's or a sequence entry's (not a document's, nor one alone on its line)
    const line = text.slice(text.lastIndexOf("\n", m.index) + 1, m.index + m[0].length - m[2]!.length - 1);
    if (!/(?::|^[ \t]*-|[[{,])[ \t]*$/.test(line)) return false;
    // and no key after it on its line (`&a x: y` reads as a key here, an error in yaml.v3)
    const rest = text.slice(m.index + m[0].length, (text.indexOf("\n", m.index) + 1 || text.length + 1) - 1);
    if (/:(?:\s|$)/.test(rest)) return false;
    if (m[1] === "*" && ++aliases > MAX_ALIASES) return false;
  }
  return true;
}

/**
 * Whether every line opens as many flow collections as it closes (none goes on past its line) and none
 * holds a pair (`[a: b]`): one pass over each line with a bracket.
 */
function flowOnOneLine(text: string): boolean {
  for (const [line] of text.matchAll(/^.*[[\]{}].*$/gm)) {
    let depth = 0;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === "[" || ch === "{") depth++;
      else if (ch === "]" || ch === "}") depth--;
      else if (ch === ":" && depth > 0 && /^(?:[\s[\]{},]|$)/.test(line.slice(i + 1, i + 2))) return false;
    }
    if (depth !== 0) return false;
  }
  return true;
}

/** How often a document may reach a collection again through an alias (go-yaml.ts allows 1,000). */
const MAX_EXPANSIONS = 100;

/**
 * Whether a document's value holds no null and reaches its collections again through aliases at most
 * `MAX_EXPANSIONS` times (js-yaml shares an aliased collection; a "billion laughs" is go-yaml.ts's to
 * refuse). The walk stops at the limit.
 */
function plainValue(value: unknown): boolean {
  const seen = new Set<object>();
  let again = 0;
  const walk = (v: unknown): boolean => {
    if (v === null) return false;
    if (typeof v !== "object") return true;
    if (seen.has(v)) {
      if (++again > MAX_EXPANSIONS) return false;
    } else seen.add(v);
    return (Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)).every(walk);
  };
  return walk(value);
}
