import type { Finding, Report } from "@homeops/core";
import type { BuiltObject, FluxKustomizationNode } from "@homeops/manifests";
import { rootGraph } from "./check-repository.js";
import { findFluxRoots } from "./flux-roots.js";
import { checkoutToTemp, type ResolvedBase, resolveBase } from "./internal/git-tree.js";
import {
  diffFields,
  type FieldChange,
  hiddenPath,
  isSecretLike,
  redactPair,
  unifiedDiff,
} from "./internal/object-diff.js";
import { type HelmRenderOptions, renderHelmStage } from "./render-helm.js";
import { openRepository, type Repository } from "./repository.js";

export type { FieldChange };

export interface DiffRepositoryOptions {
  /** The git revision to compare with. Default: the merge base of HEAD and its upstream branch. */
  base?: string;
  /** The manifests directory, repo-relative. Default `kubernetes`. */
  dir?: string;
  /** Flux entry points, repo-relative. Default: the discovered Flux roots (as `validateManifests`). */
  clusterRoot?: string;
  /** Progress lines (which side is being built). Default: none. */
  onProgress?: (message: string) => void;
  /**
   * HelmReleases rendered on both sides (default: those whose chart is in the cache), so a chart or values
   * bump shows as changes of the objects Helm produces (`--no-render-helm`: the HelmRelease objects only).
   */
  helm?: HelmRenderOptions;
}

export type DiffAction = "added" | "removed" | "changed";

/** One object that Flux would apply differently. */
export interface ObjectDiff {
  action: DiffAction;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** repo-relative source file and line: the first changed field's in the head (a changed object), the object's (added), the base's (removed) */
  file: string;
  line: number;
  /** the fields that differ (changed objects only); secret values are `hidden`, never shown */
  changes: FieldChange[];
  /** a HelmRelease's `spec.values` changes, paths relative to the values (changed HelmReleases only) */
  values?: FieldChange[];
  /** a Secret or SOPS-encrypted object: its values are redacted everywhere */
  secret?: true;
  /** unified YAML diff base → head, secret values redacted */
  diff: string;
}

/** One Flux Kustomization whose objects differ (or that is new, or gone). */
export interface KustomizationDiff {
  /** `namespace/name`, prefixed `[cluster] ` when the repository has several Flux roots */
  kustomization: string;
  action: DiffAction;
  file: string;
  line: number;
  objects: ObjectDiff[];
  counts: Record<DiffAction, number>;
}

/** The json data of a diff report. */
export interface DiffRepositoryData {
  base: ResolvedBase;
  kustomizations: KustomizationDiff[];
  /** objects added, removed, changed over every Kustomization */
  counts: Record<DiffAction, number>;
  /** true when anything differs (the CLI exits 1) */
  differs: boolean;
}

interface Side {
  /** key → node */
  kustomizations: Map<string, { label: string; node: FluxKustomizationNode }>;
  findings: Finding[];
}

function objectKey(o: BuiltObject): string {
  return [o.apiVersion, o.kind, o.namespace ?? "", o.name].join("|");
}

function objectLabel(o: Pick<BuiltObject, "kind" | "namespace" | "name">): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

async function buildSide(
  repo: Repository,
  options: DiffRepositoryOptions,
  side: "base" | "head",
): Promise<Side> {
  const target = repo.relative(options.dir ?? "kubernetes");
  const kustomizations: Side["kustomizations"] = new Map();
  const findings: Finding[] = [];
  // a base without the manifests directory (the first PR of a repository) has no Kustomizations
  if (!repo.has(target, "dir")) return { kustomizations, findings };
  const { roots } = await findFluxRoots(repo, { clusterRoot: options.clusterRoot, within: target });
  const several = roots.length > 1;
  for (const r of roots) {
    options.onProgress?.(`${side}: Flux root ${r.path} (${r.reason})`);
    let graph = await rootGraph(repo, r);
    const helm = await renderHelmStage(graph, options.helm);
    if (helm.report) {
      graph = (await import("@homeops/helm")).withRenderedObjects(graph, helm.report);
      const skipped = helm.report.releases.filter((h) => h.status === "skipped");
      if (side === "head" && skipped.length > 0) {
        findings.push({
          ruleId: "diff/helm-not-rendered",
          severity: "info",
          message: `${skipped.length} HelmRelease${skipped.length === 1 ? "" : "s"} not rendered (${skipped
            .slice(0, 3)
            .map((h) => `${h.namespace}/${h.name}: ${h.reason ?? "not rendered"}`)
            .join(
              "; ",
            )}${skipped.length > 3 ? "; …" : ""}): only ${skipped.length === 1 ? "its" : "their"} HelmRelease objects are compared`,
          hint: "pull the charts once with --allow-network; afterwards the diff renders them offline",
        });
      }
    }
    for (const h of helm.findings)
      if (h.ruleId === "helm/engine-missing" && side === "head") findings.push(h);
    for (const node of graph.kustomizations) {
      const label = `${several && r.cluster ? `[${r.cluster}] ` : ""}${node.namespace}/${node.name}`;
      kustomizations.set(label, { label, node });
      if (node.status === "error") {
        findings.push({
          ruleId: "diff/build-error",
          severity: "warning",
          message: `Kustomization ${label} does not build at the ${side}: its diff may be incomplete`,
          hint: "run `homeops check` for the build findings",
          ...(side === "head" ? { file: node.file, line: node.line } : {}),
        });
      }
    }
  }
  return { kustomizations, findings };
}

const plain = ({ at: _, ...change }: FieldChange & { at?: unknown }): FieldChange => change;

function valuesChanges(before: BuiltObject, after: BuiltObject): FieldChange[] | undefined {
  if (after.kind !== "HelmRelease") return undefined;
  const spec = (o: BuiltObject) => (o.object.spec as Record<string, unknown> | undefined)?.values;
  return diffFields(spec(before), spec(after)).map(plain);
}

function diffObject(
  action: DiffAction,
  before: BuiltObject | undefined,
  after: BuiltObject | undefined,
): ObjectDiff | undefined {
  const o = (after ?? before)!;
  if (before && after && JSON.stringify(before.object) === JSON.stringify(after.object)) return undefined;
  const secret = isSecretLike(before?.object) || isSecretLike(after?.object);
  const [a, b] = redactPair(before?.object, after?.object);
  const changes =
    before && after ? diffFields(before.object, after.object, secret ? hiddenPath(o.object) : undefined) : [];
  const values = before && after ? valuesChanges(before, after) : undefined;
  const first = changes[0];
  const where = first && after ? after.locate(first.at) : o.provenance;
  return {
    action,
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    file: where.file,
    line: where.line ?? o.provenance.line,
    changes: changes.map(plain),
    ...(values && values.length > 0 ? { values } : {}),
    ...(secret ? { secret: true as const } : {}),
    diff: unifiedDiff(a, b, `${o.kind.toLowerCase()}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`),
  };
}

function diffKustomization(
  label: string,
  before: FluxKustomizationNode | undefined,
  after: FluxKustomizationNode | undefined,
): KustomizationDiff | undefined {
  const index = (node: FluxKustomizationNode | undefined) => {
    const map = new Map<string, BuiltObject>();
    for (const o of node?.objects ?? []) map.set(objectKey(o), o);
    return map;
  };
  const a = index(before);
  const b = index(after);
  const objects: ObjectDiff[] = [];
  for (const [key, o] of b) {
    const was = a.get(key);
    const d = diffObject(was ? "changed" : "added", was, o);
    if (d) objects.push(d);
  }
  for (const [key, o] of a) if (!b.has(key)) objects.push(diffObject("removed", o, undefined)!);
  const action: DiffAction = !before ? "added" : !after ? "removed" : "changed";
  if (objects.length === 0 && action === "changed") return undefined;
  objects.sort(
    (x, y) =>
      x.kind.localeCompare(y.kind) ||
      (x.namespace ?? "").localeCompare(y.namespace ?? "") ||
      x.name.localeCompare(y.name) ||
      x.apiVersion.localeCompare(y.apiVersion),
  );
  const node = (after ?? before)!;
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const o of objects) counts[o.action]++;
  return { kustomization: label, action, file: node.file, line: node.line, objects, counts };
}

function changeLine(c: FieldChange): string {
  if (c.hidden) return `${c.path} ${c.action} (value hidden)`;
  if (c.action === "added") return `${c.path} added: ${c.after}`;
  if (c.action === "removed") return `${c.path} removed (was ${c.before})`;
  return `${c.path}: ${c.before} → ${c.after}`;
}

/** One line per field change, HelmRelease values as `values.<path>` (what the reporters show). */
export function describeChanges(o: ObjectDiff): string[] {
  if (o.values) {
    const rest = o.changes.filter((c) => !c.path.startsWith("spec.values"));
    return [
      ...o.values.map((c) =>
        changeLine({
          ...c,
          path: c.path === "" ? "values" : c.path.startsWith("[") ? `values${c.path}` : `values.${c.path}`,
        }),
      ),
      ...rest.map(changeLine),
    ];
  }
  return o.changes.map(changeLine);
}

/**
 * What Flux would apply differently after this change: builds the repository at the base revision (its
 * tree written from Git's objects into a temporary directory: the work tree, the index and HEAD are never
 * touched) and at the work tree, through the same repository layer, and matches objects by Flux
 * Kustomization and apiVersion/kind/namespace/name. Secret values are never part of the result. Not a
 * Git work tree, an unknown base or no upstream branch: a `UserError`.
 */
export async function diffRepository(
  repo: Repository,
  options: DiffRepositoryOptions = {},
): Promise<Report<DiffRepositoryData>> {
  const base = await resolveBase(repo.root, options.base);
  options.onProgress?.(`base: ${base.rev} (${base.commit.slice(0, 12)})`);
  const tree = await checkoutToTemp(repo.root, base.commit);
  let before: Side;
  try {
    const baseRepo = await openRepository(tree.dir, { cwd: tree.dir, logger: repo.logger });
    before = await buildSide(baseRepo, options, "base");
  } finally {
    await tree.remove();
  }
  const after = await buildSide(repo, options, "head");
  const kustomizations: KustomizationDiff[] = [];
  const labels = [...new Set([...before.kustomizations.keys(), ...after.kustomizations.keys()])].sort();
  for (const label of labels) {
    const d = diffKustomization(
      label,
      before.kustomizations.get(label)?.node,
      after.kustomizations.get(label)?.node,
    );
    if (d) kustomizations.push(d);
  }
  const counts = { added: 0, removed: 0, changed: 0 };
  const findings: Finding[] = [...after.findings, ...before.findings];
  for (const ks of kustomizations) {
    for (const o of ks.objects) {
      counts[o.action]++;
      const detail = describeChanges(o);
      findings.push({
        ruleId: `diff/${o.action}`,
        severity: "info",
        message: `${objectLabel(o)} ${o.action} (Kustomization ${ks.kustomization})${
          detail.length > 0
            ? `: ${detail.slice(0, 3).join("; ")}${detail.length > 3 ? `; … ${detail.length - 3} more` : ""}`
            : ""
        }`,
        // a removed object's file is the base's: not a line of this change
        ...(o.action === "removed" ? {} : { file: o.file, line: o.line }),
      });
    }
  }
  const differs = kustomizations.length > 0;
  return {
    command: "diff",
    findings,
    summary: differs
      ? `${kustomizations.length} Kustomization${kustomizations.length === 1 ? "" : "s"} differ from ${base.rev} (${base.commit.slice(0, 12)}): ${counts.added} added, ${counts.removed} removed, ${counts.changed} changed`
      : `no difference from ${base.rev} (${base.commit.slice(0, 12)})`,
    data: { base, kustomizations, counts, differs },
  };
}
