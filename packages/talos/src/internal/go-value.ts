import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import { type GoStruct, type GoType, type GoValue, isZero, type ResolvedField } from "./go-type.js";

/** A decode/merge/delete failure, worded as Talos words it where we reproduce Talos' message. */
export class GoValueError extends Error {
  override name = "GoValueError";
}

const goTypeName = (t: GoType): string => {
  switch (t.k) {
    case "struct":
      return t.name;
    case "slice":
      return t.name ?? `[]${goTypeName(t.of)}`;
    case "map":
      return t.name ?? `map[string]${goTypeName(t.of)}`;
    case "ptr":
      return `*${goTypeName(t.of)}`;
    case "text":
      return t.name;
    default:
      return t.k;
  }
};

// ---------------------------------------------------------------- decode (yaml.v4 into Go values)

/** The text of a scalar as yaml.v4 sees it when decoding into a string. */
function scalarText(node: Scalar): string {
  if (node.type === "PLAIN" && typeof node.source === "string") return node.source;
  return node.value === null || node.value === undefined ? "" : String(node.value);
}

function isNullNode(node: Node | null | undefined): boolean {
  return (
    node === null || node === undefined || (isScalar(node) && node.value === null && node.type === "PLAIN")
  );
}

/** A plain JS value for `any` (what yaml.v4 decodes into interface{}). */
export function nodeToAny(node: Node | null | undefined): GoValue {
  if (node === null || node === undefined) return null;
  if (isMap(node)) {
    const out: Record<string, GoValue> = {};
    for (const pair of node.items) out[keyText(pair)] = nodeToAny(pair.value as Node);
    return out;
  }
  if (isSeq(node)) return node.items.map((n) => nodeToAny(n as Node));
  if (isScalar(node)) return node.value as GoValue;
  return null;
}

function keyText(pair: Pair): string {
  const k = pair.key as Node | null;
  if (k && isScalar(k)) return scalarText(k);
  return String(k);
}

function lineOf(node: Node | null | undefined): number {
  return (node as { linePos?: { line: number }[] } | undefined)?.linePos?.[0]?.line ?? 0;
}

/** Decode a YAML node into a value of Go type `t` (known fields only, like Talos' strict decoder). */
export function decodeNode(t: GoType, node: Node | null | undefined, path: string): GoValue {
  if (isNullNode(node)) {
    return undefined;
  }
  const n = node as Node;
  switch (t.k) {
    case "string":
    case "text":
    case "bytes":
      if (!isScalar(n))
        throw new GoValueError(`${path}: cannot unmarshal a ${n.constructor.name} into ${goTypeName(t)}`);
      return scalarText(n);
    case "bool": {
      if (!isScalar(n) || typeof n.value !== "boolean")
        throw new GoValueError(
          `${path}: cannot unmarshal ${isScalar(n) ? scalarText(n) : "a collection"} into bool`,
        );
      return n.value;
    }
    case "int":
    case "float": {
      if (!isScalar(n) || typeof n.value !== "number")
        throw new GoValueError(
          `${path}: cannot unmarshal ${isScalar(n) ? scalarText(n) : "a collection"} into a number`,
        );
      return n.value;
    }
    case "any":
      return nodeToAny(n);
    case "ptr":
      return decodeNode(t.of, n, path) ?? zeroValue(t.of);
    case "slice": {
      if (!isSeq(n)) throw new GoValueError(`${path}: cannot unmarshal into ${goTypeName(t)}: not a list`);
      const out = (n as YAMLSeq).items.map((item, i) => {
        const v = decodeNode(t.of, item as Node, `${path}[${i}]`);
        return v === undefined ? zeroValue(t.of) : v;
      });
      if (t.name === "v1alpha1.ClusterInlineManifests") {
        for (const m of out as GoStruct[]) {
          if (typeof m.InlineManifestContents === "string")
            m.InlineManifestContents = m.InlineManifestContents.replace(/^[\t\n\v\f\r]+/, "");
        }
      }
      return out;
    }
    case "map":
    case "args": {
      if (!isMap(n)) throw new GoValueError(`${path}: cannot unmarshal into ${goTypeName(t)}: not a mapping`);
      const out: Record<string, GoValue> = {};
      for (const pair of (n as YAMLMap).items) {
        const key = keyText(pair);
        if (t.k === "args") {
          const v = pair.value as Node;
          out[key] = isSeq(v)
            ? v.items.map((i) => (isScalar(i) ? scalarText(i) : ""))
            : isScalar(v)
              ? scalarText(v)
              : "";
        } else {
          const v = decodeNode(t.of, pair.value as Node, `${path}.${key}`);
          out[key] = v === undefined ? (t.of.k === "any" ? null : zeroValue(t.of)) : v;
        }
      }
      return out;
    }
    case "struct": {
      if (!isMap(n)) throw new GoValueError(`${path}: cannot unmarshal into ${t.name}: not a mapping`);
      const out: GoStruct = {};
      for (const pair of (n as YAMLMap).items) {
        const key = keyText(pair);
        if (!assignField(t.fields, out, key, pair.value as Node, `${path}.${key}`)) {
          throw new GoValueError(
            `unknown field "${key}" (line ${lineOf(pair.key as Node)}) in ${t.name.replace(/^\w+\./, "")}`,
          );
        }
      }
      return out;
    }
  }
}

function assignField(
  fields: ResolvedField[],
  out: GoStruct,
  key: string,
  value: Node,
  path: string,
): boolean {
  for (const f of fields) {
    if (f.inline && f.type.k === "struct") {
      const inner = (out[f.go] as GoStruct | undefined) ?? {};
      if (assignField(f.type.fields, inner, key, value, path)) {
        out[f.go] = inner;
        return true;
      }
      continue;
    }
    if (f.name === key) {
      const v = decodeNode(f.type, value, path);
      if (v === undefined) delete out[f.go];
      else out[f.go] = v;
      return true;
    }
  }
  return false;
}

/** The Go zero value in our representation (undefined = "nothing set"). */
function zeroValue(t: GoType): GoValue {
  switch (t.k) {
    case "struct":
      return {};
    case "string":
    case "text":
    case "bytes":
      return "";
    case "bool":
      return false;
    case "int":
    case "float":
      return 0;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- encode (yaml.v4 Marshal)

export type YNode =
  | { k: "scalar"; text: string; literal?: string }
  | { k: "map"; entries: [string, YNode][] }
  | { k: "seq"; items: YNode[] };

const nullNode: YNode = { k: "scalar", text: "null" };

/** Go value → YAML node tree, as yaml.v4's encoder walks it. */
export function toYNode(t: GoType, v: GoValue): YNode {
  switch (t.k) {
    case "string":
    case "text":
    case "bytes":
      return stringNode(typeof v === "string" ? v : "");
    case "bool":
      return { k: "scalar", text: v === true ? "true" : "false" };
    case "int":
      return { k: "scalar", text: String(typeof v === "number" ? v : 0) };
    case "float":
      return { k: "scalar", text: formatFloat(typeof v === "number" ? v : 0) };
    case "any":
      return anyNode(v);
    case "ptr":
      return v === undefined || v === null ? nullNode : toYNode(t.of, v);
    case "slice":
      return { k: "seq", items: ((v as GoValue[] | undefined) ?? []).map((item) => toYNode(t.of, item)) };
    case "map":
    case "args": {
      const obj = (v as Record<string, GoValue> | undefined) ?? {};
      return {
        k: "map",
        entries: sortKeys(Object.keys(obj)).map((key) => [
          key,
          t.k === "args" ? argNode(obj[key]) : t.of.k === "any" ? anyNode(obj[key]) : toYNode(t.of, obj[key]),
        ]),
      };
    }
    case "struct": {
      const entries: [string, YNode][] = [];
      structEntries(t.fields, (v as GoStruct | undefined) ?? {}, entries);
      return { k: "map", entries };
    }
  }
}

function structEntries(fields: ResolvedField[], obj: GoStruct, entries: [string, YNode][]): void {
  for (const f of fields) {
    const value = obj[f.go];
    if (f.inline) {
      if (f.type.k === "struct") structEntries(f.type.fields, (value as GoStruct | undefined) ?? {}, entries);
      else if (f.type.k === "map") {
        const node = toYNode(f.type, value);
        if (node.k === "map") entries.push(...node.entries);
      }
      continue;
    }
    if (f.omitempty && isZero(f.type, value)) continue;
    entries.push([f.name, toYNode(f.type, value)]);
  }
}

function argNode(v: GoValue): YNode {
  if (Array.isArray(v)) return { k: "seq", items: v.map((s) => stringNode(String(s))) };
  return stringNode(typeof v === "string" ? v : "");
}

function anyNode(v: GoValue): YNode {
  if (v === null || v === undefined) return nullNode;
  if (typeof v === "string") return stringNode(v);
  if (typeof v === "boolean") return { k: "scalar", text: String(v) };
  if (typeof v === "number") return { k: "scalar", text: Number.isInteger(v) ? String(v) : formatFloat(v) };
  if (Array.isArray(v)) return { k: "seq", items: v.map(anyNode) };
  const obj = v as Record<string, GoValue>;
  return { k: "map", entries: sortKeys(Object.keys(obj)).map((key) => [key, anyNode(obj[key])]) };
}

function formatFloat(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (f === Number.POSITIVE_INFINITY) return ".inf";
  if (f === Number.NEGATIVE_INFINITY) return "-.inf";
  const exp = f === 0 ? 0 : Math.floor(Math.log10(Math.abs(f)));
  if (exp < -4 || exp >= 21) {
    const [m, e = "0"] = f.toExponential().split("e");
    const n = Number.parseInt(e, 10);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return String(f);
}

/** yaml.v3/v4 map key order (sorter.go): letters and digit runs compared the way it does. */
export function compareKeys(a: string, b: string): number {
  return keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0;
}

export function sortKeys(keys: string[]): string[] {
  return [...keys].sort(compareKeys);
}

const isDigit = (c: string) => c >= "0" && c <= "9";
const isLetter = (c: string) => /\p{L}/u.test(c);

function keyLess(as: string, bs: string): boolean {
  const ar = [...as];
  const br = [...bs];
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i] as string;
    const cb = br[i] as string;
    if (ca === cb) {
      digits = isDigit(ca);
      continue;
    }
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca < cb;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ca === "0" || cb === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ca < cb;
  }
  return ar.length < br.length;
}

// String styles, as yaml.v4's encoder (resolve + isOldBool + isBase60Float) and libyaml's emitter choose them.
const oldBools = new Set("y Y yes Yes YES on On ON n N no No NO off Off OFF".split(" "));
const base60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const floatRe = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const specialFloats = new Set(".inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF .nan .NaN .NAN".split(" "));
const reserved = new Set("~ null Null NULL true True TRUE false False FALSE <<".split(" "));
const timestampRe = /^\d{4}-\d\d?-\d\d?([Tt ]|$)/;

function resolvesToNonString(s: string): boolean {
  if (s === "" || reserved.has(s) || specialFloats.has(s)) return true;
  const c = s[0] as string;
  if ("+-.0123456789".includes(c)) {
    const plain = s.replaceAll("_", "");
    if (/^[-+]?(0b[01]+|0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$/.test(plain)) return true;
    if (floatRe.test(plain)) return true;
    if (timestampRe.test(s)) return true;
  }
  return false;
}

function plainAllowed(s: string): boolean {
  if (s.startsWith("---") || s.startsWith("...")) return false;
  const first = s[0] as string;
  if ("#,[]{}&*!|>'\"%@`".includes(first)) return false;
  if ("-?:".includes(first) && (s.length === 1 || s[1] === " " || s[1] === "\t")) return false;
  if (s.startsWith(" ") || s.endsWith(" ") || s.startsWith("\t") || s.endsWith("\t")) return false;
  if (s.includes(": ") || s.includes(" #") || s.endsWith(":") || s.includes(":\t")) return false;
  if (/[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(s)) return false;
  return true;
}

function doubleQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

export function stringNode(s: string): YNode {
  if (s.includes("\n")) return { k: "scalar", text: "", literal: s };
  if (!resolvesToNonString(s) && !oldBools.has(s) && !base60.test(s)) {
    if (plainAllowed(s)) return { k: "scalar", text: s };
    if (!/[\u0000-\u001f\u007f]/.test(s)) return { k: "scalar", text: `'${s.replaceAll("'", "''")}'` };
  }
  return { k: "scalar", text: doubleQuote(s) };
}

/** Serialise as yaml.v4 does with its default 4-space indent (sequences indented inside mappings). */
export function emitYaml(node: YNode, indent = 4): string {
  const out: string[] = [];
  emitBlock(node, 0, out, indent);
  return `${out.join("\n")}\n`;
}

function literalHeader(s: string): string {
  const indicator = s.startsWith(" ") || s.startsWith("\n") ? "4" : "";
  const chomp = !s.endsWith("\n") ? "-" : s.endsWith("\n\n") || s === "\n" ? "+" : "";
  return `|${indicator}${chomp}`;
}

function literalLines(s: string, col: number): string[] {
  const body = s.endsWith("\n") ? s.slice(0, -1) : s;
  const pad = " ".repeat(col);
  return body.split("\n").map((line) => (line === "" ? "" : pad + line));
}

function inlineOf(node: YNode): string | undefined {
  if (node.k === "scalar") return node.literal === undefined ? node.text : undefined;
  if (node.k === "map" && node.entries.length === 0) return "{}";
  if (node.k === "seq" && node.items.length === 0) return "[]";
  return undefined;
}

/** Emit `node` whose lines start at column `col`. */
function emitBlock(node: YNode, col: number, out: string[], step: number): void {
  const pad = " ".repeat(col);
  if (node.k === "scalar") {
    if (node.literal !== undefined) {
      out.push(pad + literalHeader(node.literal));
      out.push(...literalLines(node.literal, col + step));
    } else out.push(pad + node.text);
    return;
  }
  if (node.k === "map") {
    if (node.entries.length === 0) {
      out.push(`${pad}{}`);
      return;
    }
    emitMapEntries(node.entries, col, col, out, step, pad);
    return;
  }
  if (node.items.length === 0) {
    out.push(`${pad}[]`);
    return;
  }
  for (const item of node.items) emitSeqItem(item, col, out, step);
}

/** Mapping entries; the first line may already carry a prefix (a "- "). `childCol` is where nested blocks go. */
function emitMapEntries(
  entries: [string, YNode][],
  keyCol: number,
  childCol: number,
  out: string[],
  step: number,
  firstPrefix: string,
): void {
  entries.forEach(([key, value], i) => {
    const prefix = i === 0 ? firstPrefix : " ".repeat(keyCol);
    const k = stringNode(key);
    const keyText = k.k === "scalar" && k.literal === undefined ? k.text : doubleQuote(key);
    const inline = inlineOf(value);
    if (inline !== undefined) {
      out.push(`${prefix}${keyText}: ${inline}`);
    } else if (value.k === "scalar" && value.literal !== undefined) {
      out.push(`${prefix}${keyText}: ${literalHeader(value.literal)}`);
      out.push(...literalLines(value.literal, childCol + step));
    } else {
      out.push(`${prefix}${keyText}:`);
      emitBlock(value, childCol + step, out, step);
    }
  });
}

function emitSeqItem(item: YNode, col: number, out: string[], step: number): void {
  const pad = " ".repeat(col);
  const inline = inlineOf(item);
  if (inline !== undefined) {
    out.push(`${pad}- ${inline}`);
    return;
  }
  if (item.k === "scalar" && item.literal !== undefined) {
    out.push(`${pad}- ${literalHeader(item.literal)}`);
    out.push(...literalLines(item.literal, col + step));
    return;
  }
  if (item.k === "map") {
    emitMapEntries(item.entries, col + 2, col, out, step, `${pad}- `);
    return;
  }
  // a list in a list
  const inner: string[] = [];
  emitBlock(item, col + 2, inner, step);
  if (inner[0] !== undefined) inner[0] = `${pad}- ${inner[0].slice(col + 2)}`;
  out.push(...inner);
}

// ---------------------------------------------------------------- merge (Talos' merge.Merge)

/** `isNilOrZero` of a map entry: only a missing or nil value counts (our maps hold no other nils). */
function isNilOrZeroMapValue(v: GoValue): boolean {
  return v === undefined || v === null;
}

function anyKind(v: GoValue): string {
  if (v === null || v === undefined) return "nil";
  if (Array.isArray(v)) return "[]interface {}";
  if (typeof v === "object") return "map[string]interface {}";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  return typeof v === "boolean" ? "bool" : "string";
}

function anyType(v: GoValue): GoType {
  if (Array.isArray(v)) return { k: "slice", of: { k: "any" } };
  if (v !== null && typeof v === "object") return { k: "map", of: { k: "any" } };
  if (typeof v === "number") return { k: "float" };
  if (typeof v === "boolean") return { k: "bool" };
  return { k: "string" };
}

/** Go zero-ness as `reflect.Value.IsZero` sees it (a non-nil pointer or empty non-nil slice is not zero). */
function reflectIsZero(t: GoType, v: GoValue): boolean {
  if (v === undefined || v === null) return true;
  switch (t.k) {
    case "struct":
      return t.fields.every((f) => reflectIsZero(f.type, (v as GoStruct)[f.go]));
    case "slice":
    case "map":
    case "args":
    case "ptr":
    case "any":
      return false;
    default:
      return isZero(t, v);
  }
}

/** `merge.Merge(left, right)`: returns the merged left value. */
export function mergeValue(
  t: GoType,
  left: GoValue,
  right: GoValue,
  replace = false,
  overwrite = false,
): GoValue {
  // types with their own Merge method
  if (t.k === "slice" && t.keyed) {
    if (right === undefined) return left;
    const list = [...((left as GoValue[] | undefined) ?? [])];
    for (const r of right as GoValue[]) {
      const idx = list.findIndex((l) => (t.keyed as (a: GoValue, b: GoValue) => boolean)(l, r));
      if (idx >= 0) {
        const elemType = t.of.k === "ptr" ? t.of.of : t.of;
        list[idx] = mergeValue(elemType, list[idx], r, false, true);
      } else list.push(r);
    }
    return list;
  }
  if (t.k === "args") {
    const r = (right as Record<string, GoValue> | undefined) ?? {};
    if (Object.keys(r).length === 0) return left;
    return { ...((left as Record<string, GoValue> | undefined) ?? {}), ...r };
  }
  switch (t.k) {
    case "ptr":
      if (right === undefined || right === null) return left;
      if (left === undefined || left === null) return right;
      return mergeValue(t.of, left, right, replace, true);
    case "any": {
      if (right === undefined || right === null) return left;
      if (left === undefined || left === null) return right;
      if (anyKind(left) !== anyKind(right))
        throw new GoValueError(`merge type mismatch left ${anyKind(left)} right ${anyKind(right)}`);
      return mergeValue(anyType(left), left, right, replace, true);
    }
    case "bytes":
    case "slice":
      if (right === undefined) return left;
      if (replace || t.k === "bytes") return right;
      if (left === undefined && (right as GoValue[]).length === 0) return [];
      return [...((left as GoValue[] | undefined) ?? []), ...(right as GoValue[])];
    case "map": {
      if (right === undefined) return left;
      if (replace) return right;
      const out: Record<string, GoValue> = { ...((left as Record<string, GoValue> | undefined) ?? {}) };
      for (const [key, rv] of Object.entries(right as Record<string, GoValue>)) {
        const lv = out[key];
        if (key in out && !isNilOrZeroMapValue(lv)) {
          if (t.of.k === "any") {
            if (anyKind(lv) !== anyKind(rv))
              throw new GoValueError(`merge type mismatch left ${anyKind(lv)} right ${anyKind(rv)}`);
            out[key] = mergeValue(anyType(lv), lv, rv, false, false);
          } else out[key] = mergeValue(t.of, lv, rv, false, false);
        } else out[key] = rv;
      }
      return out;
    }
    case "struct": {
      if (replace) return reflectIsZero(t, right) ? left : right;
      const l = { ...((left as GoStruct | undefined) ?? {}) };
      const r = (right as GoStruct | undefined) ?? {};
      for (const f of t.fields) {
        const merged = mergeValue(f.type, l[f.go], r[f.go], f.replace === true, false);
        if (merged === undefined) delete l[f.go];
        else l[f.go] = merged;
      }
      return l;
    }
    default: {
      if (t.k !== "bool" && isZero(t, right) && !overwrite) return left;
      return right === undefined ? zeroValue(t) : right;
    }
  }
}

// ---------------------------------------------------------------- $patch: delete (Talos' selectors)

/** Delete what `path` names; `key`/`value` pick a list element. Throws "lookup failed" like Talos. */
export function deleteForPath(
  t: GoType,
  holder: { v: GoValue },
  path: string[],
  key: string,
  value: string,
): void {
  if (path.length === 0) throw new GoValueError("path is empty");
  if (t.k === "ptr" || t.k === "any") {
    if (holder.v === undefined || holder.v === null) throw new GoValueError("lookup failed");
    if (t.k === "ptr") {
      deleteForPath(t.of, holder, path, key, value);
      return;
    }
  }
  const [searchFor = "", ...rest] = path;
  if (t.k === "struct") {
    const obj = (holder.v as GoStruct | undefined) ?? {};
    for (const f of t.fields) {
      if (f.name === searchFor && !f.inline) {
        if (rest.length === 0) {
          delete obj[f.go];
          holder.v = obj;
          return;
        }
        const inner = { v: obj[f.go] };
        deleteForPath(f.type, inner, rest, key, value);
        obj[f.go] = inner.v;
        holder.v = obj;
        return;
      }
      if (f.inline) {
        const inner = { v: obj[f.go] };
        try {
          deleteForPath(f.type, inner, path, key, value);
          obj[f.go] = inner.v;
          return;
        } catch (e) {
          if (!(e instanceof GoValueError && e.message === "lookup failed")) throw e;
        }
      }
    }
    throw new GoValueError("lookup failed");
  }
  if (
    t.k === "map" ||
    t.k === "args" ||
    (t.k === "any" && typeof holder.v === "object" && !Array.isArray(holder.v))
  ) {
    const obj = holder.v as Record<string, GoValue> | undefined;
    if (obj && searchFor in obj) {
      if (rest.length === 0) {
        delete obj[searchFor];
        return;
      }
      const inner = { v: obj[searchFor] };
      deleteForPath(t.k === "map" ? t.of : { k: "any" }, inner, rest, key, value);
      obj[searchFor] = inner.v;
      return;
    }
    throw new GoValueError("lookup failed");
  }
  if (t.k === "slice") {
    if (rest.length !== 0) throw new GoValueError("searching for complex paths in slices is not supported");
    if (searchFor === "") throw new GoValueError("searching for '' in a slice is not supported");
    if (!searchFor.startsWith("["))
      throw new GoValueError("searching for non-integer keys in slices is not supported");
    const list = (holder.v as GoValue[] | undefined) ?? [];
    const elemType = t.of.k === "ptr" ? t.of.of : t.of;
    if (elemType.k === "struct") {
      for (let i = 0; i < list.length; i++) {
        const field = findField(elemType.fields, key);
        if (!field) continue;
        const fv = fieldValue(elemType.fields, list[i] as GoStruct, key);
        const text = typeof fv === "string" ? fv : fv === undefined ? "" : String(fv);
        if (text !== value) continue;
        holder.v = [...list.slice(0, i), ...list.slice(i + 1)];
        return;
      }
    }
    throw new GoValueError("lookup failed");
  }
  throw new GoValueError("lookup failed");
}

function findField(fields: ResolvedField[], name: string): ResolvedField | undefined {
  for (const f of fields) {
    if (!f.inline && f.name === name) return f;
    if (f.inline && f.type.k === "struct") {
      const inner = findField(f.type.fields, name);
      if (inner) return inner;
    }
  }
  return undefined;
}

function fieldValue(fields: ResolvedField[], obj: GoStruct | undefined, name: string): GoValue {
  for (const f of fields) {
    if (!f.inline && f.name === name) return obj?.[f.go];
    if (f.inline && f.type.k === "struct") {
      const v = fieldValue(f.type.fields, obj?.[f.go] as GoStruct | undefined, name);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}
