// kustomize `replacements` (api/filters/replacement): copy a field of one source object into fields of
// selected targets; field paths are dotted with `[key=value]` list filters and `*` wildcards.
import type { Finding } from "@homeops/core";
import type { SourcePosition } from "../types.js";
import { clone, getKind, getName, getNamespace, groupVersion, isObj, type Obj, type Res } from "./res.js";
import { matchesSelector, toSelector } from "./select.js";

export function splitFieldPath(path: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (const c of path) {
    if (c === "[") depth++;
    if (c === "]") depth--;
    if (c === "." && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out.filter((s) => s !== "");
}

function segmentMatch(seg: string): { key: string; value: string } | undefined {
  const m = /^\[([^=\]]+)=(.*)\]$/.exec(seg);
  return m ? { key: m[1]!, value: m[2]! } : undefined;
}

function unbracket(seg: string): string {
  return seg.startsWith("[") && seg.endsWith("]") ? seg.slice(1, -1) : seg;
}

/** Every (holder, key) pair the path reaches; with `create`, missing maps are created. */
function resolve(
  o: unknown,
  segs: string[],
  create: boolean,
): { holder: Obj | unknown[]; key: string | number }[] {
  if (segs.length === 0) return [];
  const [seg, ...rest] = segs as [string, ...string[]];
  const last = rest.length === 0;
  if (Array.isArray(o)) {
    const match = segmentMatch(seg);
    let indexes: number[];
    if (seg === "*") indexes = o.map((_, i) => i);
    else if (match)
      indexes = o.flatMap((item, i) => (isObj(item) && String(item[match.key]) === match.value ? [i] : []));
    else if (/^\d+$/.test(seg)) indexes = Number(seg) < o.length ? [Number(seg)] : [];
    else if (seg === "-" && last && create) return [{ holder: o, key: o.length }];
    else indexes = [];
    if (last) return indexes.map((i) => ({ holder: o, key: i }));
    return indexes.flatMap((i) => resolve(o[i], rest, create));
  }
  if (!isObj(o)) return [];
  if (seg === "*") {
    const keys = Object.keys(o);
    if (last) return keys.map((k) => ({ holder: o, key: k }));
    return keys.flatMap((k) => resolve(o[k], rest, create));
  }
  const key = unbracket(seg);
  if (last) return key in o || create ? [{ holder: o, key }] : [];
  if (o[key] === undefined || o[key] === null) {
    if (!create) return [];
    o[key] = segmentMatch(rest[0]!) || rest[0] === "-" ? [] : {};
  }
  return resolve(o[key], rest, create);
}

function getField(o: Obj, path: string): unknown[] {
  return resolve(o, splitFieldPath(path), false).map(({ holder, key }) =>
    Array.isArray(holder) ? holder[key as number] : (holder as Obj)[key as string],
  );
}

export function applyReplacements(ra: Res[], rep: Obj, at: SourcePosition): Finding[] {
  const findings: Finding[] = [];
  const fail = (message: string): Finding[] => {
    findings.push({
      ruleId: "build/replacement-failed",
      severity: "error",
      message,
      file: at.file,
      line: at.line,
      column: at.column,
    });
    return findings;
  };
  const source = isObj(rep.source) ? rep.source : undefined;
  if (!source) return fail("replacement has no source");
  const sources = ra.filter((r) => {
    const { group, version } = groupVersion(String(r.obj.apiVersion ?? ""));
    if (typeof source.kind === "string" && source.kind !== getKind(r.obj)) return false;
    if (typeof source.group === "string" && source.group !== group) return false;
    if (typeof source.version === "string" && source.version !== version) return false;
    if (
      typeof source.name === "string" &&
      source.name !== getName(r.obj) &&
      !r.previous.some((p) => p.name === source.name)
    ) {
      return false;
    }
    if (typeof source.namespace === "string" && source.namespace !== getNamespace(r.obj)) return false;
    return true;
  });
  if (sources.length !== 1) {
    return fail(
      `replacement source ${JSON.stringify(source)} matches ${sources.length} resources, expected exactly one`,
    );
  }
  const fieldPath = typeof source.fieldPath === "string" ? source.fieldPath : "metadata.name";
  const found = getField(sources[0]!.obj, fieldPath);
  if (found.length === 0) return fail(`replacement source field '${fieldPath}' not found`);
  let value = clone(found[0]);
  const sopts = isObj(source.options) ? source.options : {};
  if (typeof sopts.delimiter === "string" && typeof value === "string") {
    const parts = value.split(sopts.delimiter);
    const index = typeof sopts.index === "number" ? sopts.index : 0;
    if (index < 0 || index >= parts.length)
      return fail(`options.index ${index} is out of bounds for value ${value}`);
    value = parts[index];
  }
  for (const target of Array.isArray(rep.targets) ? rep.targets : []) {
    if (!isObj(target)) continue;
    const select = toSelector(target.select);
    if (!select) return fail("replacement target needs `select`");
    const rejects = (Array.isArray(target.reject) ? target.reject : [])
      .map(toSelector)
      .filter((s) => s !== undefined);
    const topts = isObj(target.options) ? target.options : {};
    for (const r of ra) {
      if (!matchesSelector(r, select)) continue;
      if (rejects.some((s) => matchesSelector(r, s))) continue;
      for (const fp of Array.isArray(target.fieldPaths) ? target.fieldPaths : []) {
        const slots = resolve(r.obj, splitFieldPath(String(fp)), topts.create === true);
        if (slots.length === 0) {
          if (topts.create === true) continue;
          return fail(
            `unable to find field "${String(fp)}" in replacement target ${getKind(r.obj)}/${getName(r.obj)}`,
          );
        }
        for (const { holder, key } of slots) {
          let next: unknown = clone(value);
          if (typeof topts.delimiter === "string") {
            const current = Array.isArray(holder) ? holder[key as number] : (holder as Obj)[key as string];
            const parts = typeof current === "string" ? current.split(topts.delimiter) : [];
            const index = typeof topts.index === "number" ? topts.index : 0;
            if (index >= parts.length) {
              while (parts.length < index) parts.push("");
              parts.push(String(value));
            } else if (index < 0) parts.unshift(String(value));
            else parts[index] = String(value);
            next = parts.join(topts.delimiter);
          }
          if (Array.isArray(holder)) holder[key as number] = next;
          else (holder as Obj)[key as string] = next;
        }
        r.chain.push(`replacement ${at.file}:${at.line}`);
      }
    }
  }
  return findings;
}
