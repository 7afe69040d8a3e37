// A kustomize build of the subset real home-ops repos use, in kustomize's order of operations
// (sigs.k8s.io/kustomize/api/internal/target/kusttarget.go). This file holds the Builder (loading a
// kustomization, building directories as bases, the per-kustomization sequence and the top-level finish);
// each stage lives in ./kustomize/: resources.ts (1, accumulate resources), generate.ts (2, generators),
// components.ts (3, components), transformers.ts (4, transformers) and patches.ts (5, the patch
// transformers); fields.ts says which kustomization fields are built and which are refused. At the top level
// only: hash suffixes, name references, dropping local-config objects.
import { posix } from "node:path";
import { type Finding, KUSTOMIZATION_FILES } from "@homeops/core";
import type { SkippedRemote, SourcePosition } from "../types.js";
import type { FileStore } from "./files.js";
import { BuildInputs, trackFiles } from "./inputs.js";
import { asStringList, err, type Kustomization, pos, syntheticDoc } from "./kustomize/common.js";
import { accumulateComponent } from "./kustomize/components.js";
import { checkFields } from "./kustomize/fields.js";
import { loadConfigurations, runGenerators } from "./kustomize/generate.js";
import { accumulateResource, describe, isResourceLike } from "./kustomize/resources.js";
import { runTransformers } from "./kustomize/transformers.js";
import { cloneRes, findNonFinite, isObj, type Obj, type Res, toBuiltObject } from "./res.js";
import type { Selector } from "./select.js";
import { addHashesAndFixReferences, type ImageRule, type NameReference } from "./transforms.js";

export { isRemote, newRes } from "./kustomize/resources.js";

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
  /** Flux Kustomization builds are looked up in and kept by the build cache (`useBuildCache`). Default true. */
  buildCache?: boolean;
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
  /** What the build read (absent for a build that never ran). */
  inputs?: BuildInputs;
}

/** One build session over a directory tree (one top-level kustomization). */
export class Builder {
  readonly findings: Finding[] = [];
  readonly skipped: SkippedRemote[] = [];
  ok = true;
  readonly nameRefs: NameReference[] = [];
  /**
   * Set when Flux's generator adds `buildMetadata: [originAnnotations]` (an existing top-level
   * kustomization without `resources`): objects then carry `config.kubernetes.io/origin`.
   */
  originDir: string | undefined;

  /** Every repository path this build (and the cached directory builds it reused) read. */
  readonly inputs = new BuildInputs();
  /** The run's context with the file store recording into `inputs`. */
  readonly ctx: BuildContext;

  constructor(
    private readonly base: BuildContext,
    private readonly owner: number,
  ) {
    this.ctx = { ...base, files: trackFiles(base.files, this.inputs) };
  }

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
      // a copy: the checks rename case-insensitive field names in it, the document is shared (read-only)
      return { dir, file: rel, doc, k: isObj(k) ? { ...k } : {}, generated: false };
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
        const sub = new Builder(this.base, this.owner);
        const entry: DirCacheEntry = {
          promise: sub.buildDirUncached(dir, [...stack], [], undefined).then((resources) => {
            entry.done = true;
            return {
              resources,
              findings: sub.findings,
              skipped: sub.skipped,
              nameRefs: sub.nameRefs,
              ok: sub.ok,
              inputs: sub.inputs,
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
      if (built.inputs) this.inputs.add(built.inputs);
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
        const refused = this.ctx.files.unreadableReason(dir);
        const where = { file: dir, line: 1, column: 1 };
        this.fail(
          refused
            ? err("build/unreadable-file", refused.message, where, refused.hint)
            : err("build/missing-kustomization", `${dir}: no kustomization.yaml in directory`, where),
        );
      }
      return [];
    }
    const kind = kust.k.kind;
    // a Component directory built on its own is accumulated like a Kustomization (kustomize and Flux both do)
    if (kind === "Component" && stack.length > 0) {
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
    checkFields(this, kust);
    const resources = [...asStringList(k.bases), ...asStringList(k.resources)];
    const resourceKey = (i: number): (string | number)[] => {
      const bases = asStringList(k.bases).length;
      return i < bases ? ["bases", i] : ["resources", i - bases];
    };
    for (let i = 0; i < resources.length; i++) {
      await accumulateResource(this, kust, resources[i]!, pos(doc, resourceKey(i)), ra, stack, chain);
    }
    await loadConfigurations(this, kust);
    await runGenerators(this, kust, ra, chain);
    const components = [...asStringList(k.components), ...(override?.components ?? [])];
    const ownComponents = asStringList(k.components).length;
    for (let i = 0; i < components.length; i++) {
      const at = i < ownComponents ? pos(doc, ["components", i]) : override!.origin;
      await accumulateComponent(this, kust, components[i]!, at, ra, stack, chain);
    }
    await runTransformers(this, kust, ra, override, stack, chain);
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
  return {
    resources,
    findings: b.findings,
    skipped: b.skipped,
    nameRefs: b.nameRefs,
    ok: b.ok,
    inputs: b.inputs,
  };
}
