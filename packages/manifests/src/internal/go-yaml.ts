import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// YAML scalar resolution as Flux sees it. kustomize reads files with gopkg.in/yaml.v3, whose resolver
// differs from YAML 1.2 core in ways real manifests hit: `0644` is octal (420, think `defaultMode`),
// underscores are dropped from numbers (`1_000`), `0b101` is binary, and plain dates become timestamps
// (serialized as RFC 3339 strings). After post-build substitution Flux re-reads objects with YAML 1.1
// rules (sigs.k8s.io/yaml): `yes`/`on`/`y` are booleans there, but `1:20` (sexagesimal) is not a number.
// Beyond scalars, what the Go side does to a document is reproduced too (each an oracle case): merge keys
// (`<<: *anchor`) are expanded, an alias name ends where libyaml ends it (`*app: x` is the key `*app`),
// and a folded scalar comes back from kyaml's YAML round trip as yaml.v3's emitter writes it (see
// `goFoldedRoundTrip`).
import { coreBuildIdentity, findDuplicateKeys, YamlDocument, type YamlPosition } from "@homeops/core";
import jsYamlPackage from "js-yaml/package.json" with { type: "json" };
import {
  Composer,
  CST,
  type Document,
  isMap,
  isScalar,
  LineCounter,
  Parser,
  parseDocument,
  Scalar,
  type ScalarTag,
  visit,
} from "yaml";
import yamlPackage from "yaml/package.json" with { type: "json" };
import type { ParsedFile } from "../types.js";
import { DiskCache } from "./disk-cache.js";
import { type FastDocument, fastParse } from "./fast-yaml.js";
import { goNumber, goTimestamp, NUMBER_LIKE, TIMESTAMP } from "./go-scalars.js";

const v3Tags: ScalarTag[] = [
  {
    identify: () => false,
    default: true,
    tag: "tag:yaml.org,2002:timestamp",
    test: TIMESTAMP,
    resolve: (s: string) => goTimestamp(s) ?? s,
  },
  {
    identify: () => false,
    default: true,
    tag: "tag:yaml.org,2002:float",
    test: NUMBER_LIKE,
    resolve: goNumber,
  },
];

export interface GoYamlProblem extends YamlPosition {
  message: string;
}

type GoYamlResult = { ok: true; documents: YamlDocument[] } | { ok: false; problems: GoYamlProblem[] };

// Root discovery, the build and every later run in the process read the same files: a file's parse is
// shared, keyed by its path and a hash of its content (the documents are treated as read-only everywhere,
// as the build's own per-file cache already shares them between Kustomizations).
const MEMO = new Map<string, GoYamlResult>();
const MEMO_LIMIT = 20_000;
const stats = { parses: 0, hits: 0, restored: 0 };

/**
 * How many texts were parsed, how many parses were reused in this process and how many were restored
 * from the parse cache of `useParseCache`.
 */
export function parseCacheStats(): { parses: number; hits: number; restored: number } {
  return { ...stats };
}

/**
 * Parses a multi-document YAML text with yaml.v3's scalar rules; positions as in `@homeops/core`.
 * `disk: false` leaves the parse cache of `useParseCache` alone (a run that parses a few files does not load it).
 */
export function parseGoYaml(text: string, file: string, options: { disk?: boolean } = {}): GoYamlResult {
  const key = `${file}\0${createHash("sha1").update(text).digest("base64")}`;
  const hit = MEMO.get(key);
  if (hit) {
    stats.hits++;
    return hit;
  }
  // kustomization files too: a build reads positions in them (parsing them again), a restored build does not
  const cache = options.disk === false ? undefined : disk;
  const kept = cache?.get(key);
  let result: GoYamlResult;
  if (kept) {
    stats.restored++;
    result = restore(kept, text, file);
  } else {
    stats.parses++;
    // js-yaml when it reads the text as this module would (most files), the positions parsed when asked for
    const fast = fastParse(text);
    result = fast ? restore({ documents: fast }, text, file) : parseGoYamlUncached(text, file);
    // (the fast reader's documents are already what the cache keeps)
    if (cache && result.ok) cache.set(key, { documents: fast ?? result.documents.map(toSaved) });
  }
  // oldest first: a long watch session keeps what it still reads
  if (MEMO.size >= MEMO_LIMIT) MEMO.delete(MEMO.keys().next().value as string);
  MEMO.set(key, result);
  return result;
}

/**
 * A repository file as a build reads it (yaml.v3's scalar rules, the parse shared in this process and kept
 * by `useParseCache`), for readers outside a build (the rules); undefined when it does not parse.
 */
export function parseRepoYaml(text: string, file: string): ParsedFile | undefined {
  const parsed = parseGoYaml(text, file);
  return parsed.ok ? { file, text, documents: parsed.documents } : undefined;
}

// The parse cache between runs (`useParseCache`): per file and content hash, the plain value, start and
// empty-value paths of each document; what needs a position inside a document parses its text again.
interface SavedDocument extends FastDocument {
  empty?: (string | number)[][];
}
interface SavedParse {
  documents: SavedDocument[];
}
let disk: DiskCache<SavedParse> | undefined;

/**
 * The parser's identity: a cache written by another build of this module, of core (documents, positions,
 * what a build reads of an ExternalSecret), of `yaml` or of js-yaml is not read, since its entries follow that build's rules.
 */
export function parserIdentity(): string {
  // both caches ask at start-up: the module file is read and hashed once
  if (identity === undefined) {
    let own = "";
    try {
      own = readFileSync(fileURLToPath(import.meta.url), "utf8");
    } catch {
      // not a file (bundled in memory): the yaml version and core alone
    }
    identity = createHash("sha1")
      .update(`${yamlPackage.version}\0${jsYamlPackage.version}\0${coreBuildIdentity()}\0${own}`)
      .digest("hex");
  }
  return identity;
}
let identity: string | undefined;

/**
 * Keeps parses between runs in `dir` (one file, written by `saveParseCache`): a later run restores an
 * unchanged file's documents instead of parsing it, and parses it again only where it needs a position
 * inside it. A cache that cannot be read, or one another build wrote, starts empty.
 */
export function useParseCache(dir: string): void {
  const file = join(dir, "parse.bin");
  if (disk?.file !== file) disk = new DiskCache(file, parserIdentity());
}

/** Writes the parse cache of `useParseCache` when this run parsed something it did not hold. */
export function saveParseCache(): void {
  disk?.save();
}

function toSaved(d: YamlDocument): SavedDocument {
  const empty = EMPTY_VALUES.get(d);
  return { value: d.value, start: d.start(), ...(empty ? { empty } : {}) };
}

function restore(saved: SavedParse, text: string, file: string): GoYamlResult {
  let full: YamlDocument[] | undefined;
  const load = (index: number) => (): YamlDocument => {
    if (!full) {
      const again = parseGoYamlUncached(text, file);
      if (!again.ok) throw new Error(`${file}: a cached parse no longer parses`);
      full = again.documents;
    }
    return full[index]!;
  };
  const documents = saved.documents.map((d, index) => {
    const doc = YamlDocument.restore(file, index, { value: d.value, start: d.start, load: load(index) });
    if (d.empty) EMPTY_VALUES.set(doc, d.empty);
    return doc;
  });
  return { ok: true, documents };
}

export function parseGoYamlUncached(text: string, file: string): GoYamlResult {
  // the text is tokenized once: the alias-name rule reads the same tokens the composer then composes
  // (only a text with an alias used as a key is tokenized again, after the rewrite)
  let lines = new LineCounter();
  let tokens = [...new Parser(lines.addNewLine).parse(text)];
  const cuts = text.includes("*") ? aliasKeyCuts(tokens) : [];
  if (cuts.length > 0) {
    lines = new LineCounter();
    tokens = [...new Parser(lines.addNewLine).parse(insertSpaces(text, cuts))];
  }
  const composer = new Composer({
    prettyErrors: false,
    // the yaml package's uniqueKeys check is quadratic in a mapping's size: findDuplicateKeys is one pass
    uniqueKeys: false,
    strict: true,
    merge: true,
    logLevel: "error", // no process warnings from the library (libraries never print)
    customTags: (tags) => [...v3Tags, ...tags],
  });
  const parsed = Array.from(composer.compose(tokens));
  const problems: GoYamlProblem[] = [];
  for (const doc of parsed) {
    const found = [
      ...doc.errors.map((e) => ({
        offset: e.pos[0],
        message: e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""),
      })),
      ...findDuplicateKeys(doc, lines),
    ].sort((a, b) => a.offset - b.offset);
    for (const { offset, message } of found) {
      const { line, col } = lines.linePos(offset);
      problems.push({ line, column: col, message });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  for (const doc of parsed) {
    visit(doc, {
      Map(_, node) {
        // an empty value in a flow mapping (`{a: }`, `{a}`) is the empty string as kyaml reads it (a
        // block mapping's `a:` stays null)
        if (!node.flow) return;
        for (const pair of node.items) {
          const v = pair.value;
          if (v === null || (isScalar(v) && v.value === null && v.source === "" && v.type === "PLAIN")) {
            const empty = new Scalar("");
            FLOW_EMPTY.add(empty);
            pair.value = empty;
          }
        }
      },
      Scalar(_, node) {
        if (node.type === "BLOCK_FOLDED" && typeof node.value === "string") {
          node.value = goFoldedRoundTrip(node.value);
        }
      },
    });
  }
  try {
    const documents = parsed
      .filter((doc) => doc.contents !== null || parsed.length === 1)
      .map((doc, index) => {
        const d = new YamlDocument(file, index, doc, lines);
        const empty = emptyValuePaths(doc);
        if (empty.length > 0) EMPTY_VALUES.set(d, empty);
        return d;
      });
    return { ok: true, documents };
  } catch (error) {
    // an alias without its anchor, or a billion laughs: only detected when converting to plain values
    const at = (error as { location?: { line?: number; column?: number } }).location;
    return {
      ok: false,
      problems: [{ line: at?.line ?? 1, column: at?.column ?? 1, message: (error as Error).message }],
    };
  }
}

const v2Tags: ScalarTag[] = [
  {
    // sigs.k8s.io/yaml's YAMLToJSON keeps timestamps as the text they were written as
    identify: () => false,
    default: true,
    tag: "tag:yaml.org,2002:str",
    test: TIMESTAMP,
    resolve: (s: string) => s,
  },
  {
    // goyaml.v2 has no sexagesimal numbers (`1:20`), and `e3` is no float: strings, unlike in the yaml
    // package's 1.1 schema
    identify: () => false,
    default: true,
    tag: "tag:yaml.org,2002:str",
    test: /^(?:[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?[eE][-+]?[0-9]+)$/,
    resolve: (s: string) => s,
  },
  {
    // goyaml.v2 numbers follow the same Go parsing as yaml.v3
    identify: () => false,
    default: true,
    tag: "tag:yaml.org,2002:float",
    test: NUMBER_LIKE,
    resolve: goNumber,
  },
];

/** Reads one substituted plain scalar back the way sigs.k8s.io/yaml does (YAML 1.1 rules). */
export function parseYaml11Value(
  text: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  const doc = parseDocument(text, {
    version: "1.1",
    uniqueKeys: true,
    logLevel: "error", // no process warnings from the library (libraries never print)
    customTags: (tags) => [...v2Tags, ...tags],
  });
  if (doc.errors.length > 0) return { ok: false, message: doc.errors[0]!.message.split("\n")[0]! };
  try {
    return { ok: true, value: doc.toJS() };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/**
 * libyaml ends an anchor or alias name at the first character that is not `[0-9A-Za-z_-]`, so `*app:` is
 * the alias `app` followed by `:` (an alias used as a mapping key); YAML 1.2 and the `yaml` package
 * read the name `app:`. The offsets where a space goes before such a `:` (only in alias tokens of the CST).
 */
function aliasKeyCuts(tokens: readonly CST.Token[]): number[] {
  const cuts: number[] = [];
  for (const token of tokens) {
    if (token.type !== "document") continue;
    CST.visit(token, (item) => {
      for (const t of [item.key, item.value, ...(item.sep ?? []), ...(item.start ?? [])]) {
        if (t && typeof t === "object" && t.type === "alias") {
          const m = /^\*[0-9A-Za-z_-]+(?=:)/.exec(t.source);
          if (m) cuts.push(t.offset + m[0].length);
        }
      }
    });
  }
  return cuts;
}

function insertSpaces(text: string, cuts: readonly number[]): string {
  let out = "";
  let last = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out += `${text.slice(last, cut)} `;
    last = cut;
  }
  return out + text.slice(last);
}

/**
 * The value of a folded (`>`) scalar after kyaml's round trip (RNode.MarshalJSON writes the node with
 * yaml.v3's emitter, keeping the folded style, and reads it back). yaml.v3's folded writer
 * (emitterc.go yaml_emitter_write_folded_scalar) decides whether a line break needs an extra blank line
 * by looking at the start of the whole value instead of the next line, so a break before a more-indented
 * line gets one: `p\n  m` comes back as `p\n\n  m`. Values the emitter cannot write as a block scalar
 * (trailing spaces on a line, tabs, control characters) are written double-quoted and unchanged.
 */
export function goFoldedRoundTrip(value: string): string {
  if (!value.includes("\n")) return value;
  // yaml_emitter_analyze_scalar: block styles are not allowed with these, the emitter quotes instead
  if (/[ \t]\n|[ \t]$|\t|[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) return value;
  const firstBlank = value[0] === " " || value[0] === "\t" || value[0] === "\n" || value[0] === "\r";
  let body = "";
  let breaks = true;
  let leadingSpaces = true;
  for (const ch of value) {
    if (ch === "\n") {
      if (!breaks && !leadingSpaces && !firstBlank) body += "\n";
      body += "\n";
      breaks = true;
    } else {
      if (breaks) {
        body += "  ";
        leadingSpaces = ch === " ";
      }
      body += ch;
      breaks = false;
    }
  }
  // yaml_emitter_write_block_scalar_hints: strip when no final break, keep when more than one
  const chomp = !value.endsWith("\n") ? "-" : value === "\n" || value.endsWith("\n\n") ? "+" : "";
  const text = `v: >2${chomp}\n${value.endsWith("\n") ? body : `${body}\n`}`;
  const doc = parseDocument(text);
  const node = doc.get("v", true);
  return doc.errors.length === 0 && isScalar(node) && typeof node.value === "string" ? node.value : value;
}

const FLOW_EMPTY = new WeakSet<Scalar>();
const EMPTY_VALUES = new WeakMap<YamlDocument, (string | number)[][]>();

/**
 * Paths (through mappings only) of keys written without a value (`annotations:`): kyaml's strategic
 * merge drops such fields from the object it patches, while `key: null` and `key: ~` stay.
 */
export function emptyValues(doc: YamlDocument): readonly (string | number)[][] {
  return EMPTY_VALUES.get(doc) ?? [];
}

function emptyValuePaths(doc: Document.Parsed): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key !== "string" && typeof key !== "number") continue;
      const value = pair.value;
      // (a flow mapping's empty value reads as "" yet is dropped by a strategic merge all the same)
      if (
        isScalar(value) &&
        (FLOW_EMPTY.has(value) || (value.value === null && value.source === "" && value.type === "PLAIN"))
      ) {
        out.push([...path, typeof key === "number" ? String(key) : key]);
      } else walk(value, [...path, typeof key === "number" ? String(key) : key]);
    }
  };
  walk(doc.contents, []);
  return out;
}
