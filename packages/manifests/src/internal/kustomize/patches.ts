// Stage 5, patches: patchesStrategicMerge, patches (strategic merge or JSON 6902, with target selectors;
// Flux's spec.patches after the directory's own) and patchesJson6902, and how patch files are read.
import type { YamlDocument } from "@homeops/core";
import jsonpatch from "fast-json-patch";
import type { SourcePosition } from "../../types.js";
import { joinPath } from "../files.js";
import { emptyValues, parseGoYaml } from "../go-yaml.js";
import type { Builder, KustomizationOverride } from "../kustomize.js";
import {
  clone,
  getApiVersion,
  getKind,
  getName,
  getNamespace,
  groupVersion,
  isObj,
  type Obj,
  type Res,
} from "../res.js";
import { matchesSelector, type Selector, toSelector } from "../select.js";
import { applyStrategicMerge } from "../smp.js";
import { err, firstLine, type Kustomization, pos } from "./common.js";
import { describe } from "./resources.js";

export interface LoadedPatch {
  json?: unknown[];
  smp: Obj[];
  doc: (p: Obj) => YamlDocument | undefined;
}

/** `patchesStrategicMerge`: each patch finds its target by id. */
export async function applyPatchesStrategicMerge(b: Builder, kust: Kustomization, ra: Res[]): Promise<void> {
  const { k, doc } = kust;
  const psm = Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : [];
  for (let i = 0; i < psm.length; i++) {
    const entry = psm[i];
    if (typeof entry !== "string") continue;
    const at = pos(doc, ["patchesStrategicMerge", i]);
    const loaded = await loadPatch(b, kust, entry, at, true);
    if (!loaded) continue;
    for (const p of loaded.smp) applySmpById(b, p, ra, at, loaded.doc(p));
  }
}

/** `patches` (the directory's own, then Flux's `spec.patches`). */
export async function applyPatches(
  b: Builder,
  kust: Kustomization,
  ra: Res[],
  override?: KustomizationOverride,
): Promise<void> {
  const { k, doc } = kust;
  const patches: { entry: unknown; at: SourcePosition; fromFlux: boolean }[] = [];
  (Array.isArray(k.patches) ? k.patches : []).forEach((entry, i) => {
    patches.push({ entry, at: pos(doc, ["patches", i]), fromFlux: false });
  });
  for (const p of override?.patches ?? [])
    patches.push({ entry: p, at: p.at ?? override!.origin, fromFlux: true });
  for (const { entry, at, fromFlux } of patches) {
    if (!isObj(entry)) {
      b.fail(err("build/invalid-patch", `${kust.file}: a patch must be a mapping`, at));
      continue;
    }
    const target = entry.target === undefined ? undefined : toSelector(entry.target);
    let loaded: LoadedPatch | undefined;
    if (typeof entry.path === "string" && typeof entry.patch === "string") {
      b.fail(err("build/invalid-patch", `${kust.file}: patch and path can't be set at the same time`, at));
      continue;
    }
    if (typeof entry.path === "string") loaded = await loadPatch(b, kust, entry.path, at, false);
    else if (typeof entry.patch === "string") loaded = parseInlinePatch(b, entry.patch, at);
    else {
      b.fail(err("build/invalid-patch", `${kust.file}: must specify one of patch and path`, at));
      continue;
    }
    if (!loaded) continue;
    const options = isObj(entry.options) ? entry.options : {};
    if (loaded.json) {
      if (!target) {
        b.fail(err("build/invalid-patch", `${kust.file}: must specify a target for JSON patch`, at));
        continue;
      }
      applyJson(b, loaded.json, target, ra, at, fromFlux);
    } else if (target) {
      if (loaded.smp.length > 1) {
        b.fail(
          err(
            "build/invalid-patch",
            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
            at,
          ),
        );
        continue;
      }
      const patch = loaded.smp[0];
      if (!patch) continue;
      const selected = ra.filter((r) => matchesSelector(r, target));
      if (selected.length === 0) warnNoMatch(b, at, target, fromFlux);
      for (const r of selected) applySmp(r, patch, at, loaded.doc(patch), options, ra);
    } else {
      for (const p of loaded.smp) applySmpById(b, p, ra, at, loaded.doc(p), options);
    }
  }
}

/** `patchesJson6902` (deprecated, still honoured). */
export async function applyPatchesJson6902(b: Builder, kust: Kustomization, ra: Res[]): Promise<void> {
  const { k, doc } = kust;
  const pj = Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : [];
  for (let i = 0; i < pj.length; i++) {
    const entry = pj[i];
    const at = pos(doc, ["patchesJson6902", i]);
    if (!isObj(entry)) continue;
    const target = toSelector(entry.target);
    let loaded: LoadedPatch | undefined;
    if (typeof entry.path === "string") loaded = await loadPatch(b, kust, entry.path, at, false);
    else if (typeof entry.patch === "string") loaded = parseInlinePatch(b, entry.patch, at);
    if (!loaded?.json || !target) {
      b.fail(
        err("build/invalid-patch", `${kust.file}: patchesJson6902 entry needs a target and a JSON patch`, at),
      );
      continue;
    }
    applyJson(b, loaded.json, target, ra, at);
  }
}

/** Flux-level patches are often generic defaults a parent injects everywhere: not matching is normal there. */
export function warnNoMatch(b: Builder, at: SourcePosition, target: Selector, fromFlux = false): void {
  b.findings.push({
    ruleId: "build/patch-no-match",
    severity: fromFlux ? "info" : "warning",
    message: `patch target ${JSON.stringify(target)} matches no resource (kustomize ignores such a patch)`,
    file: at.file,
    line: at.line,
    column: at.column,
  });
}

export function applySmpById(
  b: Builder,
  patch: Obj,
  ra: Res[],
  at: SourcePosition,
  pdoc: YamlDocument | undefined,
  options: Obj = {},
): void {
  const kind = getKind(patch);
  const name = getName(patch);
  const ns = getNamespace(patch);
  const { group, version } = groupVersion(getApiVersion(patch));
  const matches = ra.filter((r) => {
    const rv = groupVersion(getApiVersion(r.obj));
    if (getKind(r.obj) !== kind || rv.group !== group || rv.version !== version) return false;
    const names = [getName(r.obj), ...r.previous.map((p) => p.name)];
    const nss = [getNamespace(r.obj), ...r.previous.map((p) => p.namespace)].map((n) =>
      n === "" ? "default" : n,
    );
    return names.includes(name) && nss.includes(ns === "" ? "default" : ns);
  });
  if (matches.length === 0) {
    b.fail(
      err(
        "build/patch-no-match",
        `no resource matches strategic merge patch ${kind}/${ns ? `${ns}/` : ""}${name}`,
        at,
        "check the patch's apiVersion, kind, metadata.name and namespace",
      ),
    );
    return;
  }
  if (matches.length > 1) {
    b.fail(
      err("build/patch-ambiguous", `multiple resources match strategic merge patch ${kind}/${name}`, at),
    );
    return;
  }
  applySmp(matches[0]!, patch, at, pdoc, options, ra);
}

function applySmp(
  r: Res,
  patch: Obj,
  at: SourcePosition,
  pdoc: YamlDocument | undefined,
  options: Obj,
  ra: Res[],
): void {
  const name = getName(r.obj);
  const ns = getNamespace(r.obj);
  const kind = getKind(r.obj);
  const { group } = groupVersion(getApiVersion(r.obj));
  const p = clone(patch);
  delete p.apiVersion;
  const merged = applyStrategicMerge(r.obj, p, kind, group);
  if (merged === undefined || Object.keys(merged).length === 0) {
    const i = ra.indexOf(r);
    if (i >= 0) ra.splice(i, 1);
    return;
  }
  const allowName = options.allowNameChange === true;
  const allowKind = options.allowKindChange === true;
  if (allowName || allowKind) r.previous.push({ name, namespace: ns });
  r.obj = merged;
  dropEmptyValues(r);
  if (!allowKind) r.obj.kind = kind;
  const m = isObj(r.obj.metadata) ? r.obj.metadata : {};
  r.obj.metadata = m;
  if (!allowName) m.name = name;
  if (ns) m.namespace = ns;
  else delete m.namespace;
  r.patchDocs.push(pdoc ? { kind: "doc", doc: pdoc } : { kind: "inline", value: p, at });
  r.chain.push(`patch ${at.file}:${at.line}`);
}

export function applyJson(
  b: Builder,
  ops: unknown[],
  target: Selector,
  ra: Res[],
  at: SourcePosition,
  fromFlux = false,
): void {
  const selected = ra.filter((r) => matchesSelector(r, target));
  if (selected.length === 0) warnNoMatch(b, at, target, fromFlux);
  for (const r of selected) {
    try {
      const result = jsonpatch.applyPatch(
        clone(r.obj),
        clone(ops) as jsonpatch.Operation[],
        true,
        true,
      ).newDocument;
      if (!isObj(result)) throw new Error("patch result is not an object");
      r.obj = result;
      const paths = (ops as { op?: unknown; path?: unknown }[])
        .filter((o) => o.op !== "remove" && o.op !== "test" && typeof o.path === "string")
        .map((o) => pointerToPath(String(o.path)));
      r.patchDocs.push({ kind: "json", paths, at });
      r.chain.push(`patch ${at.file}:${at.line}`);
    } catch (e) {
      b.fail(
        err(
          "build/patch-failed",
          `JSON patch failed on ${describe(r)}: ${firstLine((e as Error).message)}`,
          at,
        ),
      );
    }
  }
}

export async function loadRaw(
  b: Builder,
  kust: Kustomization,
  path: string,
  at: SourcePosition,
): Promise<unknown[] | undefined> {
  const rel = joinPath(kust.dir, path);
  const loaded = await b.ctx.files.yaml(rel);
  if (!loaded.ok) {
    if (loaded.finding.ruleId === "build/missing-file") {
      b.fail(err("build/missing-patch", `${kust.file}: '${path}' does not exist`, at));
    } else b.fail(loaded.finding);
    return undefined;
  }
  return loaded.file.documents.map((d) => d.value);
}

export async function loadPatch(
  b: Builder,
  kust: Kustomization,
  path: string,
  at: SourcePosition,
  inlineAllowed: boolean,
): Promise<LoadedPatch | undefined> {
  if (inlineAllowed && (path.includes("\n") || /^\s*(apiVersion|kind|metadata):/.test(path))) {
    return parseInlinePatch(b, path, at);
  }
  const rel = joinPath(kust.dir, path);
  const loaded = await b.ctx.files.yaml(rel);
  if (!loaded.ok) {
    if (loaded.finding.ruleId === "build/missing-file") {
      b.fail(err("build/missing-patch", `${kust.file}: patch file '${path}' does not exist`, at));
    } else b.fail(loaded.finding);
    return undefined;
  }
  const docs = loaded.file.documents.filter((d) => d.value !== null && d.value !== undefined);
  if (docs.length === 1 && Array.isArray(docs[0]!.value))
    return { json: docs[0]!.value as unknown[], smp: [], doc: () => undefined };
  const smp: Obj[] = [];
  const byObj = new Map<Obj, YamlDocument>();
  for (const d of docs) {
    if (!isObj(d.value)) {
      b.fail(
        err("build/invalid-patch", `${rel}: unable to parse SM or JSON patch`, { file: rel, ...d.start() }),
      );
      return undefined;
    }
    smp.push(d.value);
    byObj.set(d.value, d);
  }
  return { smp, doc: (p) => byObj.get(p) };
}

export function parseInlinePatch(b: Builder, text: string, at: SourcePosition): LoadedPatch | undefined {
  // Inline patches are parsed again here (they are strings inside the kustomization); positions map to the entry.
  const trimmed = text.trim();
  const parsed = parseGoYaml(trimmed, at.file);
  if (!parsed.ok) {
    b.fail(
      err("build/invalid-patch", `unable to parse SM or JSON patch: ${parsed.problems[0]!.message}`, at),
    );
    return undefined;
  }
  const docs = parsed.documents.map((d) => d.value).filter((v) => v !== null && v !== undefined);
  if (docs.length === 1 && Array.isArray(docs[0]))
    return { json: docs[0] as unknown[], smp: [], doc: () => undefined };
  if (!docs.every(isObj)) {
    b.fail(err("build/invalid-patch", "unable to parse SM or JSON patch", at));
    return undefined;
  }
  return { smp: docs as Obj[], doc: () => undefined };
}

/** `/spec/containers/0/image` → `["spec", "containers", 0, "image"]` (`-` = append, kept as a string). */
function pointerToPath(pointer: string): (string | number)[] {
  return pointer
    .split("/")
    .slice(1)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

/** kyaml's merge drops the fields the source wrote without a value (`annotations:`) from a patched object. */
function dropEmptyValues(r: Res): void {
  if (!r.doc) return;
  const prefix = r.docPath ?? [];
  for (const path of emptyValues(r.doc)) {
    if (path.length <= prefix.length || prefix.some((p, i) => path[i] !== p)) continue;
    const rel = path.slice(prefix.length);
    let parent: unknown = r.obj;
    for (const key of rel.slice(0, -1)) parent = isObj(parent) ? parent[String(key)] : undefined;
    const last = String(rel[rel.length - 1]);
    // null, or "" where a flow mapping held the empty value
    if (isObj(parent) && (parent[last] === null || parent[last] === "")) delete parent[last];
  }
}
