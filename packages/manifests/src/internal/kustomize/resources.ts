// Stage 1, accumulate resources (kusttarget.go accumulateResources): files, directories (built as bases,
// shared through the run's cache), List kinds and remote URLs, with kustomize's duplicate-id check.
import { isRemoteReference, type YamlDocument } from "@homeops/core";
import type { SourcePosition } from "../../types.js";
import { joinPath } from "../files.js";
import { parseGoYaml } from "../go-yaml.js";
import type { Builder } from "../kustomize.js";
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
import { err, type Kustomization } from "./common.js";

/** kustomize's remote forms (one rule for every package: core's). */
export const isRemote = isRemoteReference;

export async function accumulateResource(
  b: Builder,
  kust: Kustomization,
  entry: string,
  at: SourcePosition,
  ra: Res[],
  stack: string[],
  chain: string[],
): Promise<void> {
  if (isRemote(entry)) {
    await remote(b, kust, entry, at, ra, chain);
    return;
  }
  const rel = joinPath(kust.dir, entry);
  if (rel.startsWith("../") || rel === "..") {
    b.fail(err("build/path-outside-root", `${kust.file}: resource '${entry}' is outside the repository`, at));
    return;
  }
  const kind = await b.ctx.files.kind(rel);
  if (kind === "file") {
    await addFile(b, rel, ra, [...chain], at);
  } else if (kind === "dir") {
    const sub = await b.buildDir(rel, stack, chain);
    absorb(b, ra, sub, at);
  } else {
    // there, but unreadable (a directory homeops may not list): say so instead of "does not exist"
    const refused = b.ctx.files.unreadableReason(rel);
    b.fail(
      refused
        ? err(
            "build/unreadable-file",
            `${kust.file}: resource '${entry}': ${refused.message}`,
            at,
            refused.hint,
          )
        : err(
            "build/missing-resource",
            `${kust.file}: resource '${entry}' does not exist`,
            at,
            "fix the path or create the file/directory",
          ),
    );
  }
}

export async function remote(
  b: Builder,
  kust: Kustomization,
  url: string,
  at: SourcePosition,
  ra: Res[],
  chain: string[],
): Promise<void> {
  if (!b.ctx.allowNetwork || !/^https?:\/\//i.test(url) || /[?&]ref=|\/\/.*\/\/|\.git(\/|$)/.test(url)) {
    if (b.ctx.allowNetwork) {
      b.fail(
        err(
          "build/unsupported-remote",
          `${kust.file}: remote base '${url}' (git) is not supported; only plain file URLs`,
          at,
        ),
      );
      return;
    }
    b.skipped.push({ url, kustomization: kust.file, line: at.line });
    b.findings.push({
      ruleId: "build/remote-resource-skipped",
      severity: "warning",
      message: `${kust.file}: remote resource '${url}' not fetched (offline); its objects are missing from the build`,
      hint: "pass --allow-network to fetch remote resources",
      file: at.file,
      line: at.line,
      column: at.column,
    });
    return;
  }
  const text = await b.ctx.fetchRemote?.(url);
  if (text === undefined) {
    b.fail(err("build/remote-fetch-failed", `${kust.file}: could not fetch '${url}'`, at));
    return;
  }
  const parsed = parseGoYaml(text, url);
  if (!parsed.ok) {
    b.fail(err("build/yaml-syntax", `${url}: ${parsed.problems[0]!.message}`, at));
    return;
  }
  for (const d of parsed.documents) {
    if (!isObj(d.value)) continue;
    ra.push(
      newRes(d.value, { file: kust.file, line: at.line, column: at.column }, undefined, [...chain, url]),
    );
  }
}

export async function addFile(
  b: Builder,
  rel: string,
  ra: Res[],
  chain: string[],
  at: SourcePosition,
): Promise<void> {
  const loaded = await b.ctx.files.yaml(rel);
  if (!loaded.ok) {
    b.fail(loaded.finding);
    return;
  }
  const added: Res[] = [];
  for (const d of loaded.file.documents) {
    const v = d.value;
    if (v === null || v === undefined) continue;
    const start = d.start();
    if (!isObj(v)) {
      b.fail(err("build/invalid-resource", `${rel}: document is not a mapping`, { file: rel, ...start }));
      continue;
    }
    if (isObj(v) && v.kind === "List" && Array.isArray(v.items)) {
      v.items.forEach((item, i) => {
        if (isObj(item)) {
          const p = d.locate(["items", i]);
          const r = newRes(clone(item), { file: rel, line: p.line, column: p.column }, d, chain);
          r.docPath = ["items", i];
          added.push(r);
        }
      });
      continue;
    }
    if (!isResourceLike(v)) {
      b.fail(
        err("build/invalid-resource", `${rel}: missing apiVersion, kind or metadata.name`, {
          file: rel,
          ...start,
        }),
      );
      continue;
    }
    added.push(newRes(clone(v), { file: rel, ...start }, d, chain));
  }
  absorb(b, ra, added, at);
}

export function absorb(b: Builder, ra: Res[], added: Res[], at: SourcePosition): void {
  for (const r of added) {
    const dup = ra.find((x) => sameId(x, r));
    if (dup) {
      b.fail(
        err(
          "build/duplicate-resource",
          `may not add resource with an already registered id: ${describe(r)} (from ${r.origin.file}:${r.origin.line}, already from ${dup.origin.file}:${dup.origin.line})`,
          at,
        ),
      );
      continue;
    }
    ra.push(r);
  }
}

export function isResourceLike(v: unknown): boolean {
  return isObj(v) && typeof v.kind === "string" && (typeof v.apiVersion === "string" || v.kind === "List");
}

export function newRes(
  obj: Obj,
  origin: SourcePosition,
  doc: YamlDocument | undefined,
  chain: string[],
): Res {
  return { obj, origin, ...(doc ? { doc } : {}), patchDocs: [], chain: [...chain], previous: [] };
}

export function sameId(a: Res, b: Res): boolean {
  const ga = groupVersion(getApiVersion(a.obj)).group;
  const gb = groupVersion(getApiVersion(b.obj)).group;
  const na = getNamespace(a.obj) || "default";
  const nb = getNamespace(b.obj) || "default";
  return getKind(a.obj) === getKind(b.obj) && ga === gb && getName(a.obj) === getName(b.obj) && na === nb;
}

export function describe(r: Res): string {
  const ns = getNamespace(r.obj);
  return `${getKind(r.obj)} ${ns ? `${ns}/` : ""}${getName(r.obj)}`;
}
