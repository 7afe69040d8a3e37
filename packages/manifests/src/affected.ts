import { posix } from "node:path";
import type { FluxKustomizationNode, RepoGraph } from "./types.js";

/** A file that differs between the base and the work tree (repo-relative posix path). */
export interface ChangedFile {
  path: string;
  /**
   * The texts the file had (base and/or work tree) when known: a `substituteFrom` source that the
   * repository lacks is looked for in them. Absent: the file may declare anything.
   */
  texts?: readonly string[];
}

export interface AffectedOptions {
  /** Also take the Kustomizations whose `dependsOn` names an affected one (their checks read it). Default false. */
  dependents?: boolean;
  /**
   * The files that made each Kustomization's object in its parent's build (`declaringFiles`), when the
   * graph's nodes do not all hold their objects (a graph a snapshot updated). Default: from the graph.
   */
  declaredBy?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The files that made each Flux Kustomization's object in its parent's build (`namespace/name` → the
 * object's file and the kustomization files, components and patches of its provenance chain).
 */
export function declaringFiles(graph: Pick<RepoGraph, "kustomizations">): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const parent of graph.kustomizations) {
    for (const o of parent.objects) {
      if (o.kind !== "Kustomization" || !o.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")) continue;
      const files = new Set<string>([o.provenance.file]);
      for (const entry of o.provenance.chain) {
        const file = chainFile(entry);
        if (file) files.add(file);
      }
      out.set(`${o.namespace ?? parent.namespace}/${o.name}`, files);
    }
  }
  return out;
}

/**
 * The Flux Kustomizations of `graph` whose build may differ after `changed`, each with why
 * (`namespace/name` → reason). A Kustomization is affected when a change touches what its build read
 * (`inputs`: path, components, patches, generator inputs, listed directories, paths looked for), the file
 * that declares it or what changed its object in the parent's build (the parent's kustomization files,
 * components and patches), its parent's spec (the parent's patches and substitution apply to it), or a
 * `substituteFrom` source (its file, the Kustomization that builds it, or, when the repository lacks it,
 * any changed file naming it).
 */
export function affectedKustomizations(
  graph: Pick<RepoGraph, "kustomizations">,
  changed: readonly ChangedFile[],
  options: AffectedOptions = {},
): Map<string, string> {
  const key = (k: { namespace: string; name: string }): string => `${k.namespace}/${k.name}`;
  const byKey = new Map(graph.kustomizations.map((k) => [key(k), k]));
  const paths = new Set(changed.map((c) => c.path));
  const dirsOfChanged = new Set(changed.map((c) => posix.dirname(c.path)));
  const hit = (file: string): boolean => paths.has(file);
  const out = new Map<string, string>();

  const direct = (k: FluxKustomizationNode): string | undefined => {
    if (hit(k.file)) return `${k.file} declares it`;
    for (const f of k.inputs.files) if (hit(f)) return `its build reads ${f}`;
    for (const d of k.inputs.dirs) if (dirsOfChanged.has(d)) return `its build lists ${d}`;
    for (const a of k.inputs.absent)
      for (const p of paths) if (p === a || p.startsWith(`${a}/`)) return `its build looks for ${a}`;
    for (const f of declaredBy(k)) if (hit(f)) return `${f} changes its object`;
    for (const s of k.substitutionSources ?? []) {
      if (s.file !== undefined && hit(s.file)) return `substituteFrom ${s.kind}/${s.name} (${s.file})`;
      if (!s.found) {
        const named = changed.find((c) => c.texts === undefined || c.texts.some((t) => t.includes(s.name)));
        if (named) return `substituteFrom ${s.kind}/${s.name} may be declared in ${named.path}`;
      }
    }
    return undefined;
  };

  // the object of a Kustomization as its parent's build produced it: which files made it
  const objectFiles = options.declaredBy ?? declaringFiles(graph);
  function declaredBy(k: FluxKustomizationNode): Iterable<string> {
    return objectFiles.get(key(k)) ?? [];
  }

  // a parent's spec (patches, targetNamespace, substitution) shapes its children's objects
  const specChanged = new Map<string, boolean>();
  const specOf = (k: FluxKustomizationNode): boolean => {
    const known = specChanged.get(key(k));
    if (known !== undefined) return known;
    specChanged.set(key(k), false);
    const parent = k.parent === undefined ? undefined : byKey.get(k.parent);
    const changedHere =
      hit(k.file) ||
      [...declaredBy(k)].some(hit) ||
      (k.substitutionSources ?? []).some((s) => s.file !== undefined && hit(s.file)) ||
      (parent !== undefined && specOf(parent));
    specChanged.set(key(k), changedHere);
    return changedHere;
  };

  for (const k of graph.kustomizations) {
    const why = direct(k);
    if (why) out.set(key(k), why);
    else if (k.parent !== undefined) {
      const parent = byKey.get(k.parent);
      if (parent && specOf(parent)) out.set(key(k), `the spec of its parent ${k.parent} changed`);
    }
  }
  // substituteFrom a ConfigMap/Secret another Kustomization builds: that build's change reaches it
  for (let grew = true; grew; ) {
    grew = false;
    for (const k of graph.kustomizations) {
      if (out.has(key(k))) continue;
      const source = (k.substitutionSources ?? []).find((s) => s.producedBy && out.has(s.producedBy));
      const dependency = options.dependents ? k.dependsOn.find((d) => out.has(key(d))) : undefined;
      if (source)
        out.set(key(k), `substituteFrom ${source.kind}/${source.name} is built by ${source.producedBy}`);
      else if (dependency) out.set(key(k), `it depends on ${key(dependency)}`);
      else continue;
      grew = true;
    }
  }
  return out;
}

/** The repo-relative file of a provenance chain entry (`patch a/b.yaml:12`, `a/kustomization.yaml`), if any. */
function chainFile(entry: string): string | undefined {
  if (entry.startsWith("Kustomization ") || /^[a-z]+:\/\//.test(entry)) return undefined;
  const rest = entry.includes(" ") ? entry.slice(entry.indexOf(" ") + 1) : entry;
  return rest.replace(/:\d+$/, "");
}
