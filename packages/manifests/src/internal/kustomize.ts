// The kustomize build subset real home-ops repos use, in kustomize's order of operations
// (sigs.k8s.io/kustomize/api/internal/target/kusttarget.go): resources → generators → components →
// transformers (patchesStrategicMerge, patches, namespace, prefix, suffix, labels, annotations,
// patchesJson6902, replicas, images, replacements); at the top level only: hash suffixes, name
// references, dropping local-config objects.
import { posix } from "node:path";
import {
  type Finding,
  isRemoteReference,
  KUSTOMIZATION_FILES,
  parseYaml,
  type YamlDocument,
} from "@homeops/core";
import jsonpatch from "fast-json-patch";
import type { SkippedRemote, SourcePosition } from "../types.js";
import type { FileStore } from "./files.js";
import { buildGenerated } from "./generators.js";
import { parseGoYaml } from "./go-yaml.js";
import { applyReplacements } from "./replacements.js";
import {
  clone,
  cloneRes,
  findNonFinite,
  getApiVersion,
  getKind,
  getName,
  getNamespace,
  groupVersion,
  isObj,
  type Obj,
  type Res,
  stringMap,
  toBuiltObject,
} from "./res.js";
import { matchesSelector, type Selector, toSelector } from "./select.js";
import { applyStrategicMerge } from "./smp.js";
import {
  addHashesAndFixReferences,
  applyCommonAnnotations,
  applyCommonLabels,
  applyImages,
  applyLabels,
  applyNamespace,
  applyPrefixSuffix,
  applyReplicas,
  type ImageRule,
  type NameReference,
  toFieldSpec,
} from "./transforms.js";

const SUPPORTED_FIELDS = new Set([
  "apiVersion",
  "kind",
  "metadata",
  "resources",
  "bases",
  "components",
  "namespace",
  "namePrefix",
  "nameSuffix",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "images",
  "replicas",
  "patches",
  "patchesStrategicMerge",
  "patchesJson6902",
  "configMapGenerator",
  "secretGenerator",
  "generatorOptions",
  "replacements",
  "buildMetadata",
  "configurations",
  "sortOptions",
]);

const LIST_FIELDS = [
  "resources",
  "bases",
  "components",
  "patches",
  "patchesStrategicMerge",
  "patchesJson6902",
  "images",
  "replacements",
  "configMapGenerator",
  "secretGenerator",
  "labels",
  "replicas",
  "configurations",
];

const UNSUPPORTED_FIELDS: Record<string, string> = {
  helmCharts: "helm chart inflation is not supported offline (render the chart, or let a HelmRelease do it)",
  helmChartInflationGenerator: "helm chart inflation is not supported",
  helmGlobals: "helm chart inflation is not supported",
  generators: "generator plugins are not supported (kustomize-controller disables plugins too)",
  transformers: "transformer plugins are not supported (kustomize-controller disables plugins too)",
  validators: "validator plugins are not supported (kustomize-controller disables plugins too)",
  vars: "`vars` is deprecated and not supported; use `replacements`",
  crds: "`crds` (custom name reference config) is not supported",
  openapi: "custom openapi schemas are not supported",
};

/** Overrides Flux's generator writes into the top-level kustomization (kustomize_generator.go). */
export interface KustomizationOverride {
  namespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: { patch: string; target?: Selector; at?: SourcePosition }[];
  components?: string[];
  images?: ImageRule[];
  /** Where the overrides come from (the Flux Kustomization file:line). */
  origin: SourcePosition;
}

export interface BuildContext {
  files: FileStore;
  allowNetwork: boolean;
  fetchRemote?: (url: string) => Promise<string | undefined>;
  findings: Finding[];
  skipped: SkippedRemote[];
  /** Resource-directory builds (independent of the caller), shared across the whole run. */
  dirCache: Map<string, DirCacheEntry>;
}

export interface DirCacheEntry {
  promise: Promise<DirBuild>;
  done: boolean;
  /** The top-level build that started it. */
  owner: number;
}

let topLevelBuilds = 0;

export interface DirBuild {
  resources: Res[];
  /** `nameReference`s of `configurations:` files met in this tree (they apply at the top level). */
  nameRefs: NameReference[];
  findings: Finding[];
  skipped: SkippedRemote[];
  ok: boolean;
}

interface Kustomization {
  dir: string;
  file: string;
  doc: YamlDocument;
  k: Obj;
  generated: boolean;
}

function posKey(doc: YamlDocument, path: (string | number)[]): SourcePosition {
  const at = doc.locateKey(path);
  return { file: doc.file, line: at.line, column: at.column };
}

function pos(doc: YamlDocument, path: (string | number)[]): SourcePosition {
  const at = doc.locate(path);
  return { file: doc.file, line: at.line, column: at.column };
}

function err(ruleId: string, message: string, at?: SourcePosition, hint?: string): Finding {
  return {
    ruleId,
    severity: "error",
    message,
    ...(at ? { file: at.file, line: at.line, column: at.column } : {}),
    ...(hint ? { hint } : {}),
  };
}

/** kustomize's remote forms (one rule for every package: core's). */
export const isRemote = isRemoteReference;

/** One build session over a directory tree (one top-level kustomization). */
class Builder {
  readonly findings: Finding[] = [];
  readonly skipped: SkippedRemote[] = [];
  ok = true;
  readonly nameRefs: NameReference[] = [];
  /**
   * Set when Flux's generator adds `buildMetadata: [originAnnotations]` (an existing top-level
   * kustomization without `resources`): objects then carry `config.kubernetes.io/origin`.
   */
  originDir: string | undefined;

  constructor(
    private readonly ctx: BuildContext,
    private readonly owner: number,
  ) {}

  fail(f: Finding): void {
    if (f.severity === "error") this.ok = false;
    this.findings.push(f);
  }

  async loadKustomization(dir: string, allowGenerate: boolean): Promise<Kustomization | undefined> {
    const files = this.ctx.files;
    for (const name of KUSTOMIZATION_FILES) {
      const rel = dir === "." ? name : `${dir}/${name}`;
      if ((await files.kind(rel)) !== "file") continue;
      const loaded = await files.yaml(rel);
      if (!loaded.ok) {
        this.fail(loaded.finding);
        return undefined;
      }
      const doc = loaded.file.documents[0];
      const k = doc?.value;
      if (!doc || (k !== null && k !== undefined && !isObj(k))) {
        this.fail(
          err("build/invalid-kustomization", `${rel}: not a kustomization (expected a mapping)`, {
            file: rel,
            line: 1,
            column: 1,
          }),
        );
        return undefined;
      }
      return { dir, file: rel, doc, k: isObj(k) ? k : {}, generated: false };
    }
    if (!allowGenerate) return undefined;
    return this.generateKustomization(dir);
  }

  /** The kustomization.yaml kustomize-controller writes for a directory without one. */
  async generateKustomization(dir: string): Promise<Kustomization | undefined> {
    const resources: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const entry of await this.ctx.files.list(rel)) {
        const child = rel === "." ? entry.name : `${rel}/${entry.name}`;
        if (entry.dir) {
          let hasKustomization = false;
          for (const name of KUSTOMIZATION_FILES) {
            if ((await this.ctx.files.kind(`${child}/${name}`)) === "file") hasKustomization = true;
          }
          if (hasKustomization) resources.push(`./${posix.relative(dir, child)}`);
          else await walk(child);
          continue;
        }
        if (!/\.ya?ml$/.test(entry.name)) continue;
        const loaded = await this.ctx.files.yaml(child);
        if (!loaded.ok) {
          this.fail(loaded.finding);
          continue;
        }
        const bad = loaded.file.documents.find(
          (d) => d.value !== null && d.value !== undefined && !isResourceLike(d.value),
        );
        if (bad) {
          const at = bad.start();
          this.fail(
            err(
              "build/invalid-resource",
              `${child}: failed to decode Kubernetes YAML (missing apiVersion/kind)`,
              {
                file: child,
                ...at,
              },
            ),
          );
          continue;
        }
        resources.push(`./${posix.relative(dir, child)}`);
      }
    };
    await walk(dir);
    const k: Obj = resources.length === 0 ? { namespace: "_placeholder" } : { resources };
    const file = dir === "." ? "kustomization.yaml" : `${dir}/kustomization.yaml`;
    return { dir, file, doc: syntheticDoc(file), k, generated: true };
  }

  /** Builds a directory used as a base (`resources:` entry or Flux path); cached when independent. */
  async buildDir(
    dir: string,
    stack: string[],
    chain: string[],
    override?: KustomizationOverride,
  ): Promise<Res[]> {
    if (stack.includes(dir)) {
      this.fail(
        err("build/resource-cycle", `cycle: ${[...stack, dir].join(" → ")}`, {
          file: dir,
          line: 1,
          column: 1,
        }),
      );
      return [];
    }
    if (override === undefined) {
      let cached = this.ctx.dirCache.get(dir);
      // A build still running for another top-level build is not awaited: with a cycle between two
      // directories, two concurrent builds could wait on each other forever. Build a private copy instead.
      const usable = cached !== undefined && (cached.done || cached.owner === this.owner);
      if (!usable) {
        const sub = new Builder(this.ctx, this.owner);
        const entry: DirCacheEntry = {
          promise: sub.buildDirUncached(dir, [...stack], [], undefined).then((resources) => {
            entry.done = true;
            return {
              resources,
              findings: sub.findings,
              skipped: sub.skipped,
              nameRefs: sub.nameRefs,
              ok: sub.ok,
            };
          }),
          done: false,
          owner: this.owner,
        };
        if (cached === undefined) this.ctx.dirCache.set(dir, entry);
        cached = entry;
      }
      const built = await cached!.promise;
      for (const f of built.findings) this.fail(f);
      this.skipped.push(...built.skipped);
      this.nameRefs.push(...built.nameRefs);
      return built.resources.map((r) => {
        const c = cloneRes(r);
        c.chain = [...chain, ...c.chain];
        return c;
      });
    }
    return this.buildDirUncached(dir, stack, chain, override);
  }

  private async buildDirUncached(
    dir: string,
    stack: string[],
    chain: string[],
    override: KustomizationOverride | undefined,
  ): Promise<Res[]> {
    const kust = await this.loadKustomization(dir, override !== undefined);
    if (!kust) {
      if (override === undefined && this.ok) {
        this.fail(
          err("build/missing-kustomization", `${dir}: no kustomization.yaml in directory`, {
            file: dir,
            line: 1,
            column: 1,
          }),
        );
      }
      return [];
    }
    const kind = kust.k.kind;
    if (kind === "Component") {
      this.fail(
        err(
          "build/component-as-resource",
          `${kust.file}: a Component cannot be used as a resource`,
          pos(kust.doc, ["kind"]),
        ),
      );
      return [];
    }
    if (override !== undefined && !kust.generated && asStringList(kust.k.resources).length === 0)
      this.originDir = dir;
    const ra: Res[] = [];
    await this.accumulate(kust, ra, [...stack, dir], [...chain, kust.file], override);
    return ra;
  }

  /** accumulateTarget: resources, generators, components, transformers of one kustomization. */
  async accumulate(
    kust: Kustomization,
    ra: Res[],
    stack: string[],
    chain: string[],
    override?: KustomizationOverride,
  ): Promise<void> {
    const { k, doc } = kust;
    for (const key of Object.keys(k)) {
      if (UNSUPPORTED_FIELDS[key]) {
        this.fail(
          err(
            "build/unsupported-field",
            `${kust.file}: \`${key}\`: ${UNSUPPORTED_FIELDS[key]}`,
            posKey(doc, [key]),
          ),
        );
      } else if (!SUPPORTED_FIELDS.has(key)) {
        this.fail(
          err(
            "build/unknown-field",
            `${kust.file}: unknown kustomization field \`${key}\``,
            posKey(doc, [key]),
          ),
        );
      }
    }
    for (const key of ["namespace", "namePrefix", "nameSuffix"]) {
      if (k[key] !== undefined && k[key] !== null && typeof k[key] !== "string") {
        this.fail(
          err("build/invalid-kustomization", `${kust.file}: \`${key}\` must be a string`, pos(doc, [key])),
        );
      }
    }
    for (const key of LIST_FIELDS) {
      if (k[key] !== undefined && k[key] !== null && !Array.isArray(k[key])) {
        this.fail(
          err("build/invalid-kustomization", `${kust.file}: \`${key}\` must be a list`, pos(doc, [key])),
        );
      }
    }
    const resources = [...asStringList(k.bases), ...asStringList(k.resources)];
    const resourceKey = (i: number): (string | number)[] => {
      const bases = asStringList(k.bases).length;
      return i < bases ? ["bases", i] : ["resources", i - bases];
    };
    for (let i = 0; i < resources.length; i++) {
      await this.accumulateResource(kust, resources[i]!, pos(doc, resourceKey(i)), ra, stack, chain);
    }
    await this.loadConfigurations(kust);
    await this.runGenerators(kust, ra, chain);
    const components = [...asStringList(k.components), ...(override?.components ?? [])];
    const ownComponents = asStringList(k.components).length;
    for (let i = 0; i < components.length; i++) {
      const at = i < ownComponents ? pos(doc, ["components", i]) : override!.origin;
      await this.accumulateComponent(kust, components[i]!, at, ra, stack, chain);
    }
    await this.runTransformers(kust, ra, override);
  }

  private async accumulateResource(
    kust: Kustomization,
    entry: string,
    at: SourcePosition,
    ra: Res[],
    stack: string[],
    chain: string[],
  ): Promise<void> {
    if (isRemote(entry)) {
      await this.remote(kust, entry, at, ra, chain);
      return;
    }
    const rel = posix.normalize(posix.join(kust.dir, entry));
    if (rel.startsWith("../") || rel === "..") {
      this.fail(
        err("build/path-outside-root", `${kust.file}: resource '${entry}' is outside the repository`, at),
      );
      return;
    }
    const kind = await this.ctx.files.kind(rel);
    if (kind === "file") {
      await this.addFile(rel, ra, [...chain], at);
    } else if (kind === "dir") {
      const sub = await this.buildDir(rel, stack, chain);
      this.absorb(ra, sub, at);
    } else {
      this.fail(
        err(
          "build/missing-resource",
          `${kust.file}: resource '${entry}' does not exist`,
          at,
          "fix the path or create the file/directory",
        ),
      );
    }
  }

  private async remote(
    kust: Kustomization,
    url: string,
    at: SourcePosition,
    ra: Res[],
    chain: string[],
  ): Promise<void> {
    if (!this.ctx.allowNetwork || !/^https?:\/\//i.test(url) || /[?&]ref=|\/\/.*\/\/|\.git(\/|$)/.test(url)) {
      if (this.ctx.allowNetwork) {
        this.fail(
          err(
            "build/unsupported-remote",
            `${kust.file}: remote base '${url}' (git) is not supported; only plain file URLs`,
            at,
          ),
        );
        return;
      }
      this.skipped.push({ url, kustomization: kust.file, line: at.line });
      this.findings.push({
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
    const text = await this.ctx.fetchRemote?.(url);
    if (text === undefined) {
      this.fail(err("build/remote-fetch-failed", `${kust.file}: could not fetch '${url}'`, at));
      return;
    }
    const parsed = parseGoYaml(text, url);
    if (!parsed.ok) {
      this.fail(err("build/yaml-syntax", `${url}: ${parsed.problems[0]!.message}`, at));
      return;
    }
    for (const d of parsed.documents) {
      if (!isObj(d.value)) continue;
      ra.push(
        newRes(d.value, { file: kust.file, line: at.line, column: at.column }, undefined, [...chain, url]),
      );
    }
  }

  private async addFile(rel: string, ra: Res[], chain: string[], at: SourcePosition): Promise<void> {
    const loaded = await this.ctx.files.yaml(rel);
    if (!loaded.ok) {
      this.fail(loaded.finding);
      return;
    }
    const added: Res[] = [];
    for (const d of loaded.file.documents) {
      const v = d.value;
      if (v === null || v === undefined) continue;
      const start = d.start();
      if (!isObj(v)) {
        this.fail(
          err("build/invalid-resource", `${rel}: document is not a mapping`, { file: rel, ...start }),
        );
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
        this.fail(
          err("build/invalid-resource", `${rel}: missing apiVersion, kind or metadata.name`, {
            file: rel,
            ...start,
          }),
        );
        continue;
      }
      added.push(newRes(clone(v), { file: rel, ...start }, d, chain));
    }
    this.absorb(ra, added, at);
  }

  private absorb(ra: Res[], added: Res[], at: SourcePosition): void {
    for (const r of added) {
      const dup = ra.find((x) => sameId(x, r));
      if (dup) {
        this.fail(
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

  /** `configurations:` files: their `nameReference`s are honoured, other transformer configs refused. */
  private async loadConfigurations(kust: Kustomization): Promise<void> {
    const list = asStringList(kust.k.configurations);
    for (let i = 0; i < list.length; i++) {
      const at = pos(kust.doc, ["configurations", i]);
      const docs = await this.loadRaw(kust, list[i]!, at);
      if (!docs) continue;
      for (const d of docs) {
        if (!isObj(d)) continue;
        for (const key of Object.keys(d)) {
          if (key === "nameReference" || key === "varReference") continue;
          this.fail(
            err(
              "build/unsupported-field",
              `${list[i]}: transformer configuration \`${key}\` is not supported (only nameReference)`,
              at,
            ),
          );
        }
        for (const ref of Array.isArray(d.nameReference) ? d.nameReference : []) {
          if (!isObj(ref) || typeof ref.kind !== "string") continue;
          const fieldSpecs = (Array.isArray(ref.fieldSpecs) ? ref.fieldSpecs : [])
            .filter(isObj)
            .flatMap((f) =>
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
          this.nameRefs.push({
            kind: ref.kind,
            ...(typeof ref.group === "string" ? { group: ref.group } : {}),
            fieldSpecs,
          });
        }
      }
    }
  }

  private async runGenerators(kust: Kustomization, ra: Res[], chain: string[]): Promise<void> {
    const generated = await buildGenerated(this.ctx.files, kust.dir, kust.file, kust.doc, kust.k, chain);
    for (const f of generated.findings) this.fail(f);
    for (const g of generated.resources) {
      const behavior = g.behavior ?? "create";
      const existing = ra.findIndex((x) => sameId(x, g));
      if (behavior === "create") {
        if (existing >= 0) {
          this.fail(
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
        this.fail(
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

  private async accumulateComponent(
    kust: Kustomization,
    entry: string,
    at: SourcePosition,
    ra: Res[],
    stack: string[],
    chain: string[],
  ): Promise<void> {
    if (isRemote(entry)) {
      this.skipped.push({ url: entry, kustomization: kust.file, line: at.line });
      this.findings.push({
        ruleId: "build/remote-resource-skipped",
        severity: "warning",
        message: `${kust.file}: remote component '${entry}' not fetched`,
        file: at.file,
        line: at.line,
        column: at.column,
      });
      return;
    }
    const dir = posix.normalize(posix.join(kust.dir, entry));
    if ((await this.ctx.files.kind(dir)) !== "dir") {
      this.fail(err("build/missing-component", `${kust.file}: component '${entry}' does not exist`, at));
      return;
    }
    if (stack.includes(dir)) {
      this.fail(err("build/component-cycle", `component cycle: ${[...stack, dir].join(" → ")}`, at));
      return;
    }
    const comp = await this.loadKustomization(dir, false);
    if (!comp) {
      if (this.ok)
        this.fail(err("build/missing-kustomization", `${dir}: component has no kustomization.yaml`, at));
      return;
    }
    if (comp.k.kind !== "Component") {
      this.fail(
        err(
          "build/not-a-component",
          `${comp.file}: expected kind Component (apiVersion kustomize.config.k8s.io/v1alpha1), got ${String(comp.k.kind ?? "Kustomization")}`,
          pos(comp.doc, ["kind"]),
        ),
      );
      return;
    }
    await this.accumulate(comp, ra, [...stack, dir], [...chain, comp.file]);
  }

  private async runTransformers(
    kust: Kustomization,
    ra: Res[],
    override?: KustomizationOverride,
  ): Promise<void> {
    const { k, doc } = kust;
    // patchesStrategicMerge
    const psm = Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : [];
    for (let i = 0; i < psm.length; i++) {
      const entry = psm[i];
      if (typeof entry !== "string") continue;
      const at = pos(doc, ["patchesStrategicMerge", i]);
      const loaded = await this.loadPatch(kust, entry, at, true);
      if (!loaded) continue;
      for (const p of loaded.smp) this.applySmpById(p, ra, at, loaded.doc(p));
    }
    // patches (own, then Flux's)
    const patches: { entry: unknown; at: SourcePosition; fromFlux: boolean }[] = [];
    (Array.isArray(k.patches) ? k.patches : []).forEach((entry, i) => {
      patches.push({ entry, at: pos(doc, ["patches", i]), fromFlux: false });
    });
    for (const p of override?.patches ?? [])
      patches.push({ entry: p, at: p.at ?? override!.origin, fromFlux: true });
    for (const { entry, at, fromFlux } of patches) {
      if (!isObj(entry)) {
        this.fail(err("build/invalid-patch", `${kust.file}: a patch must be a mapping`, at));
        continue;
      }
      const target = entry.target === undefined ? undefined : toSelector(entry.target);
      let loaded: LoadedPatch | undefined;
      if (typeof entry.path === "string" && typeof entry.patch === "string") {
        this.fail(
          err("build/invalid-patch", `${kust.file}: patch and path can't be set at the same time`, at),
        );
        continue;
      }
      if (typeof entry.path === "string") loaded = await this.loadPatch(kust, entry.path, at, false);
      else if (typeof entry.patch === "string") loaded = this.parseInlinePatch(entry.patch, at);
      else {
        this.fail(err("build/invalid-patch", `${kust.file}: must specify one of patch and path`, at));
        continue;
      }
      if (!loaded) continue;
      const options = isObj(entry.options) ? entry.options : {};
      if (loaded.json) {
        if (!target) {
          this.fail(err("build/invalid-patch", `${kust.file}: must specify a target for JSON patch`, at));
          continue;
        }
        this.applyJson(loaded.json, target, ra, at, fromFlux);
      } else if (target) {
        if (loaded.smp.length > 1) {
          this.fail(
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
        if (selected.length === 0) this.warnNoMatch(at, target, fromFlux);
        for (const r of selected) this.applySmp(r, patch, at, loaded.doc(patch), options, ra);
      } else {
        for (const p of loaded.smp) this.applySmpById(p, ra, at, loaded.doc(p), options);
      }
    }
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
      const fields = (Array.isArray(l.fields) ? l.fields : [])
        .map(toFieldSpec)
        .filter((f) => f !== undefined);
      applyLabels(ra, stringMap(l.pairs), l.includeSelectors === true, l.includeTemplates === true, fields);
    }
    applyCommonAnnotations(ra, stringMap(k.commonAnnotations));
    // patchesJson6902
    const pj = Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : [];
    for (let i = 0; i < pj.length; i++) {
      const entry = pj[i];
      const at = pos(doc, ["patchesJson6902", i]);
      if (!isObj(entry)) continue;
      const target = toSelector(entry.target);
      let loaded: LoadedPatch | undefined;
      if (typeof entry.path === "string") loaded = await this.loadPatch(kust, entry.path, at, false);
      else if (typeof entry.patch === "string") loaded = this.parseInlinePatch(entry.patch, at);
      if (!loaded?.json || !target) {
        this.fail(
          err(
            "build/invalid-patch",
            `${kust.file}: patchesJson6902 entry needs a target and a JSON patch`,
            at,
          ),
        );
        continue;
      }
      this.applyJson(loaded.json, target, ra, at);
    }
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
          const loaded = await this.loadRaw(kust, rep.path, at);
          if (loaded === undefined) continue;
          for (const d of loaded) if (isObj(d)) for (const f of applyReplacements(ra, d, at)) this.fail(f);
          continue;
        }
        if (!isObj(rep)) continue;
        rep = clone(rep);
        for (const f of applyReplacements(ra, rep as Obj, at)) this.fail(f);
      }
    }
  }

  /** Flux-level patches are often generic defaults a parent injects everywhere: not matching is normal there. */
  private warnNoMatch(at: SourcePosition, target: Selector, fromFlux = false): void {
    this.findings.push({
      ruleId: "build/patch-no-match",
      severity: fromFlux ? "info" : "warning",
      message: `patch target ${JSON.stringify(target)} matches no resource (kustomize ignores such a patch)`,
      file: at.file,
      line: at.line,
      column: at.column,
    });
  }

  private applySmpById(
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
      this.fail(
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
      this.fail(
        err("build/patch-ambiguous", `multiple resources match strategic merge patch ${kind}/${name}`, at),
      );
      return;
    }
    this.applySmp(matches[0]!, patch, at, pdoc, options, ra);
  }

  private applySmp(
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
    if (!allowKind) r.obj.kind = kind;
    const m = isObj(r.obj.metadata) ? r.obj.metadata : {};
    r.obj.metadata = m;
    if (!allowName) m.name = name;
    if (ns) m.namespace = ns;
    else delete m.namespace;
    r.patchDocs.push(pdoc ? { kind: "doc", doc: pdoc } : { kind: "inline", value: p, at });
    r.chain.push(`patch ${at.file}:${at.line}`);
  }

  private applyJson(ops: unknown[], target: Selector, ra: Res[], at: SourcePosition, fromFlux = false): void {
    const selected = ra.filter((r) => matchesSelector(r, target));
    if (selected.length === 0) this.warnNoMatch(at, target, fromFlux);
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
        this.fail(
          err(
            "build/patch-failed",
            `JSON patch failed on ${describe(r)}: ${firstLine((e as Error).message)}`,
            at,
          ),
        );
      }
    }
  }

  private async loadRaw(
    kust: Kustomization,
    path: string,
    at: SourcePosition,
  ): Promise<unknown[] | undefined> {
    const rel = posix.normalize(posix.join(kust.dir, path));
    const loaded = await this.ctx.files.yaml(rel);
    if (!loaded.ok) {
      if (loaded.finding.ruleId === "build/missing-file") {
        this.fail(err("build/missing-patch", `${kust.file}: '${path}' does not exist`, at));
      } else this.fail(loaded.finding);
      return undefined;
    }
    return loaded.file.documents.map((d) => d.value);
  }

  private async loadPatch(
    kust: Kustomization,
    path: string,
    at: SourcePosition,
    inlineAllowed: boolean,
  ): Promise<LoadedPatch | undefined> {
    if (inlineAllowed && (path.includes("\n") || /^\s*(apiVersion|kind|metadata):/.test(path))) {
      return this.parseInlinePatch(path, at);
    }
    const rel = posix.normalize(posix.join(kust.dir, path));
    const loaded = await this.ctx.files.yaml(rel);
    if (!loaded.ok) {
      if (loaded.finding.ruleId === "build/missing-file") {
        this.fail(err("build/missing-patch", `${kust.file}: patch file '${path}' does not exist`, at));
      } else this.fail(loaded.finding);
      return undefined;
    }
    const docs = loaded.file.documents.filter((d) => d.value !== null && d.value !== undefined);
    if (docs.length === 1 && Array.isArray(docs[0]!.value))
      return { json: docs[0]!.value as unknown[], smp: [], doc: () => undefined };
    const smp: Obj[] = [];
    const byObj = new Map<Obj, YamlDocument>();
    for (const d of docs) {
      if (!isObj(d.value)) {
        this.fail(
          err("build/invalid-patch", `${rel}: unable to parse SM or JSON patch`, { file: rel, ...d.start() }),
        );
        return undefined;
      }
      smp.push(d.value);
      byObj.set(d.value, d);
    }
    return { smp, doc: (p) => byObj.get(p) };
  }

  private parseInlinePatch(text: string, at: SourcePosition): LoadedPatch | undefined {
    // Inline patches are parsed again here (they are strings inside the kustomization); positions map to the entry.
    const trimmed = text.trim();
    const parsed = parseGoYaml(trimmed, at.file);
    if (!parsed.ok) {
      this.fail(
        err("build/invalid-patch", `unable to parse SM or JSON patch: ${parsed.problems[0]!.message}`, at),
      );
      return undefined;
    }
    const docs = parsed.documents.map((d) => d.value).filter((v) => v !== null && v !== undefined);
    if (docs.length === 1 && Array.isArray(docs[0]))
      return { json: docs[0] as unknown[], smp: [], doc: () => undefined };
    if (!docs.every(isObj)) {
      this.fail(err("build/invalid-patch", "unable to parse SM or JSON patch", at));
      return undefined;
    }
    return { smp: docs as Obj[], doc: () => undefined };
  }

  /** Top-level finishing steps. */
  finish(ra: Res[]): Res[] {
    if (this.originDir !== undefined) {
      const top = this.originDir;
      for (const r of ra) {
        const path = top === "." ? r.origin.file : posix.relative(top, r.origin.file);
        const text = r.generatedBy
          ? `configuredIn: ${path}\nconfiguredBy:\n  apiVersion: builtin\n  kind: ${r.generatedBy}\n`
          : `path: ${path}\n`;
        const m = isObj(r.obj.metadata) ? r.obj.metadata : {};
        r.obj.metadata = m;
        m.annotations = {
          ...(isObj(m.annotations) ? m.annotations : {}),
          "config.kubernetes.io/origin": text,
        };
      }
    }
    addHashesAndFixReferences(ra, this.nameRefs);
    for (const r of ra) {
      const bad = findNonFinite(r.obj);
      if (bad) {
        const at = toBuiltObject(r).locate(bad);
        this.fail(
          err(
            "build/unsupported-value",
            `${describe(r)}: ${bad.join(".")} is not a finite number (.inf/.nan cannot be applied)`,
            at,
          ),
        );
      }
    }
    return ra.filter((r) => {
      const a = isObj(r.obj.metadata) && isObj(r.obj.metadata.annotations) ? r.obj.metadata.annotations : {};
      return a["config.kubernetes.io/local-config"] !== "true";
    });
  }
}

interface LoadedPatch {
  json?: unknown[];
  smp: Obj[];
  doc: (p: Obj) => YamlDocument | undefined;
}

function toImageRule(o: Obj): ImageRule {
  const rule: ImageRule = { name: String(o.name ?? "") };
  if (typeof o.newName === "string" && o.newName) rule.newName = o.newName;
  if ((typeof o.newTag === "string" || typeof o.newTag === "number") && String(o.newTag))
    rule.newTag = String(o.newTag);
  if (typeof o.digest === "string" && o.digest) rule.digest = o.digest;
  return rule;
}

/** `/spec/containers/0/image` → `["spec", "containers", 0, "image"]` (`-` = append, kept as a string). */
function pointerToPath(pointer: string): (string | number)[] {
  return pointer
    .split("/")
    .slice(1)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

function asStringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function isResourceLike(v: unknown): boolean {
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

function sameId(a: Res, b: Res): boolean {
  const ga = groupVersion(getApiVersion(a.obj)).group;
  const gb = groupVersion(getApiVersion(b.obj)).group;
  const na = getNamespace(a.obj) || "default";
  const nb = getNamespace(b.obj) || "default";
  return getKind(a.obj) === getKind(b.obj) && ga === gb && getName(a.obj) === getName(b.obj) && na === nb;
}

function describe(r: Res): string {
  const ns = getNamespace(r.obj);
  return `${getKind(r.obj)} ${ns ? `${ns}/` : ""}${getName(r.obj)}`;
}

function syntheticDoc(file: string): YamlDocument {
  // A generated kustomization has no file; findings about it point at the directory, line 1.
  return parseYaml("{}", { file }).documents[0]!;
}

/** Builds `dir` as a top-level kustomization (kustomize build semantics, optionally Flux's overrides). */
export async function buildTopLevel(
  ctx: BuildContext,
  dir: string,
  chain: string[],
  override?: KustomizationOverride,
): Promise<DirBuild> {
  const b = new Builder(ctx, ++topLevelBuilds);
  const raw = await b.buildDir(dir, [], chain, override);
  const resources = b.ok || raw.length > 0 ? b.finish(raw) : [];
  return { resources, findings: b.findings, skipped: b.skipped, nameRefs: b.nameRefs, ok: b.ok };
}
