import { readFile } from "node:fs/promises";
import {
  type Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from "yaml";
import { UserError } from "./errors.js";

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
}

/** One document of a YAML file: its plain value plus the source position of every node. */
export class YamlDocument {
  readonly value: unknown;

  constructor(
    readonly file: string,
    /** 0-based index of this document in its file */
    readonly index: number,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {
    this.value = doc.toJS({ maxAliasCount: 1000 });
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
    return this.position(this.doc.contents?.range?.[0] ?? 0);
  }

  private find(path: YamlPath, want: "key" | "value"): YamlPosition & { exact: boolean } {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    let last: number = this.doc.contents?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      let next: unknown;
      let nextKey: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(segment));
        if (pair) {
          next = pair.value;
          nextKey = pair.key;
        }
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      const range = rangeStart(nextKey) ?? rangeStart(next);
      if (range === undefined) return { ...this.position(last), exact: false };
      node = next;
      keyNode = nextKey;
      last = rangeStart(next) ?? range;
      if (i === path.length - 1 && want === "key" && keyNode !== undefined) {
        return { ...this.position(rangeStart(keyNode)!), exact: true };
      }
    }
    return { ...this.position(last), exact: true };
  }

  private position(offset: number): YamlPosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
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
    uniqueKeys: true,
    version: options.version ?? "1.2",
    strict: true,
  });
  const parsed = Array.isArray(docs) ? docs : [];
  const problems: string[] = [];
  const messages: string[] = [];
  let first: YamlPosition | undefined;
  for (const doc of parsed) {
    for (const error of doc.errors) {
      const [offset] = error.pos;
      const { line, col } = lines.linePos(offset);
      first ??= { line, column: col };
      problems.push(`${options.file}:${line}:${col}: ${firstLine(error.message)}`);
      messages.push(firstLine(error.message));
    }
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
    .map((doc, index) => new YamlDocument(options.file, index, doc, lines));
  return { file: options.file, text, documents };
}

/** Reads and parses a YAML file. A missing file is a `UserError` (`FILE_NOT_FOUND`). */
export async function loadYamlFile(path: string, options: Partial<ParseYamlOptions> = {}): Promise<YamlFile> {
  const file = options.file ?? path;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new UserError("FILE_NOT_FOUND", `${file}: no such file`, { cause, location: { file } });
    }
    throw new UserError("FILE_UNREADABLE", `${file}: cannot read (${code ?? String(cause)})`, {
      cause,
      location: { file },
    });
  }
  return parseYaml(text, { ...options, file });
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
