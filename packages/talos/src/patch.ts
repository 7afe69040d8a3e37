import { UserError } from "@homeops/core";
import jsonpatch from "fast-json-patch";
import { parse, parseAllDocuments } from "yaml";
import {
  type ConfigDocument,
  encodeConfig,
  type PatchDocument,
  parseConfig,
  strategicMerge,
} from "./internal/documents.js";
import { GoValueError, sortKeys, stringNode, type YNode } from "./internal/go-value.js";

/** A JSON6902 operation list. */
export interface JsonPatch {
  kind: "json6902";
  operations: jsonpatch.Operation[];
  /** where it came from, for messages */
  source?: string;
}

/** A strategic merge patch: documents (and `$patch: delete` selectors). */
export interface StrategicPatch {
  kind: "strategic";
  documents: PatchDocument[];
  source?: string;
}

export type TalosPatch = JsonPatch | StrategicPatch;

/** Thrown when a patch cannot be loaded or applied; the message is Talos' where Talos has one. */
export class TalosPatchError extends UserError {
  constructor(message: string, source?: string) {
    super("CONFIG_INVALID", message, {
      hint: "see https://www.talos.dev/latest/talos-guides/configuration/patching/",
      ...(source ? { location: { file: source } } : {}),
    });
  }
}

function wrap<T>(source: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GoValueError) throw new TalosPatchError(e.message, source);
    throw e;
  }
}

/** Talos' LoadPatch: a strategic merge patch when it decodes as a machine config, else a JSON6902 list. */
export function loadPatch(text: string, source?: string): TalosPatch {
  let strategicError: unknown;
  try {
    return {
      kind: "strategic",
      documents: parseConfig(text, { allowPatchDelete: true }),
      ...(source ? { source } : {}),
    };
  } catch (e) {
    strategicError = e;
  }
  let parsed: unknown;
  try {
    parsed = text.trimStart().startsWith("[") ? JSON.parse(text) : parse(text);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.every((op) => op !== null && typeof op === "object" && "op" in op)) {
    return { kind: "json6902", operations: parsed as jsonpatch.Operation[], ...(source ? { source } : {}) };
  }
  const message = strategicError instanceof Error ? strategicError.message : String(strategicError);
  throw new TalosPatchError(message, source);
}

/** Consecutive JSON patches are joined into one, as Talos' LoadPatches does. */
export function loadPatches(inputs: readonly { text: string; source?: string }[]): TalosPatch[] {
  const out: TalosPatch[] = [];
  for (const input of inputs) {
    const p = loadPatch(input.text, input.source);
    const last = out[out.length - 1];
    if (p.kind === "json6902" && last?.kind === "json6902") last.operations.push(...p.operations);
    else out.push(p);
  }
  return out;
}

type State = { bytes: string } | { docs: ConfigDocument[] };

/** Talos' configpatcher.Apply over a machine config given as text; returns the patched config text. */
export function applyPatches(config: string, patches: readonly TalosPatch[]): string {
  let state: State = { bytes: config };
  for (const patch of patches) {
    if (patch.kind === "json6902") {
      const current: State = state;
      const bytes: string = "bytes" in current ? current.bytes : encodeConfig(current.docs);
      state = { bytes: applyJson6902(bytes, patch) };
    } else {
      const current: State = state;
      const docs: ConfigDocument[] =
        "docs" in current
          ? current.docs
          : (wrap(undefined, () => parseConfig(current.bytes)) as ConfigDocument[]);
      state = { docs: wrap(patch.source, () => strategicMerge(docs, patch.documents)) };
    }
  }
  return "bytes" in state ? state.bytes : encodeConfig(state.docs);
}

function applyJson6902(bytes: string, patch: JsonPatch): string {
  const docs = parseAllDocuments(bytes);
  const count = (Array.isArray(docs) ? docs : [docs]).length;
  if (count !== 1)
    throw new TalosPatchError(
      "JSON6902 patches are not supported for multi-document machine configuration",
      patch.source,
    );
  const json = parse(bytes) as unknown;
  let result: unknown;
  try {
    result = jsonpatch.applyPatch(structuredClone(json), patch.operations, true, false).newDocument;
  } catch (e) {
    throw new TalosPatchError(
      `failure applying rfc6902 patches to talos machine config: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
      patch.source,
    );
  }
  // ghodss/yaml JSONToYAML: yaml.v2 with sorted keys, 2-space indent, sequences not indented
  return emitYaml2(plainNode(result));
}

function plainNode(v: unknown): YNode {
  if (v === null || v === undefined) return { k: "scalar", text: "null" };
  if (typeof v === "string") return stringNode(v);
  if (typeof v === "number" || typeof v === "boolean") return { k: "scalar", text: String(v) };
  if (Array.isArray(v)) return { k: "seq", items: v.map(plainNode) };
  const obj = v as Record<string, unknown>;
  return { k: "map", entries: sortKeys(Object.keys(obj)).map((key) => [key, plainNode(obj[key])]) };
}

function emitYaml2(node: YNode): string {
  const out: string[] = [];
  const emit = (n: YNode, col: number, prefix: string | undefined) => {
    const pad = " ".repeat(col);
    if (n.k === "scalar") {
      if (n.literal !== undefined)
        out.push(`${prefix ?? pad}|-`, ...n.literal.split("\n").map((l) => `${pad}  ${l}`));
      else out.push((prefix ?? pad) + n.text);
      return;
    }
    if (n.k === "seq") {
      if (n.items.length === 0) {
        out.push(`${prefix ?? pad}[]`);
        return;
      }
      n.items.forEach((item, i) => {
        emitItem(item, col, i === 0 ? prefix : undefined);
      });
      return;
    }
    if (n.entries.length === 0) {
      out.push(`${prefix ?? pad}{}`);
      return;
    }
    n.entries.forEach(([k, v], i) => {
      const head = `${i === 0 && prefix !== undefined ? prefix : pad}${k}:`;
      if (v.k === "scalar" && v.literal === undefined) out.push(`${head} ${v.text}`);
      else if ((v.k === "map" && v.entries.length === 0) || (v.k === "seq" && v.items.length === 0))
        out.push(`${head} ${v.k === "map" ? "{}" : "[]"}`);
      else if (v.k === "seq") {
        out.push(head);
        emit(v, col, undefined);
      } else {
        out.push(head);
        emit(v, col + 2, undefined);
      }
    });
  };
  const emitItem = (item: YNode, col: number, prefix: string | undefined) => {
    const dash = `${prefix ?? " ".repeat(col)}- `;
    if (item.k === "map" && item.entries.length > 0) emit(item, col + 2, dash);
    else if (item.k === "scalar") out.push(dash + item.text);
    else emit(item, col + 2, dash);
  };
  emit(node, 0, undefined);
  return `${out.join("\n")}\n`;
}

/** Patch a machine config text with patch texts (Talos' `--config-patch` semantics). */
export function patchConfig(config: string, patches: readonly { text: string; source?: string }[]): string {
  return applyPatches(config, loadPatches(patches));
}
