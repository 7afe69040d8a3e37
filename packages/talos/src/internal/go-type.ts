/**
 * A model of the Go types Talos decodes machine configs into, enough to reproduce what Go's reflection
 * does with them: yaml.v4 decoding (known fields only), encoding (field order, omitempty, nil vs empty),
 * Talos' `merge.Merge` and its `$patch: delete` selectors. The facts (fields, tags, methods) come from
 * Talos' source through scripts/generate-talos-types.mjs; the behaviour is written here.
 */

/** One field of a Go struct. */
export interface GoField {
  /** yaml key ("" for an inline embedded struct) */
  name: string;
  /** Go field name */
  go: string;
  /** Go type expression, relative to the struct's package */
  type: string;
  omitempty?: boolean;
  inline?: boolean;
  flow?: boolean;
  /** `merge:"replace"` */
  replace?: boolean;
}

export type GoTypeDecl =
  | { kind: "struct"; fields: GoField[]; methods?: string[] }
  | { kind: "named"; of: string; methods?: string[] };

export type GoTypeTable = Record<string, GoTypeDecl>;

/** Resolved type. */
export type GoType =
  | { k: "string" }
  | { k: "bool" }
  | { k: "int" }
  | { k: "float" }
  | { k: "any" }
  | { k: "text"; name: string }
  | { k: "bytes" }
  | { k: "ptr"; of: GoType }
  | { k: "slice"; of: GoType; name?: string; keyed?: KeyedMerge }
  | { k: "map"; of: GoType; name?: string; copyMerge?: boolean }
  | { k: "struct"; name: string; fields: ResolvedField[] }
  | { k: "args" };

/** How a list type with its own `Merge` finds the element to merge into. */
export type KeyedMerge = (left: GoValue, right: GoValue) => boolean;

export interface ResolvedField extends Omit<GoField, "type"> {
  type: GoType;
}

/** A decoded value. Structs are objects keyed by Go field name; absent means the Go zero value. */
export type GoValue = unknown;
export type GoStruct = Record<string, GoValue>;

const scalarKinds: Record<string, GoType> = {
  string: { k: "string" },
  bool: { k: "bool" },
  int: { k: "int" },
  int8: { k: "int" },
  int16: { k: "int" },
  int32: { k: "int" },
  int64: { k: "int" },
  uint: { k: "int" },
  uint8: { k: "int" },
  uint16: { k: "int" },
  uint32: { k: "int" },
  uint64: { k: "int" },
  float32: { k: "float" },
  float64: { k: "float" },
  any: { k: "any" },
  "interface{}": { k: "any" },
};

/** Types from outside the config packages, by what their marshalling makes of them. */
const externalTypes: Record<string, GoType> = {
  "time.Duration": { k: "text", name: "time.Duration" },
  "url.URL": { k: "text", name: "url.URL" },
  "netip.Addr": { k: "text", name: "netip.Addr" },
  "netip.AddrPort": { k: "text", name: "netip.AddrPort" },
  "netip.Prefix": { k: "text", name: "netip.Prefix" },
  "cel.Expression": { k: "text", name: "cel.Expression" },
  "os.FileMode": { k: "int" },
  "x509.PEMEncodedCertificateAndKey": {
    k: "struct",
    name: "x509.PEMEncodedCertificateAndKey",
    fields: [
      { name: "crt", go: "Crt", type: { k: "string" } },
      { name: "key", go: "Key", type: { k: "string" } },
    ],
  },
  "x509.PEMEncodedCertificate": {
    k: "struct",
    name: "x509.PEMEncodedCertificate",
    fields: [{ name: "crt", go: "Crt", type: { k: "string" } }],
  },
  "x509.PEMEncodedKey": {
    k: "struct",
    name: "x509.PEMEncodedKey",
    fields: [{ name: "key", go: "Key", type: { k: "string" } }],
  },
};

function fieldEquals(goField: string): KeyedMerge {
  return (l, r) => {
    const a = (l as GoStruct | undefined)?.[goField] ?? "";
    const b = (r as GoStruct | undefined)?.[goField] ?? "";
    return a === b;
  };
}

/** List types whose Go `Merge` matches elements by a key (the rest append). */
const keyedLists: Record<string, KeyedMerge> = {
  "v1alpha1.NetworkDeviceList": (l, r) => {
    const left = l as GoStruct;
    const right = r as GoStruct;
    if (right.DeviceInterface) return left.DeviceInterface === right.DeviceInterface;
    if (right.DeviceSelector !== undefined)
      return left.DeviceSelector !== undefined && deepEqual(left.DeviceSelector, right.DeviceSelector);
    return false;
  },
  "v1alpha1.VlanList": fieldEquals("VlanID"),
  "v1alpha1.AdmissionPluginConfigList": fieldEquals("PluginName"),
  "extensions.ConfigFileList": fieldEquals("ConfigFileMountPath"),
};

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Resolves Go type expressions against the table (memoised; recursive types are fine). */
export class GoTypes {
  readonly #table: GoTypeTable;
  readonly #cache = new Map<string, GoType>();

  constructor(table: GoTypeTable) {
    this.#table = table;
  }

  /** The type named `pkg.Name`. */
  named(qualified: string): GoType {
    return this.resolve(qualified, qualified.split(".")[0] ?? "");
  }

  resolve(expr: string, pkg: string): GoType {
    if (expr.startsWith("*")) return { k: "ptr", of: this.resolve(expr.slice(1), pkg) };
    if (expr.startsWith("[]")) {
      const of = expr.slice(2);
      if (of === "byte" || of === "uint8") return { k: "bytes" };
      return { k: "slice", of: this.resolve(of, pkg) };
    }
    const map = /^map\[([\w.]+)\](.+)$/.exec(expr);
    if (map) return { k: "map", of: this.resolve(map[2] ?? "", pkg) };
    const scalar = scalarKinds[expr];
    if (scalar) return scalar;
    const qualified = expr.includes(".") ? expr : `${pkg}.${expr}`;
    const external = externalTypes[qualified];
    if (external) return external;
    const cached = this.#cache.get(qualified);
    if (cached) return cached;
    return this.#declare(qualified);
  }

  #declare(qualified: string): GoType {
    const [pkg = ""] = qualified.split(".");
    const decl = this.#table[qualified];
    if (!decl) return { k: "text", name: qualified };
    const methods = new Set(decl.methods ?? []);
    if (qualified === "v1alpha1.Args") {
      const t: GoType = { k: "args" };
      this.#cache.set(qualified, t);
      return t;
    }
    if (qualified === "v1alpha1.Unstructured") {
      const t: GoType = { k: "map", of: { k: "any" }, name: qualified };
      this.#cache.set(qualified, t);
      return t;
    }
    if (qualified === "v1alpha1.Base64Bytes") return { k: "bytes" };
    if (qualified === "v1alpha1.Endpoint" || qualified === "meta.URL") return { k: "text", name: qualified };
    if (methods.has("MarshalText") || methods.has("MarshalYAML")) {
      if (decl.kind === "named" && /int|^os\.FileMode/.test(decl.of)) return { k: "int" };
      if (decl.kind === "struct" && !methods.has("MarshalText") && qualified !== "v1alpha1.ArgValue") {
        // custom YAML marshalling of a struct (e.g. a size matcher, a port range): opaque
        return { k: "any" };
      }
      return { k: "text", name: qualified };
    }
    if (decl.kind === "struct" && decl.fields.length === 1) {
      // a struct embedding one marshalling type (network.Addr embeds netip.Addr): it marshals as that type
      const only = decl.fields[0] as GoField;
      if (only.type.replace(/^\*/, "").split(".").pop() === only.go) {
        const inner = this.resolve(only.type, pkg);
        if (inner.k === "text") return { k: "text", name: qualified };
      }
    }
    if (decl.kind === "named") {
      const placeholder: GoType = { k: "any" };
      this.#cache.set(qualified, placeholder);
      const of = this.resolve(decl.of, pkg);
      const keyed = keyedLists[qualified];
      const resolved: GoType =
        of.k === "slice"
          ? { k: "slice", of: of.of, name: qualified, ...(keyed ? { keyed } : {}) }
          : of.k === "map"
            ? { k: "map", of: of.of, name: qualified }
            : of;
      Object.assign(placeholder, resolved);
      for (const key of Object.keys(placeholder)) {
        if (!(key in resolved)) delete (placeholder as Record<string, unknown>)[key];
      }
      return placeholder;
    }
    const struct: { k: "struct"; name: string; fields: ResolvedField[] } = {
      k: "struct",
      name: qualified,
      fields: [],
    };
    this.#cache.set(qualified, struct);
    for (const f of decl.fields) struct.fields.push({ ...f, type: this.resolve(f.type, pkg) });
    return struct;
  }
}

/** yaml.v3 `isZero`, which omitempty uses. */
export function isZero(t: GoType, v: GoValue): boolean {
  if (v === undefined || v === null) return true;
  switch (t.k) {
    case "string":
    case "text":
    case "bytes":
      return v === "";
    case "bool":
      return v === false;
    case "int":
    case "float":
      return v === 0;
    case "ptr":
      return false;
    case "slice":
      return (v as unknown[]).length === 0;
    case "map":
    case "args":
      return Object.keys(v as object).length === 0;
    case "struct":
      return t.fields.every((f) => isZero(f.type, (v as GoStruct)[f.go]));
    case "any":
      return false;
  }
}
