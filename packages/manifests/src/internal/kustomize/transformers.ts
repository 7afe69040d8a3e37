// Stage 4, transformers, in kustomize's order (kusttarget.go runTransformers): patchesStrategicMerge,
// patches, namespace, prefix, suffix, labels, annotations, patchesJson6902, replicas, images, replacements.
import type { Builder, KustomizationOverride } from "../kustomize.js";
import { applyReplacements } from "../replacements.js";
import { clone, getKind, getNamespace, isObj, type Obj, type Res, stringMap } from "../res.js";
import {
  applyCommonAnnotations,
  applyCommonLabels,
  applyImages,
  applyLabels,
  applyNamespace,
  applyPrefixSuffix,
  applyReplicas,
  type ImageRule,
  toFieldSpec,
} from "../transforms.js";
import { err, type Kustomization, pos } from "./common.js";
import { applyPatches, applyPatchesJson6902, applyPatchesStrategicMerge, loadRaw } from "./patches.js";
import { accumulateResource } from "./resources.js";

export async function runTransformers(
  b: Builder,
  kust: Kustomization,
  ra: Res[],
  override?: KustomizationOverride,
  stack: string[] = [],
  chain: string[] = [],
): Promise<void> {
  const { k, doc } = kust;
  await applyPatchesStrategicMerge(b, kust, ra);
  await applyPatches(b, kust, ra, override);
  // namespace
  const namespace = override?.namespace ?? (typeof k.namespace === "string" ? k.namespace : undefined);
  if (namespace) applyNamespace(ra, namespace);
  // prefix, suffix
  const prefix = override?.namePrefix ?? (typeof k.namePrefix === "string" ? k.namePrefix : "");
  const suffix = override?.nameSuffix ?? (typeof k.nameSuffix === "string" ? k.nameSuffix : "");
  applyPrefixSuffix(ra, prefix, "");
  applyPrefixSuffix(ra, "", suffix);
  // labels
  applyCommonLabels(ra, stringMap(k.commonLabels));
  for (const l of Array.isArray(k.labels) ? k.labels : []) {
    if (!isObj(l)) continue;
    const fields = (Array.isArray(l.fields) ? l.fields : []).map(toFieldSpec).filter((f) => f !== undefined);
    applyLabels(ra, stringMap(l.pairs), l.includeSelectors === true, l.includeTemplates === true, fields);
  }
  applyCommonAnnotations(ra, stringMap(k.commonAnnotations));
  await applyPatchesJson6902(b, kust, ra);
  // replicas
  if (Array.isArray(k.replicas)) {
    applyReplicas(
      ra,
      k.replicas.filter(isObj).map((r) => ({ name: String(r.name ?? ""), count: Number(r.count ?? 0) })),
    );
  }
  // images (own, then Flux's: Flux merges by name into the list)
  const images: ImageRule[] = (Array.isArray(k.images) ? k.images : []).filter(isObj).map(toImageRule);
  for (const img of override?.images ?? []) {
    const existing = images.find((i) => i.name === img.name);
    if (existing) {
      if (img.newName) existing.newName = img.newName;
      if (img.newTag || img.digest) {
        if (img.newTag) existing.newTag = img.newTag;
        else delete existing.newTag;
        if (img.digest) existing.digest = img.digest;
        else delete existing.digest;
      }
    } else images.push(img);
  }
  if (images.length > 0) applyImages(ra, images);
  // replacements
  if (Array.isArray(k.replacements)) {
    for (let i = 0; i < k.replacements.length; i++) {
      const at = pos(doc, ["replacements", i]);
      let rep = k.replacements[i];
      if (isObj(rep) && typeof rep.path === "string" && rep.source === undefined) {
        const loaded = await loadRaw(b, kust, rep.path, at);
        if (loaded === undefined) continue;
        // the file holds one replacement per document, or a list of them (kustomize reads both)
        for (const d of loaded.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
          if (isObj(d)) for (const f of applyReplacements(ra, d, at)) b.fail(f);
        }
        continue;
      }
      if (!isObj(rep)) continue;
      rep = clone(rep);
      for (const f of applyReplacements(ra, rep as Obj, at)) b.fail(f);
    }
  }
  await runTransformerConfigs(b, kust, ra, stack, chain);
}

/**
 * `transformers:` entries after the built-in fields (kusttarget.go configureExternalTransformers): files
 * or kustomization directories whose objects are transformer configs. Built-in configs
 * (`apiVersion: builtin`) that homeops models are applied; plugins and other built-ins are refused with
 * the config's file:line and kind (kustomize-controller disables plugins).
 */
async function runTransformerConfigs(
  b: Builder,
  kust: Kustomization,
  ra: Res[],
  stack: string[],
  chain: string[],
): Promise<void> {
  const { k, doc } = kust;
  const entries = Array.isArray(k.transformers) ? k.transformers : [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const at = pos(doc, ["transformers", i]);
    if (typeof entry !== "string" || entry.includes("\n")) {
      b.fail(
        err(
          "build/unsupported-field",
          `${kust.file}: \`transformers\`: inline transformer configs are not supported`,
          at,
        ),
      );
      continue;
    }
    const configs: Res[] = [];
    await accumulateResource(b, kust, entry, at, configs, stack, chain);
    for (const c of configs) {
      const kind = getKind(c.obj);
      if (c.obj.apiVersion === "builtin" && kind === "NamespaceTransformer") {
        const namespace = getNamespace(c.obj);
        if (namespace === "") continue;
        const mode = c.obj.setRoleBindingSubjects;
        if (
          mode !== undefined &&
          mode !== "" &&
          mode !== "defaultOnly" &&
          mode !== "allServiceAccounts" &&
          mode !== "none"
        ) {
          b.fail(
            err(
              "build/invalid-transformer",
              `${c.origin.file}: NamespaceTransformer: invalid setRoleBindingSubjects ${JSON.stringify(mode)} (defaultOnly, allServiceAccounts or none)`,
              c.origin,
            ),
          );
          continue;
        }
        const fieldSpecs = Array.isArray(c.obj.fieldSpecs)
          ? c.obj.fieldSpecs.map(toFieldSpec).filter((f) => f !== undefined)
          : undefined;
        applyNamespace(ra, namespace, {
          ...(fieldSpecs ? { fieldSpecs } : { fieldSpecs: [] }),
          unsetOnly: c.obj.unsetOnly === true,
          ...(typeof mode === "string" && mode !== ""
            ? { setRoleBindingSubjects: mode as "defaultOnly" }
            : {}),
        });
        continue;
      }
      b.fail(
        err(
          "build/unsupported-field",
          `${c.origin.file}: \`transformers\`: ${c.obj.apiVersion === "builtin" ? "built-in transformer" : "transformer plugin"} \`${String(c.obj.apiVersion)}/${kind}\` is not supported (homeops builds the built-in NamespaceTransformer; kustomize-controller disables plugins)`,
          c.origin,
        ),
      );
    }
  }
}

function toImageRule(o: Obj): ImageRule {
  const rule: ImageRule = { name: String(o.name ?? "") };
  if (typeof o.newName === "string" && o.newName) rule.newName = o.newName;
  if ((typeof o.newTag === "string" || typeof o.newTag === "number") && String(o.newTag))
    rule.newTag = String(o.newTag);
  if (typeof o.digest === "string" && o.digest) rule.digest = o.digest;
  return rule;
}
