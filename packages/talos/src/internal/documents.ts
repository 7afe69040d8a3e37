import { isMap, isScalar, isSeq, type Node, parseAllDocuments, type YAMLMap } from "yaml";
import { type GoStruct, type GoType, GoTypes, type GoValue } from "./go-type.js";
import { documentKinds, goTypes } from "./go-types.generated.js";
import { decodeNode, deleteForPath, emitYaml, GoValueError, mergeValue, toYNode } from "./go-value.js";

export const types = new GoTypes(goTypes);

/** One machine-config document: the legacy `v1alpha1` one or a typed document. */
export interface ConfigDocument {
  /** "" for the v1alpha1 document */
  apiVersion: string;
  /** "v1alpha1" for the legacy document */
  kind: string;
  /** set for named documents (those with a `name` field) */
  name?: string;
  type: GoType;
  value: GoStruct;
}

/** A `$patch: delete` selector (Talos' configloader selector). */
export interface DeleteSelector {
  selector: true;
  apiVersion: string;
  kind: string;
  name?: string;
  path: string[];
  key: string;
  value: string;
}

export type PatchDocument = ConfigDocument | DeleteSelector;

export function documentId(d: { apiVersion: string; kind: string; name?: string | undefined }): string {
  return `${d.apiVersion}/${d.kind}${d.name !== undefined ? `/${d.name}` : ""}`;
}

function findValue(node: YAMLMap, key: string): string {
  for (const pair of node.items) {
    const k = pair.key as Node;
    if (isScalar(k) && String(k.value) === key) {
      const v = pair.value as Node;
      return isScalar(v) && v.value !== null ? String(v.value) : "";
    }
  }
  return "";
}

function hasField(t: GoType, name: string): boolean {
  if (t.k !== "struct") return false;
  return t.fields.some((f) => (f.inline ? hasField(f.type, name) : f.name === name));
}

export function documentType(apiVersion: string, kind: string): GoType {
  if (kind === "v1alpha1" && apiVersion === "") return types.named("v1alpha1.Config");
  const qualified = apiVersion === "v1alpha1" ? documentKinds[kind] : undefined;
  if (!qualified) throw new GoValueError(`unknown document kind ${kind} apiVersion ${apiVersion}`);
  return types.named(qualified);
}

const legacyKeys = new Set(["machine", "cluster", "debug", "persist"]);

/** Talos' decode of one mapping into a document. */
function decodeDocument(root: YAMLMap): ConfigDocument {
  let apiVersion = findValue(root, "apiVersion");
  let kind = findValue(root, "kind");
  let version = apiVersion;
  for (const pair of root.items) {
    const k = pair.key as Node;
    if (isScalar(k) && legacyKeys.has(String(k.value))) version = "v1alpha1";
  }
  if (version === "v1alpha1" && kind === "") {
    apiVersion = "";
    kind = "v1alpha1";
  } else if (kind === "") throw new GoValueError("missing kind");
  else if (version === "") throw new GoValueError("missing apiVersion");
  const type = documentType(apiVersion, kind);
  const value = (decodeNode(type, root, kind) as GoStruct | undefined) ?? {};
  const name = hasField(type, "name") ? findValue(root, "name") : undefined;
  return { apiVersion, kind, ...(name !== undefined ? { name } : {}), type, value };
}

// ----------------------------------------------------------------- $patch: delete extraction

interface Yielded {
  path: string[];
  parentIsSeq: boolean;
  node: YAMLMap;
}

function isPatchDelete(node: YAMLMap): boolean {
  return node.items.some((p) => {
    const k = p.key as Node;
    const v = p.value as Node;
    return isScalar(k) && k.value === "$patch" && isScalar(v) && v.value === "delete";
  });
}

/** Walks like Talos' processNode: returns [continue, delete this node]. */
function processNode(node: Node | null, path: string[], parentIsSeq: boolean, found: Yielded[]): boolean {
  if (node === null || node === undefined) return false;
  if (isMap(node)) {
    if (isPatchDelete(node)) {
      if (!parentIsSeq && path.some((p) => p.startsWith("[")))
        throw new GoValueError(`cannot delete an inner key in '${path.join(".")}'`);
      found.push({ path: [...path], parentIsSeq, node });
      return true;
    }
    for (let i = 0; i < node.items.length; i++) {
      const pair = node.items[i];
      if (!pair) continue;
      const key = isScalar(pair.key) ? String((pair.key as { value: unknown }).value) : "";
      if (processNode(pair.value as Node, [...path, key], false, found)) {
        node.items.splice(i, 1);
        i--;
        if (node.items.length === 0) return true;
      }
    }
    return false;
  }
  if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      if (processNode(node.items[i] as Node, [...path, `[${i}]`], true, found)) {
        node.items.splice(i, 1);
        i--;
        if (node.items.length === 0) return true;
      }
    }
  }
  return false;
}

function isEmptyDoc(root: YAMLMap): boolean {
  return root.items.every((p) => {
    const k = p.key as Node;
    const v = p.value as Node;
    return isScalar(k) && isScalar(v) && ["version", "kind", "name"].includes(String(k.value));
  });
}

function makeSelector(root: YAMLMap, y: Yielded): DeleteSelector {
  let apiVersion = findValue(root, "apiVersion");
  let kind = findValue(root, "kind");
  if (y.path.length === 0 && (apiVersion === "" || kind === ""))
    throw new GoValueError(
      `missing ${apiVersion === "" ? "apiVersion" : "kind"} in document for which $patch: delete is used`,
    );
  if (kind === "" && apiVersion === "") kind = "v1alpha1";
  else if (kind === "" || apiVersion === "")
    throw new GoValueError(`kind and apiVersion must be both set for path ${y.path.join(".")}`);
  let key = "";
  let value = "";
  if (y.parentIsSeq) {
    const pair = y.node.items.find(
      (p) => !(isScalar(p.key) && (p.key as { value: unknown }).value === "$patch"),
    );
    if (!pair) throw new GoValueError(`no key:val found in sequence node for path ${y.path.join(".")}`);
    key = String((pair.key as { value: unknown }).value);
    value = isScalar(pair.value) ? String((pair.value as { value: unknown }).value) : "";
  }
  const name = findValue(root, "name");
  if (kind === "v1alpha1") apiVersion = apiVersion || "";
  return { selector: true, apiVersion, kind, ...(name !== "" ? { name } : {}), path: y.path, key, value };
}

export interface ParseOptions {
  allowPatchDelete?: boolean;
}

/** Parse a (multi-document) machine config, as Talos' configloader does. */
export function parseConfig(text: string, options: ParseOptions = {}): PatchDocument[] {
  const docs = parseAllDocuments(text, { keepSourceTokens: true, uniqueKeys: true });
  const out: PatchDocument[] = [];
  const seen = new Set<string>();
  for (const doc of (Array.isArray(docs) ? docs : [docs]) as ReturnType<typeof parseAllDocuments> &
    unknown[]) {
    const d = doc as { errors: { message: string }[]; contents: Node | null };
    if (d.errors.length > 0) throw new GoValueError(`decode error: ${d.errors[0]?.message}`);
    const root = d.contents;
    if (root === null || (isScalar(root) && root.value === null)) continue;
    if (!isMap(root)) throw new GoValueError("expected a YAML document");
    if (options.allowPatchDelete) {
      const found: Yielded[] = [];
      const deleteAll = processNode(root, [], false, found);
      for (const y of found) out.push(makeSelector(root, y));
      if (deleteAll || isEmptyDoc(root)) continue;
    }
    const decoded = decodeDocument(root);
    const id = documentId(decoded);
    if (seen.has(id)) throw new GoValueError(`duplicate document ${id} is not allowed`);
    seen.add(id);
    out.push(decoded);
  }
  return out;
}

/** Encode documents as Talos does with comments disabled: each yaml.Marshal'd, joined by `---`. */
export function encodeConfig(docs: readonly ConfigDocument[]): string {
  return docs.map((d) => emitYaml(toYNode(d.type, d.value))).join("---\n");
}

function applySelector(doc: ConfigDocument, sel: DeleteSelector): "zeroed" | undefined {
  const where = `'${sel.path.join(".")}' in document '${doc.apiVersion}/${doc.kind}'`;
  if (sel.path.length === 0) {
    if (doc.kind === "v1alpha1") throw new GoValueError("can't delete the root of the legacy document");
    return "zeroed";
  }
  const holder = { v: doc.value as GoValue };
  try {
    deleteForPath(doc.type, holder, sel.path, sel.key, sel.value);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const inner = `patch delete: path ${where}: failed to delete path '${sel.path.join(".")}': ${message}`;
    throw new GoValueError(
      sel.name !== undefined ? `named patch delete: document ${doc.apiVersion}/${doc.kind}: ${inner}` : inner,
    );
  }
  doc.value = (holder.v as GoStruct | undefined) ?? {};
  return undefined;
}

/** Talos' StrategicMerge over documents. */
export function strategicMerge(left: ConfigDocument[], right: readonly PatchDocument[]): ConfigDocument[] {
  let out = left.map((d) => ({ ...d, value: structuredClone(d.value) }));
  for (const r of right) {
    const id = documentId(r);
    const l = out.find((d) => documentId(d) === id);
    if (!l) {
      if ("selector" in r) continue;
      out.push({ ...r, value: structuredClone(r.value) });
      continue;
    }
    if ("selector" in r) {
      if (applySelector(l, r) === "zeroed") out = out.filter((d) => d !== l);
      continue;
    }
    l.value = mergeValue(l.type, l.value, structuredClone(r.value), false, true) as GoStruct;
  }
  return out;
}
