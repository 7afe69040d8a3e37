// Stage 2, generators (kusttarget.go runGenerators): configMapGenerator/secretGenerator with their
// create/merge/replace behaviours, and the `configurations:` files whose nameReferences apply at the top.

import { buildGenerated } from "../generators.js";
import type { Builder } from "../kustomize.js";
import { isObj, type Obj, type Res } from "../res.js";
import { asStringList, err, type Kustomization, pos } from "./common.js";
import { loadRaw } from "./patches.js";
import { describe, sameId } from "./resources.js";

/** `configurations:` files: their `nameReference`s are honoured, other transformer configs refused. */
export async function loadConfigurations(b: Builder, kust: Kustomization): Promise<void> {
  const list = asStringList(kust.k.configurations);
  for (let i = 0; i < list.length; i++) {
    const at = pos(kust.doc, ["configurations", i]);
    const docs = await loadRaw(b, kust, list[i]!, at);
    if (!docs) continue;
    for (const d of docs) {
      if (!isObj(d)) continue;
      for (const key of Object.keys(d)) {
        if (key === "nameReference" || key === "varReference") continue;
        b.fail(
          err(
            "build/unsupported-field",
            `${list[i]}: transformer configuration \`${key}\` is not supported (only nameReference)`,
            at,
          ),
        );
      }
      for (const ref of Array.isArray(d.nameReference) ? d.nameReference : []) {
        if (!isObj(ref) || typeof ref.kind !== "string") continue;
        const fieldSpecs = (Array.isArray(ref.fieldSpecs) ? ref.fieldSpecs : []).filter(isObj).flatMap((f) =>
          typeof f.path === "string"
            ? [
                {
                  path: f.path,
                  ...(typeof f.kind === "string" ? { kind: f.kind } : {}),
                  ...(typeof f.group === "string" ? { group: f.group } : {}),
                },
              ]
            : [],
        );
        b.nameRefs.push({
          kind: ref.kind,
          ...(typeof ref.group === "string" ? { group: ref.group } : {}),
          fieldSpecs,
        });
      }
    }
  }
}

export async function runGenerators(
  b: Builder,
  kust: Kustomization,
  ra: Res[],
  chain: string[],
): Promise<void> {
  const generated = await buildGenerated(b.ctx.files, kust.dir, kust.file, kust.doc, kust.k, chain);
  for (const f of generated.findings) b.fail(f);
  for (const g of generated.resources) {
    const behavior = g.behavior ?? "create";
    const existing = ra.findIndex((x) => sameId(x, g));
    if (behavior === "create") {
      if (existing >= 0) {
        b.fail(
          err(
            "build/duplicate-resource",
            `generator: ${describe(g)} already exists; use behavior: merge or replace`,
            g.origin,
          ),
        );
        continue;
      }
      ra.push(g);
      continue;
    }
    if (existing < 0) {
      b.fail(
        err(
          "build/generator-no-base",
          `generator: ${describe(g)} has behavior ${behavior} but no base object exists`,
          g.origin,
        ),
      );
      continue;
    }
    const base = ra[existing]!;
    if (behavior === "replace") {
      base.obj.data = g.obj.data;
      if (g.obj.binaryData !== undefined) base.obj.binaryData = g.obj.binaryData;
    } else {
      for (const field of ["data", "binaryData"]) {
        if (isObj(g.obj[field]))
          base.obj[field] = {
            ...(isObj(base.obj[field]) ? base.obj[field] : {}),
            ...(g.obj[field] as Obj),
          };
      }
    }
    const gm = isObj(g.obj.metadata) ? g.obj.metadata : {};
    const bm = isObj(base.obj.metadata) ? base.obj.metadata : {};
    for (const field of ["labels", "annotations"]) {
      if (isObj(gm[field])) bm[field] = { ...(isObj(bm[field]) ? bm[field] : {}), ...(gm[field] as Obj) };
    }
    // merge/replace keep the base object's hash behaviour (a plain ConfigMap stays unhashed)
    base.chain.push(`generator ${g.origin.file}:${g.origin.line}`);
  }
}
