import type { YamlDocument } from "@homeops/core";
import type { BuiltObject, ObjectPath, SourcePosition } from "../types.js";

export type Obj = Record<string, unknown>;

/**
 * A patch applied to a resource: a patch file's document (exact field positions), or an inline patch's
 * value / JSON 6902 target paths located at the patch entry.
 */
export type PatchTrace =
  | { kind: "doc"; doc: YamlDocument }
  | { kind: "inline"; value: unknown; at: SourcePosition }
  | { kind: "json"; paths: (string | number)[][]; at: SourcePosition };

/** A resource inside a build: the mutable object plus what is needed for provenance and locations. */
export interface Res {
  obj: Obj;
  /** Where the object was declared (or generated). */
  origin: SourcePosition;
  /** The source document, when the object was read from a file. */
  doc?: YamlDocument;
  /** Where the object sits inside `doc` (e.g. `["items", 2]` for a `List` item); empty by default. */
  docPath?: (string | number)[];
  /** Patches that changed it, oldest first (for field locations). */
  patchDocs: PatchTrace[];
  chain: string[];
  /** Generated object that wants the kustomize hash suffix at the end of the build. */
  needsHash?: boolean;
  /** `ConfigMapGenerator` / `SecretGenerator` for generated objects (for origin annotations). */
  generatedBy?: string;
  /** Generator behavior (`create`/`merge`/`replace`). */
  behavior?: string;
  /** Every (kind, namespace, name) the resource had, for matching patches and name references. */
  previous: { name: string; namespace: string }[];
  /** Where an unpatched field is, for an object that already had positions (see `kustomizeObjects`). */
  base?: (path: ObjectPath) => SourcePosition;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function cloneRes(r: Res): Res {
  return {
    ...r,
    obj: clone(r.obj),
    patchDocs: [...r.patchDocs],
    chain: [...r.chain],
    previous: [...r.previous],
  };
}

export function meta(o: Obj): Obj {
  let m = o.metadata;
  if (!isObj(m)) {
    m = {};
    o.metadata = m;
  }
  return m as Obj;
}

export function getName(o: Obj): string {
  const m = o.metadata;
  return isObj(m) && typeof m.name === "string" ? m.name : "";
}

export function getNamespace(o: Obj): string {
  const m = o.metadata;
  return isObj(m) && typeof m.namespace === "string" ? m.namespace : "";
}

export function getKind(o: Obj): string {
  return typeof o.kind === "string" ? o.kind : "";
}

export function getApiVersion(o: Obj): string {
  return typeof o.apiVersion === "string" ? o.apiVersion : "";
}

export function groupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function stringMap(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (val !== null && val !== undefined) out[k] = String(val);
  return out;
}

export function getPath(o: unknown, path: ObjectPath): unknown {
  let cur = o;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else if (isObj(cur)) cur = cur[String(seg)];
    else return undefined;
  }
  return cur;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// the resource each built object was frozen from: what the build cache saves of it (see build-cache.ts)
const RESOURCES = new WeakMap<BuiltObject, Res>();

/** The build resource `o` was frozen from (by `toBuiltObject`), if it was. */
export function resourceOf(o: BuiltObject): Res | undefined {
  return RESOURCES.get(o);
}

/** Freezes a build resource into the public shape. */
export function toBuiltObject(r: Res): BuiltObject {
  const built = freeze(r);
  RESOURCES.set(built, r);
  return built;
}

function freeze(r: Res): BuiltObject {
  const object = r.obj;
  const namespace = getNamespace(object);
  const origin = r.origin;
  const traces = [...r.patchDocs].reverse();
  const doc = r.doc;
  return {
    apiVersion: getApiVersion(object),
    kind: getKind(object),
    name: getName(object),
    ...(namespace ? { namespace } : {}),
    object,
    provenance: { ...origin, chain: r.chain },
    locate(path: ObjectPath): SourcePosition {
      const want = getPath(object, path);
      for (const t of traces) {
        if (t.kind === "doc") {
          const at = t.doc.locate(path);
          if (at.exact && sameValue(getPath(t.doc.value, path), want)) {
            return { file: t.doc.file, line: at.line, column: at.column };
          }
        } else if (t.kind === "inline") {
          const v = getPath(t.value, path);
          if (v !== undefined && sameValue(v, want)) return { ...t.at };
        } else if (
          t.paths.some((p) => p.length <= path.length && p.every((seg, i) => String(seg) === String(path[i])))
        ) {
          return { ...t.at };
        }
      }
      if (r.base) return r.base(path);
      if (doc) {
        const at = doc.locate([...(r.docPath ?? []), ...path]);
        if (at.exact) return { file: doc.file, line: at.line, column: at.column };
      }
      return { file: origin.file, line: origin.line, column: origin.column };
    },
  };
}

/** Path of the first NaN/±Infinity number in `v` (JSON cannot carry them: Flux fails such objects). */
export function findNonFinite(v: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? undefined : path;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = findNonFinite(v[i], [...path, i]);
      if (found) return found;
    }
  } else if (isObj(v)) {
    for (const [k, val] of Object.entries(v)) {
      const found = findNonFinite(val, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}
