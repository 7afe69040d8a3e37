import { stringifyYaml } from "@homeops/core";
import { createTwoFilesPatch } from "diff";

/** One changed field of an object (the path is dotted; list items matched by name read `[name=app]`). */
export interface FieldChange {
  path: string;
  action: "added" | "removed" | "changed";
  /** the value before, as one line of YAML (absent when added or hidden) */
  before?: string;
  /** the value after, as one line of YAML (absent when removed or hidden) */
  after?: string;
  /** a Secret's data (or a SOPS-encrypted value): the value is never shown */
  hidden?: true;
}

/** A field change with the path to it in the head object (indexes, not names), where it exists there. */
export interface LocatedChange extends FieldChange {
  at: (string | number)[];
}

/** What a redacted value reads as in the unified diff. */
export const HIDDEN = "(hidden)";

type Json = unknown;

function isMap(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function keyPath(parent: string, key: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
  if (parent === "") return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** `[name=x]` keys of a list whose items are all maps with a distinct string `name`; else undefined. */
function namedKeys(list: readonly Json[]): string[] | undefined {
  const names: string[] = [];
  for (const item of list) {
    if (!isMap(item) || typeof item.name !== "string") return undefined;
    names.push(item.name);
  }
  return new Set(names).size === names.length ? names : undefined;
}

function oneLine(v: Json): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "~";
  const text = JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function equal(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The fields that differ between `before` and `after` (plain JSON values), leaves first-class: maps by
 * key, lists of named items by `name` (so a reordered or inserted container is not a change of every
 * later index), other lists by index. `isHidden(path)` marks values that are never shown.
 */
export function diffFields(
  before: Json,
  after: Json,
  isHidden: (path: readonly (string | number)[]) => boolean = () => false,
): LocatedChange[] {
  const out: LocatedChange[] = [];
  // `raw` is the path for isHidden; `at` the head's path (cut where the head has nothing)
  const walk = (a: Json, b: Json, path: string, raw: (string | number)[], at: (string | number)[]) => {
    if (equal(a, b)) return;
    const hidden = isHidden(raw) || isEncrypted(a) || isEncrypted(b);
    if (a === undefined || b === undefined) {
      const action = a === undefined ? "added" : "removed";
      out.push({
        path,
        action,
        at: b === undefined ? at.slice(0, -1) : at,
        ...(hidden
          ? { hidden: true as const }
          : a === undefined
            ? { after: oneLine(b) }
            : { before: oneLine(a) }),
      });
      return;
    }
    if (isMap(a) && isMap(b)) {
      const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
      for (const k of keys) walk(a[k], b[k], keyPath(path, k), [...raw, k], k in b ? [...at, k] : at);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const an = namedKeys(a);
      const bn = namedKeys(b);
      if (an && bn) {
        const names = [...an, ...bn.filter((n) => !an.includes(n))];
        for (const n of names) {
          const i = bn.indexOf(n);
          walk(
            a[an.indexOf(n)],
            b[i],
            `${path}[name=${n}]`,
            [...raw, `[name=${n}]`],
            i >= 0 ? [...at, i] : at,
          );
        }
        return;
      }
      for (let i = 0; i < Math.max(a.length, b.length); i++)
        walk(a[i], b[i], `${path}[${i}]`, [...raw, i], i < b.length ? [...at, i] : at);
      return;
    }
    out.push({
      path,
      action: "changed",
      at,
      ...(hidden ? { hidden: true as const } : { before: oneLine(a), after: oneLine(b) }),
    });
  };
  walk(before, after, "", [], []);
  return out;
}

function isEncrypted(v: Json): boolean {
  return typeof v === "string" && v.startsWith("ENC[");
}

/** true for an object whose values must never be printed: a Secret, or a SOPS-encrypted file's object. */
export function isSecretLike(object: Record<string, unknown> | undefined): boolean {
  if (!object) return false;
  return object.kind === "Secret" || isMap(object.sops);
}

/** The hidden paths of a secret-like object: a Secret's `data`/`stringData` values, SOPS `ENC[…]` values and metadata. */
export function hiddenPath(object: Record<string, unknown>): (path: readonly (string | number)[]) => boolean {
  const secret = object.kind === "Secret";
  const sops = isMap(object.sops);
  return (path) => {
    if (secret && (path[0] === "data" || path[0] === "stringData")) return true;
    if (sops && path[0] === "sops") return true;
    return false;
  };
}

/**
 * Copies of `before` and `after` with every hidden value replaced: equal values read `(hidden)` on both
 * sides, differing ones `(hidden) old value` / `(hidden) new value`, so the unified diff shows which keys changed and never a value.
 * SOPS `ENC[…]` strings are hidden wherever they are.
 */
export function redactPair(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): [Record<string, unknown> | undefined, Record<string, unknown> | undefined] {
  const probe = after ?? before;
  if (!probe || !(isSecretLike(before) || isSecretLike(after))) return [before, after];
  const hidden = hiddenPath(probe);
  const mark = (a: Json, b: Json): [Json, Json] =>
    equal(a, b)
      ? [HIDDEN, HIDDEN]
      : [a === undefined ? a : `${HIDDEN} old value`, b === undefined ? b : `${HIDDEN} new value`];
  const walk = (a: Json, b: Json, path: (string | number)[]): [Json, Json] => {
    // a hidden map (a Secret's data) is walked: its keys show, their values do not
    if (path.length > 0 && hidden(path) && !isMap(a) && !isMap(b)) return mark(a, b);
    if (isEncrypted(a) || isEncrypted(b)) return mark(a, b);
    if (isMap(a) || isMap(b)) {
      const am = isMap(a) ? a : undefined;
      const bm = isMap(b) ? b : undefined;
      const ra: Record<string, Json> = {};
      const rb: Record<string, Json> = {};
      const keys = [...Object.keys(am ?? {}), ...Object.keys(bm ?? {}).filter((k) => !am || !(k in am))];
      for (const k of keys) {
        const [x, y] = walk(am?.[k], bm?.[k], [...path, k]);
        if (am && k in am) ra[k] = x;
        if (bm && k in bm) rb[k] = y;
      }
      return [am ? ra : a, bm ? rb : b];
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const ra: Json[] = [];
      const rb: Json[] = [];
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const [x, y] = walk(a[i], b[i], [...path, i]);
        if (i < a.length) ra.push(x);
        if (i < b.length) rb.push(y);
      }
      return [ra, rb];
    }
    return [a, b];
  };
  const [ra, rb] = walk(before, after, []);
  return [ra as Record<string, unknown> | undefined, rb as Record<string, unknown> | undefined];
}

/** A unified diff of two (already redacted) objects as YAML, with `base/<label>` and `head/<label>` headers. */
export function unifiedDiff(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  label: string,
): string {
  const a = before ? stringifyYaml(before) : "";
  const b = after ? stringifyYaml(after) : "";
  // drop the `=====` banner line; keep the `---`/`+++` headers
  return createTwoFilesPatch(`base/${label}`, `head/${label}`, a, b, undefined, undefined, { context: 3 })
    .split("\n")
    .slice(1)
    .join("\n");
}
