import { posix } from "node:path";
import { getOrCompute, isRemoteReference, KUSTOMIZATION_FILES, type YamlDocument } from "@homeops/core";
import type { RepoFiles } from "../repo-files.js";
import { isRecord, list, str } from "./text.js";

/** Basenames kustomize accepts for a kustomization file. */
export { KUSTOMIZATION_FILES };

/** One local path a kustomization file points at. */
export interface KustomizeRef {
  /** The kustomization file (repo-relative). */
  file: string;
  document: YamlDocument;
  /** Field kind, for messages. */
  field:
    | "resources"
    | "components"
    | "patches"
    | "patchesStrategicMerge"
    | "patchesJson6902"
    | "configMapGenerator"
    | "secretGenerator"
    | "replacements"
    | "configurations"
    | "transformers"
    | "generators"
    | "validators"
    | "crds"
    | "openapi"
    | "helmCharts";
  /** The entry as written. */
  entry: string;
  /** Path inside the document, for locate(). */
  path: (string | number)[];
  /** Repo-relative normalized target (may start with `..` when it leaves the repo). */
  target: string;
}

export function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_FILES.includes(posix.basename(path));
}

/** true for remote resources (URLs, git bases) that are never local files: core's one rule. */
export const isRemoteRef = isRemoteReference;

/** Joins a kustomization directory and an entry into a normalized repo-relative path. */
export function resolveEntry(dir: string, entry: string): string {
  const joined = posix.normalize(posix.join(dir, entry));
  return joined.replace(/\/+$/, "") || ".";
}

/** The kustomization file of a directory, if it has one. */
export function kustomizationFileIn(files: RepoFiles, dir: string): string | undefined {
  // most paths asked about are files (a kustomization's entries): only a directory can hold one
  if (!files.hasDir(dir)) return undefined;
  for (const name of KUSTOMIZATION_FILES) {
    const path = dir === "." ? name : `${dir}/${name}`;
    if (files.hasFile(path)) return path;
  }
  return undefined;
}

// three rules read the entries of every kustomization file: each file's once per run (per RepoFiles)
const refsByRun = new WeakMap<RepoFiles, Map<string, readonly KustomizeRef[]>>();

/** Every local reference of one kustomization file (remote ones are left out). */
export function kustomizeRefs(files: RepoFiles, file: string): readonly KustomizeRef[] {
  return getOrCompute(
    getOrCompute(refsByRun, files, () => new Map()),
    file,
    () => readKustomizeRefs(files, file),
  );
}

function readKustomizeRefs(files: RepoFiles, file: string): KustomizeRef[] {
  const parsed = files.yaml(file);
  const document = parsed?.documents[0];
  if (!document || !isRecord(document.value)) return [];
  const raw = document.value;
  // kustomize decodes a kustomization with Go's encoding/json, which matches field names regardless of
  // case (`configMapgenerator` is `configMapGenerator`): each field is read under the key the file has
  const keys = new Map<string, string>();
  for (const key of Object.keys(raw)) if (!keys.has(key.toLowerCase())) keys.set(key.toLowerCase(), key);
  const keyOf = (field: string): string => (field in raw ? field : (keys.get(field.toLowerCase()) ?? field));
  const get = (field: string): unknown => raw[keyOf(field)];
  const dir = posix.dirname(file);
  const refs: KustomizeRef[] = [];
  const add = (field: KustomizeRef["field"], entry: unknown, path: (string | number)[]) => {
    const text = str(entry);
    if (text === undefined || text === "" || isRemoteRef(text)) return;
    refs.push({ file, document, field, entry: text, path, target: resolveEntry(dir, text) });
  };
  for (const [i, e] of list(get("resources")).entries()) add("resources", e, [keyOf("resources"), i]);
  for (const [i, e] of list(get("components")).entries()) add("components", e, [keyOf("components"), i]);
  for (const [i, p] of list(get("patches")).entries()) {
    add("patches", isRecord(p) ? p.path : undefined, [keyOf("patches"), i, "path"]);
  }
  for (const [i, p] of list(get("patchesJson6902")).entries()) {
    add("patchesJson6902", isRecord(p) ? p.path : undefined, [keyOf("patchesJson6902"), i, "path"]);
  }
  for (const [i, p] of list(get("patchesStrategicMerge")).entries()) {
    // an inline patch is YAML text, not a path
    if (typeof p === "string" && !p.includes("\n") && !p.includes(": ")) {
      add("patchesStrategicMerge", p, [keyOf("patchesStrategicMerge"), i]);
    }
  }
  for (const [i, r] of list(get("replacements")).entries()) {
    add("replacements", isRecord(r) ? r.path : undefined, [keyOf("replacements"), i, "path"]);
  }
  // files kustomize reads as configuration or plugin config: references, not manifests
  for (const field of ["configurations", "transformers", "generators", "validators", "crds"] as const) {
    for (const [i, e] of list(get(field)).entries()) {
      if (typeof e === "string" && !e.includes("\n")) add(field, e, [keyOf(field), i]);
    }
  }
  const openapi = get("openapi");
  if (isRecord(openapi)) add("openapi", openapi.path, [keyOf("openapi"), "path"]);
  for (const [i, h] of list(get("helmCharts")).entries()) {
    if (isRecord(h)) add("helmCharts", h.valuesFile, [keyOf("helmCharts"), i, "valuesFile"]);
  }
  for (const field of ["configMapGenerator", "secretGenerator"] as const) {
    for (const [i, g] of list(get(field)).entries()) {
      if (!isRecord(g)) continue;
      for (const [j, f] of list(g.files).entries()) {
        const text = str(f);
        if (text !== undefined) {
          add(field, text.includes("=") ? text.slice(text.indexOf("=") + 1) : text, [
            keyOf(field),
            i,
            "files",
            j,
          ]);
        }
      }
      for (const [j, f] of list(g.envs).entries()) add(field, f, [keyOf(field), i, "envs", j]);
      if (g.env !== undefined) add(field, g.env, [keyOf(field), i, "env"]);
    }
  }
  return refs;
}

/** A Kubernetes apiVersion: `v1` or `<group>/<version>` (Talos' bare `v1alpha1` is not one). */
const API_VERSION = /^(v1|[a-z0-9][a-z0-9.-]*\/v\d+((alpha|beta)\d+)?)$/;

/**
 * true when `path` is a Kubernetes manifest: a YAML file with a document that has a Kubernetes apiVersion
 * and a kind. Application config, values files, Talos and helmfile files, promtool tests … are not.
 */
export function isManifestFile(files: RepoFiles, path: string): boolean {
  if (!/\.ya?ml$/.test(path)) return false;
  return (files.yaml(path)?.documents ?? []).some((d) => {
    const v = d.value;
    return (
      isRecord(v) &&
      typeof v.kind === "string" &&
      typeof v.apiVersion === "string" &&
      API_VERSION.test(v.apiVersion)
    );
  });
}

/**
 * true when the kustomization file `owner` names `target` (repo-relative) in a comment, e.g.
 * `# - ./immich/ks.yaml`: the entry was disabled on purpose.
 */
export function isCommentedOut(files: RepoFiles, owner: string, target: string): boolean {
  const text = files.text(owner);
  if (!text?.includes("#")) return false;
  const rel = posix.relative(posix.dirname(owner), target);
  const forms = [rel, `./${rel}`];
  return text.split("\n").some((line) => {
    const hash = line.indexOf("#");
    if (hash === -1) return false;
    const comment = line
      .slice(hash + 1)
      .trim()
      .replace(/^-\s*/, "")
      .replace(/\/$/, "");
    return forms.some((f) => comment === f || comment.startsWith(`${f} `) || comment.startsWith(`"${f}"`));
  });
}
