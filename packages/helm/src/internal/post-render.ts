// helm-controller's post-renderers (internal/postrender/build.go): each `spec.postRenderers[].kustomize` in
// order (a kustomize build of the rendered manifests with its patches and images), then `spec.commonMetadata`,
// then the origin labels — on the stream Helm 4 hands to post-renderers (`spec.postRenderStrategy`).
import type { Finding, SourcePosition } from "@homeops/core";
import {
  type BuiltObject,
  type InlineKustomization,
  type KustomizeInput,
  type KustomizeSelector,
  kustomizeObjects,
  type ObjectPath,
  SELECTOR_KEYS,
} from "@homeops/manifests";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** One rendered object on its way through the post-renderers. */
export interface PostRenderInput extends KustomizeInput {
  /** A hook (`helm.sh/hook`), as Helm sorted it before post-rendering. */
  hook: boolean;
}

export interface PostRenderContext {
  /** `helm.toolkit.fluxcd.io/<version>` of the HelmRelease. */
  apiVersion: string;
  name: string;
  namespace: string;
  spec: Obj;
  /** Position of a path of the HelmRelease (the deepest part present). */
  at: (path: ObjectPath) => SourcePosition;
}

export interface PostRenderResult {
  objects: BuiltObject[];
  findings: Finding[];
  /** Set when helm-controller's install would fail in a post-renderer. */
  failure?: { message: string; at: SourcePosition };
}

type Strategy = "combined" | "separate" | "nohooks";

const IMAGE_KEYS = ["name", "newName", "newTag", "digest"] as const;

/** Applies the release's post-renderers to its rendered manifests and hooks (not to the chart's `crds/`). */
export async function postRender(
  inputs: readonly PostRenderInput[],
  ctx: PostRenderContext,
): Promise<PostRenderResult> {
  const findings: Finding[] = [];
  const warn = (path: ObjectPath, message: string): void => {
    findings.push({
      ruleId: "helm/post-renderer-invalid",
      severity: "warning",
      message: `HelmRelease ${ctx.namespace}/${ctx.name}: ${message}`,
      hint: "helm-controller's API drops fields it does not know; check spec.postRenderers against the HelmRelease schema",
      ...ctx.at(["spec", ...path]),
    });
  };
  const renderers = readPostRenderers(ctx, warn);
  const strategy = readStrategy(ctx, warn);
  const groups: { inputs: PostRenderInput[]; postRender: boolean }[] =
    strategy === "combined"
      ? [{ inputs: [...inputs], postRender: true }]
      : [
          { inputs: inputs.filter((i) => !i.hook), postRender: true },
          { inputs: inputs.filter((i) => i.hook), postRender: strategy === "separate" },
        ];
  const objects: BuiltObject[] = [];
  for (const group of groups) {
    if (!group.postRender) {
      objects.push(...group.inputs.map((i) => i.object));
      continue;
    }
    let current: KustomizeInput[] = group.inputs;
    for (const { index, kustomization } of renderers) {
      if (current.length === 0) break;
      const base = ["spec", "postRenderers", index, "kustomize"];
      const result = await kustomizeObjects(current, kustomization, {
        locate: (path) => ctx.at([...base, ...path]),
      });
      for (const f of result.findings) {
        findings.push({
          ...f,
          ruleId: "helm/post-render",
          message: `HelmRelease ${ctx.namespace}/${ctx.name}: postRenderers[${index}]: ${f.message}`,
        });
      }
      if (!result.ok) {
        const first = result.findings.find((f) => f.severity === "error");
        return {
          objects: [],
          findings: findings.filter((f) => f.severity !== "error"),
          failure: {
            message: `post-renderer postRenderers[${index}] failed: ${first?.message ?? "kustomize build failed"}`,
            at:
              first?.file === undefined
                ? ctx.at(base)
                : { file: first.file, line: first.line ?? 1, column: first.column ?? 1 },
          },
        };
      }
      // the next kustomize reads the previous one's output text, not the chart's
      current = result.objects.map((object) => ({ object }));
    }
    for (const { object } of current) {
      addMetadata(object.object, ctx);
      objects.push(object);
    }
  }
  return { objects, findings };
}

/** `spec.commonMetadata` (labels, annotations), then the origin labels, which win a collision. */
function addMetadata(value: Obj, ctx: PostRenderContext): void {
  const metadata = isObj(value.metadata) ? value.metadata : {};
  value.metadata = metadata;
  const common = isObj(ctx.spec.commonMetadata) ? ctx.spec.commonMetadata : {};
  const labels = stringMap(common.labels);
  const annotations = stringMap(common.annotations);
  if (annotations !== undefined)
    metadata.annotations = { ...(isObj(metadata.annotations) ? metadata.annotations : {}), ...annotations };
  metadata.labels = {
    ...(isObj(metadata.labels) ? metadata.labels : {}),
    ...labels,
    "helm.toolkit.fluxcd.io/name": ctx.name,
    "helm.toolkit.fluxcd.io/namespace": ctx.namespace,
  };
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObj(v)) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, val]) => [k, String(val ?? "")]));
}

/** Helm 4's post-render strategy; the v2beta* APIs were served by helm-controllers on Helm 3 (hooks untouched). */
function readStrategy(ctx: PostRenderContext, warn: (path: ObjectPath, message: string) => void): Strategy {
  if (!ctx.apiVersion.endsWith("/v2")) return "nohooks";
  const v = ctx.spec.postRenderStrategy;
  if (v === undefined || v === "" || v === "combined") return "combined";
  if (v === "separate" || v === "nohooks") return v;
  warn(
    ["postRenderStrategy"],
    `postRenderStrategy ${JSON.stringify(v)} is not one of nohooks, combined, separate`,
  );
  return "combined";
}

/** The `kustomize` post-renderers Flux would build, with warnings for what its API does not carry. */
function readPostRenderers(
  ctx: PostRenderContext,
  warn: (path: ObjectPath, message: string) => void,
): { index: number; kustomization: InlineKustomization }[] {
  const list = ctx.spec.postRenderers;
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    warn(["postRenderers"], "postRenderers must be a list; not applied");
    return [];
  }
  // patchesStrategicMerge and patchesJson6902 left the API with v2 (helm-controller v1.0)
  const legacy = !ctx.apiVersion.endsWith("/v2");
  const out: { index: number; kustomization: InlineKustomization }[] = [];
  for (const [index, entry] of list.entries()) {
    const at = (...path: (string | number)[]): ObjectPath => ["postRenderers", index, ...path];
    if (!isObj(entry)) {
      warn(at(), `postRenderers[${index}] must be a mapping; not applied`);
      continue;
    }
    for (const key of Object.keys(entry))
      if (key !== "kustomize")
        warn(at(key), `postRenderers[${index}].${key} is not a post-renderer; ignored`);
    if (entry.kustomize === undefined || entry.kustomize === null) continue;
    if (!isObj(entry.kustomize)) {
      warn(at("kustomize"), `postRenderers[${index}].kustomize must be a mapping; not applied`);
      continue;
    }
    const k = entry.kustomize;
    const name = `postRenderers[${index}].kustomize`;
    const kustomization: InlineKustomization = {};
    for (const key of Object.keys(k)) {
      const known = ["patches", "images", ...(legacy ? ["patchesStrategicMerge", "patchesJson6902"] : [])];
      if (known.includes(key)) continue;
      const why =
        key === "patchesStrategicMerge" || key === "patchesJson6902"
          ? `was removed from helm.toolkit.fluxcd.io/v2 and is dropped by helm-controller; move it to patches`
          : "is not a field of the kustomize post-renderer; ignored";
      warn(at("kustomize", key), `${name}.${key} ${why}`);
    }
    const patches = listOf(k, "patches", at, warn, name);
    if (patches !== undefined) {
      kustomization.patches = [];
      for (const [i, p] of patches.entries()) {
        const where = at("kustomize", "patches", i);
        if (!isObj(p) || typeof p.patch !== "string") {
          warn(where, `${name}.patches[${i}] needs a patch (an inline YAML string); not applied`);
          continue;
        }
        for (const key of Object.keys(p))
          if (key !== "patch" && key !== "target")
            warn(
              [...where, key],
              `${name}.patches[${i}].${key} is not supported by Flux (patch, target); ignored`,
            );
        const target = readSelector(p.target, [...where, "target"], warn, `${name}.patches[${i}].target`);
        kustomization.patches.push({ patch: p.patch, ...(target === undefined ? {} : { target }) });
      }
    }
    const images = listOf(k, "images", at, warn, name);
    if (images !== undefined) {
      kustomization.images = [];
      for (const [i, img] of images.entries()) {
        const where = at("kustomize", "images", i);
        if (!isObj(img) || typeof img.name !== "string" || img.name === "") {
          warn(where, `${name}.images[${i}] needs a name; not applied`);
          continue;
        }
        const rule: NonNullable<InlineKustomization["images"]>[number] = { name: img.name };
        for (const key of Object.keys(img)) {
          if (!(IMAGE_KEYS as readonly string[]).includes(key)) {
            warn([...where, key], `${name}.images[${i}].${key} is not an image field; ignored`);
            continue;
          }
          const v = img[key];
          if (key === "name" || v === undefined || v === null || v === "") continue;
          if (typeof v !== "string") {
            warn([...where, key], `${name}.images[${i}].${key} must be a string; ignored`);
            continue;
          }
          rule[key as "newName" | "newTag" | "digest"] = v;
        }
        kustomization.images.push(rule);
      }
    }
    if (legacy) {
      const psm = listOf(k, "patchesStrategicMerge", at, warn, name);
      if (psm !== undefined) {
        kustomization.patchesStrategicMerge = [];
        for (const [i, p] of psm.entries()) {
          if (isObj(p)) kustomization.patchesStrategicMerge.push(p);
          else
            warn(
              at("kustomize", "patchesStrategicMerge", i),
              `${name}.patchesStrategicMerge[${i}] must be a patch object; not applied`,
            );
        }
      }
      const pj = listOf(k, "patchesJson6902", at, warn, name);
      if (pj !== undefined) {
        kustomization.patchesJson6902 = [];
        for (const [i, p] of pj.entries()) {
          const where = at("kustomize", "patchesJson6902", i);
          const label = `${name}.patchesJson6902[${i}]`;
          if (!isObj(p) || !isObj(p.target) || !Array.isArray(p.patch)) {
            warn(where, `${label} needs a target and a patch (a list of operations); not applied`);
            continue;
          }
          const target = readSelector(p.target, [...where, "target"], warn, `${label}.target`) ?? {};
          kustomization.patchesJson6902.push({ target, patch: p.patch });
        }
      }
    }
    out.push({ index, kustomization });
  }
  return out;
}

function listOf(
  k: Obj,
  key: string,
  at: (...path: (string | number)[]) => ObjectPath,
  warn: (path: ObjectPath, message: string) => void,
  name: string,
): unknown[] | undefined {
  const v = k[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  warn(at("kustomize", key), `${name}.${key} must be a list; not applied`);
  return undefined;
}

function readSelector(
  v: unknown,
  where: ObjectPath,
  warn: (path: ObjectPath, message: string) => void,
  label: string,
): KustomizeSelector | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    warn(where, `${label} must be a mapping; ignored`);
    return undefined;
  }
  const out: KustomizeSelector = {};
  for (const [key, val] of Object.entries(v)) {
    if (!(SELECTOR_KEYS as readonly string[]).includes(key)) {
      warn([...where, key], `${label}.${key} is not a selector field; ignored`);
      continue;
    }
    if (typeof val === "string" && val !== "") out[key as (typeof SELECTOR_KEYS)[number]] = val;
  }
  return out;
}
