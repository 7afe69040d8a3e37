import { readFile, stat } from "node:fs/promises";
import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  visit,
  type YAMLMap,
} from "yaml";
import { UserError } from "./errors.js";
import { DEFAULT_MAX_FILE_BYTES, decodeUtf8, fileTooLarge, fsUserError } from "./repo-fs.js";

export interface YamlPosition {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

/** A position inside a repository file: repo-relative posix path, 1-based line and column. */
export interface SourcePosition extends YamlPosition {
  file: string;
}

/** A path into a YAML document: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

export interface ParseYamlOptions {
  /** The path shown in messages (usually relative to the repo root). */
  file: string;
  /** `1.1` reads `yes`/`on` as booleans the way Go's sigs.k8s.io/yaml does. Default `1.2`. */
  version?: "1.1" | "1.2";
  /** Most alias expansions one document may make (billion-laughs guard). Default `DEFAULT_MAX_ALIAS_COUNT`. */
  maxAliasCount?: number;
}

/** Alias expansions one document may make before it is refused as a resource-exhaustion attack. */
export const DEFAULT_MAX_ALIAS_COUNT = 1000;

/**
 * A document restored from a parse cache: its value and start, and how to parse it again when a position
 * inside it is asked for (see `YamlDocument.restore`).
 */
export interface RestoredYamlDocument {
  value: unknown;
  start: YamlPosition;
  /** parses the text again and returns this same document with its syntax tree */
  load: () => YamlDocument;
}

type SyntaxTree = { doc: Document.Parsed; lines: LineCounter };

/** One document of a YAML file: its plain value plus the source position of every node. */
export class YamlDocument {
  readonly value: unknown;
  private tree: SyntaxTree | undefined;
  private readonly restored: RestoredYamlDocument | undefined;

  constructor(
    readonly file: string,
    /** 0-based index of this document in its file */
    readonly index: number,
    doc: Document.Parsed | RestoredYamlDocument,
    lines?: LineCounter,
    maxAliasCount: number = DEFAULT_MAX_ALIAS_COUNT,
  ) {
    if ("load" in doc) {
      this.restored = doc;
      this.value = doc.value;
      return;
    }
    const parsed = doc;
    this.tree = { doc: parsed, lines: lines! };
    try {
      this.value = parsed.toJS({ maxAliasCount });
    } catch (cause) {
      throw aliasError(cause, file, parsed, lines!, maxAliasCount);
    }
  }

  /**
   * A document whose value and start come from a cache: the text is parsed again only when a position
   * inside it is asked for (`locate`, `locateKey`), which a run that finds nothing rarely does.
   */
  static restore(file: string, index: number, restored: RestoredYamlDocument): YamlDocument {
    return new YamlDocument(file, index, restored);
  }

  private syntax(): SyntaxTree {
    this.tree ??= this.restored!.load().syntax();
    return this.tree;
  }

  /** Position of the value at `path`, or of the deepest existing ancestor (`exact: false`). */
  locate(path: YamlPath): YamlPosition & { exact: boolean } {
    return this.find(path, "value");
  }

  /** Position of the map key at the end of `path` (falls back like `locate`). */
  locateKey(path: YamlPath): YamlPosition & { exact: boolean } {
    return this.find(path, "key");
  }

  /** Position of the document start. */
  start(): YamlPosition {
    if (this.restored && !this.tree) return { ...this.restored.start };
    return this.position(this.syntax().doc.contents?.range?.[0] ?? 0);
  }

  private find(path: YamlPath, want: "key" | "value"): YamlPosition & { exact: boolean } {
    const { doc } = this.syntax();
    let node: unknown = doc.contents;
    let keyNode: unknown;
    let last: number = doc.contents?.range?.[0] ?? 0;
    // The first alias the path goes through (`envFrom: *envFrom`, `<<: *defaults`): the value below it is
    // written at the anchor, but this document gets it from the alias, so the alias is where it is.
    let alias: number | undefined;
    const follow = (n: unknown): unknown => {
      if (!isAlias(n)) return n;
      alias ??= rangeStart(n);
      return n.resolve(doc);
    };
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      node = follow(node);
      let next: unknown;
      let nextKey: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(segment));
        if (pair) {
          next = pair.value;
          nextKey = pair.key;
        } else {
          const merged = this.fromMergeKey(node, String(segment));
          if (merged) {
            alias ??= merged.alias;
            next = merged.pair.value;
            nextKey = merged.pair.key;
          }
        }
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      const range = rangeStart(nextKey) ?? rangeStart(next);
      if (range === undefined) return { ...this.position(alias ?? last), exact: false };
      node = next;
      keyNode = nextKey;
      last = rangeStart(next) ?? range;
      if (i === path.length - 1 && want === "key" && keyNode !== undefined) {
        return { ...this.position(alias ?? rangeStart(keyNode)!), exact: true };
      }
    }
    return { ...this.position(alias ?? last), exact: true };
  }

  /** The pair for `key` that a merge key (`<<: *a` or `<<: [*a, *b]`, first wins) of `map` brings in. */
  private fromMergeKey(map: YAMLMap, key: string): { pair: Pair; alias: number | undefined } | undefined {
    for (const item of map.items) {
      if (!isPair(item) || keyOf(item.key) !== "<<") continue;
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        if (!isAlias(source)) continue;
        const target = source.resolve(this.syntax().doc);
        if (!isMap(target)) continue;
        const pair = target.items.find((p) => isPair(p) && keyOf(p.key) === key);
        if (isPair(pair)) return { pair, alias: rangeStart(source) };
      }
    }
    return undefined;
  }

  private position(offset: number): YamlPosition {
    const { line, col } = this.syntax().lines.linePos(offset);
    return { line, column: col };
  }
}

/**
 * What converting a document to plain values threw, as a `UserError` at the first alias: too many alias
 * expansions (`INPUT_LIMIT`, a "billion laughs") or an alias without its anchor (`YAML_SYNTAX`).
 */
function aliasError(
  cause: unknown,
  file: string,
  doc: Document.Parsed,
  lines: LineCounter,
  maxAliasCount: number,
): unknown {
  if (!(cause instanceof ReferenceError)) return cause;
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  const { line, col } = lines.linePos(offset ?? doc.range[0]);
  const location = { file, line, column: col };
  if (/excessive alias/i.test(cause.message)) {
    return new UserError(
      "INPUT_LIMIT",
      `aliases expand past ${maxAliasCount} nodes (a YAML "billion laughs"): refused`,
      { cause, location, hint: "expand the anchors by hand, or use fewer aliases of aliases" },
    );
  }
  return new UserError("YAML_SYNTAX", `invalid YAML: ${firstLine(cause.message)}`, {
    cause,
    location,
    hint: "define the anchor (&name) before its alias (*name)",
  });
}

export interface DuplicateKey {
  /** Offset of the repeated key in the text. */
  offset: number;
  message: string;
}

/**
 * Every repeated key of every mapping, in one pass (the `yaml` package's `uniqueKeys` check compares
 * each key with every earlier one: quadratic in a mapping's size). Keys are equal when their resolved
 * scalars are (`1` and `"1"` differ), as in Go's yaml.v3, which refuses any repeat
 * (`mapping key "a" already defined at line 1`). `mergeKeys`: `<<` may repeat (merge keys).
 */
export function findDuplicateKeys(
  doc: Document.Parsed,
  lines: LineCounter,
  options: { mergeKeys?: boolean } = {},
): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  visit(doc, {
    Map(_, map) {
      if (map.items.length < 2) return;
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || key.range === undefined || key.range === null) continue;
        if (options.mergeKeys && key.value === "<<") continue;
        const id = `${typeof key.value}:${String(key.value)}`;
        const first = seen.get(id);
        if (first === undefined) {
          seen.set(id, key.range[0]);
          continue;
        }
        out.push({
          offset: key.range[0],
          message: `Map keys must be unique: ${JSON.stringify(String(key.value))} is already defined at line ${lines.linePos(first).line}`,
        });
      }
    },
  });
  return out;
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? (node as Node).range?.[0] : undefined;
}

export interface YamlFile {
  file: string;
  text: string;
  documents: YamlDocument[];
}

/**
 * Parses every document of a YAML text, keeping source positions. Syntax errors, duplicate keys and
 * similar problems throw one `UserError` (`YAML_SYNTAX`) that lists each with file:line:col.
 */
export function parseYaml(text: string, options: ParseYamlOptions): YamlFile {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    // duplicates are found by findDuplicateKeys, in linear time
    uniqueKeys: false,
    version: options.version ?? "1.2",
    strict: true,
    // the library's own warnings (e.g. a `{{ .X }}` template read as a map key) would go to process
    // warnings and the terminal; a library never prints, and such files are data, not errors
    logLevel: "error",
  });
  const parsed = Array.isArray(docs) ? docs : [];
  const found: { offset: number; message: string }[] = [];
  for (const doc of parsed) {
    for (const error of doc.errors) found.push({ offset: error.pos[0], message: firstLine(error.message) });
    found.push(...findDuplicateKeys(doc, lines));
  }
  found.sort((a, b) => a.offset - b.offset);
  const problems: string[] = [];
  const messages: string[] = [];
  let first: YamlPosition | undefined;
  for (const { offset, message } of found) {
    const { line, col } = lines.linePos(offset);
    first ??= { line, column: col };
    problems.push(`${options.file}:${line}:${col}: ${message}`);
    messages.push(message);
  }
  if (!Array.isArray(docs)) {
    problems.push(`${options.file}: unexpected YAML stream`);
  }
  if (problems.length > 0) {
    throw new UserError(
      "YAML_SYNTAX",
      // one problem: the location travels in `location`; several: each line names its own
      problems.length === 1 ? `invalid YAML: ${messages[0]}` : `invalid YAML:\n  ${problems.join("\n  ")}`,
      {
        location: { file: options.file, ...(first ?? {}) },
        hint: "fix the YAML syntax at the position shown",
      },
    );
  }
  const documents = parsed
    .filter((doc) => doc.contents !== null || parsed.length === 1)
    .map((doc, index) => new YamlDocument(options.file, index, doc, lines, options.maxAliasCount));
  return { file: options.file, text, documents };
}

/**
 * Reads and parses a YAML file: strict UTF-8, at most `maxBytes` (`FILE_TOO_LARGE`), every read failure a
 * `UserError` naming the file (`FILE_NOT_FOUND` when it is missing).
 */
export async function loadYamlFile(
  path: string,
  options: Partial<ParseYamlOptions> & { maxBytes?: number } = {},
): Promise<YamlFile> {
  const file = options.file ?? path;
  const max = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  let data: Buffer;
  try {
    const info = await stat(path);
    if (info.isFile() && info.size > max) throw fileTooLarge(file, info.size, max);
    data = await readFile(path);
  } catch (cause) {
    throw fsUserError(cause, file, "read");
  }
  const { maxBytes: _, ...parseOptions } = options;
  return parseYaml(decodeUtf8(data, file), { ...parseOptions, file });
}

/** `nodes[2].address`-style rendering of a path. */
export function formatYamlPath(path: YamlPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}
