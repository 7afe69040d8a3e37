// A port of Flux's `github.com/fluxcd/pkg/envsubst` (scanner, parser, evaluator) so that `${var}`
// expressions behave exactly as in kustomize-controller's post-build substitution: same accepted syntax,
// same escapes (`$${x}` → `${x}`), same parse errors, same operator semantics. Lengths and substring
// offsets count UTF-8 bytes as Go does.

const EOF = "";

enum Token {
  Illegal = 0,
  Eof = 1,
  Ident = 2,
  Lbrack = 3,
  Rbrack = 4,
}

const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;

const ESC_DOLLAR = 1;
const ESC_BACKSLASH = 2;
const ESC_ALL = ESC_DOLLAR | ESC_BACKSLASH;

type Accept = (r: string, i: number) => boolean;

type Node = TextNode | FuncNode | ListNode;
interface TextNode {
  type: "text";
  value: string;
}
interface FuncNode {
  type: "func";
  param: string;
  name: string;
  args: Node[];
}
interface ListNode {
  type: "list";
  nodes: Node[];
}

const EMPTY: TextNode = { type: "text", value: "" };

export class EnvsubstError extends Error {
  override readonly name = "EnvsubstError";
}

const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => /^[\p{L}\p{Nd}_]$/u.test(r);
const acceptColon: Accept = (r) => r === ":";
const acceptOneHash: Accept = (r, i) => r === "#" && i === 1;
const acceptNotClosing: Accept = (r) => r !== "}";
const acceptHashFunc: Accept = (r, i) => r === "#" && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === "%" && i < 3;
const acceptDefaultFunc: Accept = (r, i) =>
  (i === 1 && r === ":") || (i === 2 && "=-?+".includes(r) && r !== "");
const acceptReplaceFunc: Accept = (r, i) =>
  (i === 1 && r === "/") || (i === 2 && "/#%".includes(r) && r !== "");
const acceptOneEqual: Accept = (r, i) => i === 1 && r === "=";
const acceptOneColon: Accept = (r, i) => i === 1 && r === ":";
const rejectColonClose: Accept = (r) => r !== ":" && r !== "}";
const acceptSlash: Accept = (r) => r === "/";
const acceptNotSlash: Accept = (r) => r !== "/";
const acceptCasingFunc: Accept = (r, i) => (r === "," || r === "^") && i < 3;

class Scanner {
  buf = "";
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = acceptRune;

  init(buf: string): void {
    this.buf = buf;
    this.pos = 0;
    this.start = 0;
    this.width = 0;
  }

  read(): string {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const cp = this.buf.codePointAt(this.pos)!;
    const r = String.fromCodePoint(cp);
    this.width = r.length;
    this.pos += this.width;
    return r;
  }

  unread(): void {
    this.pos -= this.width;
  }

  /** Drops the character just read (an escape character). */
  skip(): void {
    this.buf = this.buf.slice(0, this.pos - 1) + this.buf.slice(this.pos);
  }

  peek(): string {
    const r = this.read();
    this.unread();
    return r;
  }

  text(): string {
    return this.buf.slice(this.start, this.pos);
  }

  scan(): Token {
    this.start = this.pos;
    const r = this.read();
    if (r === EOF) return Token.Eof;
    if (this.scanLbrack(r)) return Token.Lbrack;
    if (this.scanRbrack(r)) return Token.Rbrack;
    if (this.scanIdent(r)) return Token.Ident;
    return Token.Illegal;
  }

  private scanIdent(first: string): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(first)) this.skip();
    else if (!this.accept(first, this.pos - this.start)) return false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(r)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(r)) {
        this.skip();
        continue;
      }
      if (!this.accept(r, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(r: string): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === "$") {
      if (this.read() === "{") return true;
      this.unread();
    }
    return false;
  }

  private scanRbrack(r: string): boolean {
    if ((this.mode & SCAN_RBRACK) === 0) return false;
    return r === "}";
  }

  private scanEscaped(r: string): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === "$" && (this.escapeChars & ESC_DOLLAR) !== 0 && this.peek() === "$") return true;
    if (r === "\\" && (this.escapeChars & ESC_BACKSLASH) !== 0) {
      const next = this.peek();
      return next === "/" || next === "\\";
    }
    return false;
  }
}

class Parser {
  private readonly s = new Scanner();

  parse(buf: string): Node {
    this.s.init(buf);
    return this.parseAny();
  }

  private parseAny(): Node {
    const s = this.s;
    s.accept = acceptRune;
    s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
    s.escapeChars = ESC_DOLLAR;
    switch (s.scan()) {
      case Token.Ident: {
        const left: TextNode = { type: "text", value: s.text() };
        const right = this.parseAny();
        return right === EMPTY ? left : { type: "list", nodes: [left, right] };
      }
      case Token.Eof:
        return EMPTY;
      case Token.Lbrack: {
        const left = this.parseFunc();
        const right = this.parseAny();
        return right === EMPTY ? left : { type: "list", nodes: [left, right] };
      }
      default:
        throw new EnvsubstError("bad substitution");
    }
  }

  private parseFunc(): Node {
    const s = this.s;
    s.escapeChars = ESC_ALL;
    if (s.peek() === "#") return this.parseLenFunc();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("unable to parse variable name");
    const name = s.text();
    switch (s.peek()) {
      case ":":
        return this.parseDefaultOrSubstr(name);
      case "=":
        return this.parseDefaultFunc(name);
      case ",":
      case "^":
        return this.parseCasingFunc(name);
      case "/":
        return this.parseReplaceFunc(name);
      case "#":
        return this.parseRemoveFunc(name, acceptHashFunc);
      case "%":
        return this.parseRemoveFunc(name, acceptPercentFunc);
    }
    s.accept = acceptIdent;
    s.mode = SCAN_RBRACK;
    if (s.scan() === Token.Rbrack) return { type: "func", param: name, name: "", args: [] };
    throw new EnvsubstError("missing closing brace");
  }

  private parseParam(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    switch (s.scan()) {
      case Token.Lbrack:
        return this.parseFunc();
      case Token.Ident:
      case Token.Rbrack:
        return { type: "text", value: s.text() };
      default:
        throw new EnvsubstError("unable to parse substitution within function");
    }
  }

  private parseDefaultOrSubstr(name: string): Node {
    const s = this.s;
    s.read();
    const r = s.peek();
    s.unread();
    if (r === "=" || r === "-" || r === "?" || r === "+") return this.parseDefaultFunc(name);
    return this.parseSubstrFunc(name);
  }

  private parseSubstrFunc(name: string): Node {
    const s = this.s;
    const node: FuncNode = { type: "func", param: name, name: "", args: [] };
    s.accept = acceptOneColon;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("bad substitution");
    node.name = s.text();
    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));
    s.accept = acceptColon;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    switch (s.scan()) {
      case Token.Rbrack:
        return node;
      case Token.Ident:
        break;
      default:
        throw new EnvsubstError("bad substitution");
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseRemoveFunc(name: string, accept: Accept): Node {
    const s = this.s;
    const node: FuncNode = { type: "func", param: name, name: "", args: [] };
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("bad substitution");
    node.name = s.text();
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseReplaceFunc(name: string): Node {
    const s = this.s;
    const node: FuncNode = { type: "func", param: name, name: "", args: [] };
    s.accept = acceptReplaceFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("bad substitution");
    node.name = s.text();
    node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    s.accept = acceptSlash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("bad substitution");
    if (s.peek() === "}") {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  private parseDefaultFunc(name: string): Node {
    const s = this.s;
    const node: FuncNode = { type: "func", param: name, name: "", args: [] };
    s.accept = s.peek() === "=" ? acceptOneEqual : acceptDefaultFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("unable to parse default function");
    node.name = s.text();
    for (;;) {
      if (s.peek() === "}") {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }

  private parseCasingFunc(name: string): Node {
    const s = this.s;
    const node: FuncNode = { type: "func", param: name, name: "", args: [] };
    s.accept = acceptCasingFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("bad substitution");
    node.name = s.text();
    this.consumeRbrack();
    return node;
  }

  private parseLenFunc(): Node {
    const s = this.s;
    const node: FuncNode = { type: "func", param: "", name: "", args: [] };
    s.accept = acceptOneHash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("bad substitution");
    node.name = s.text();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new EnvsubstError("bad substitution");
    node.param = s.text();
    this.consumeRbrack();
    return node;
  }

  private consumeRbrack(): void {
    this.s.mode = SCAN_RBRACK;
    if (this.s.scan() !== Token.Rbrack) throw new EnvsubstError("bad substitution");
  }
}

/** Looks a variable up: `[value, exists]`. */
export type EnvMapping = (name: string) => [string, boolean];

/** A strict-mode failure: a variable without default is not set. */
export class UnsetVariableError extends EnvsubstError {
  constructor(readonly variable: string) {
    super(`variable not set (strict mode): "${variable}"`);
  }
}

/** Evaluates `${…}` expressions in `text`. Throws `EnvsubstError` on bad syntax or (strict) unset vars. */
export function evalEnvsubst(text: string, mapping: EnvMapping): string {
  const root = new Parser().parse(text);
  return evaluate(root, mapping);
}

/** Variables referenced by `text` (for diagnostics), or `undefined` when it does not parse. */
export function parseVariables(text: string): string[] | undefined {
  try {
    const out: string[] = [];
    collect(new Parser().parse(text), out);
    return out;
  } catch {
    return undefined;
  }
}

function collect(node: Node, out: string[]): void {
  if (node.type === "list") for (const n of node.nodes) collect(n, out);
  else if (node.type === "func") {
    out.push(node.param);
    for (const a of node.args) collect(a, out);
  }
}

function evaluate(node: Node, mapping: EnvMapping): string {
  switch (node.type) {
    case "text":
      return node.value;
    case "list":
      return node.nodes.map((n) => evaluate(n, mapping)).join("");
    case "func": {
      const args = node.args.map((a) => evaluate(a, mapping));
      const [value, exists] = mapping(node.param);
      if (!exists && !isDefaultOp(node.name)) throw new UnsetVariableError(node.param);
      return lookupFunc(node.name, args.length)(value, args);
    }
  }
}

function isDefaultOp(name: string): boolean {
  return ["-", "+", "=", "?", ":-", ":+", ":=", ":?"].includes(name);
}

type Fn = (s: string, args: string[]) => string;

function lookupFunc(name: string, argCount: number): Fn {
  switch (name) {
    case ",":
      return (s) => (s === "" ? s : firstChar(s).toLowerCase() + s.slice(firstChar(s).length));
    case ",,":
      return (s) => s.toLowerCase();
    case "^":
      return (s) => (s === "" ? s : firstChar(s).toUpperCase() + s.slice(firstChar(s).length));
    case "^^":
      return (s) => s.toUpperCase();
    case "#":
      return argCount === 0
        ? (s) => String(utf8Length(s))
        : (s, a) => (a.length ? trimShortest(s, a[0]!) : s);
    case "##":
      return (s, a) => (a.length ? trimLongest(s, a[0]!) : s);
    case "%":
      return (s, a) => (a.length ? reverse(trimShortest(reverse(s), reverse(a[0]!))) : s);
    case "%%":
      return (s, a) => (a.length ? reverse(trimLongest(reverse(s), reverse(a[0]!))) : s);
    case ":":
      return toSubstr;
    case "/#":
      return (s, a) => (a.length === 2 && s.startsWith(a[0]!) ? a[1]! + s.slice(a[0]!.length) : s);
    case "/%":
      return (s, a) =>
        a.length === 2 && s.endsWith(a[0]!) ? s.slice(0, s.length - a[0]!.length) + a[1]! : s;
    case "/":
      return (s, a) => (a.length === 0 ? s : s.replace(a[0]!, () => a[1] ?? ""));
    case "//":
      return (s, a) => (a.length === 0 ? s : s.split(a[0]!).join(a[1] ?? ""));
    default:
      return (s, a) => (s.length === 0 && a.length > 0 ? a.join("") : s);
  }
}

function firstChar(s: string): string {
  return String.fromCodePoint(s.codePointAt(0)!);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** A substring cut a multi-byte character: Go produces invalid UTF-8, which Flux's YAML parser then rejects. */
export class InvalidUtf8Error extends EnvsubstError {
  constructor() {
    super("yaml: invalid leading UTF-8 octet (a substring cut a multi-byte character)");
  }
}

function utf8(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) throw new InvalidUtf8Error();
  return text;
}

// Go slices strings by byte offset; do the same on the UTF-8 bytes.
function toSubstr(s: string, args: string[]): string {
  if (args.length === 0) return s;
  const bytes = Buffer.from(s, "utf8");
  let pos = goAtoi(args[0]!);
  if (pos === undefined) return s;
  if (pos < 0) pos = Math.max(0, bytes.length + pos);
  if (args.length === 1) return pos < bytes.length ? utf8(bytes.subarray(pos)) : "";
  const length = goAtoi(args[1]!);
  if (length === undefined) return s;
  if (pos + length >= bytes.length) return pos < bytes.length ? utf8(bytes.subarray(pos)) : "";
  return utf8(bytes.subarray(pos, pos + length));
}

function goAtoi(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

function reverse(s: string): string {
  return [...s].reverse().join("");
}

function trimShortest(s: string, pattern: string): string {
  let shortest = "";
  for (let i = 0; i < s.length; i++) {
    const candidate = s.slice(0, s.length - i);
    const match = matchPath(pattern, candidate);
    if (match === undefined) return s;
    if (match) shortest = candidate;
  }
  return shortest !== "" ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, pattern: string): string {
  for (let i = 0; i < s.length; i++) {
    const candidate = s.slice(0, s.length - i);
    const match = matchPath(pattern, candidate);
    if (match === undefined) return s;
    if (match) return s.slice(candidate.length);
  }
  return s;
}

/** envsubst's own `path.Match` variant: shell glob where `*` and `?` also match `/`. `undefined` = bad pattern. */
export function matchPath(pattern: string, name: string): boolean | undefined {
  const re = globToRegExp(pattern);
  if (re === undefined) return undefined;
  return re.test(name);
}

function globToRegExp(pattern: string): RegExp | undefined {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "\\") {
      i++;
      if (i >= pattern.length) return undefined;
      out += escapeRe(pattern[i]!);
    } else if (c === "[") {
      let j = i + 1;
      let cls = "";
      if (pattern[j] === "^") {
        cls += "^";
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < pattern.length; j++) {
        const d = pattern[j]!;
        if (d === "]" && !first) {
          closed = true;
          break;
        }
        first = false;
        if (d === "\\") {
          j++;
          if (j >= pattern.length) return undefined;
          cls += escapeRe(pattern[j]!);
        } else if (d === "-") cls += "-";
        else cls += escapeRe(d);
      }
      if (!closed) return undefined;
      out += `[${cls}]`;
      i = j;
    } else out += escapeRe(c);
  }
  try {
    return new RegExp(`^${out}$`, "s");
  } catch {
    return undefined;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
