import type { Finding, Report, ReportCase } from "@homeops/core";
import { UserError } from "@homeops/core";
import type { ChangedFile, FluxRoot, GraphSnapshot, GraphUpdate, RepoGraph } from "@homeops/manifests";
import type {
  ObjectReport,
  ObjectStatus,
  SchemaCatalog,
  SchemaComment,
  ValidationUnit,
} from "@homeops/schema";
import { type ChangedOnlyOptions, changedFiles, inSelection, selectChanged } from "./changes.js";
import { rootGraph } from "./check-repository.js";
import { findFluxRoots } from "./flux-roots.js";
import {
  changedSinceRecord,
  recordId,
  type SnapshotRecord,
  type WorkTreeState,
  workTreeState,
} from "./internal/snapshot.js";
import { type HelmRenderOptions, helmOrigin, renderHelmStage } from "./render-helm.js";
import type { Repository } from "./repository.js";

export interface ValidateManifestsOptions {
  /** The manifests directory, relative to the repository root. Default `kubernetes`. */
  dir?: string;
  /** Reject fields the schema does not declare. Default true. */
  strict?: boolean;
  /** Kinds not validated: `Kind` or `apiVersion/Kind`. Default `["Secret"]`. */
  skip?: readonly string[];
  /** kubeconform's flag, accepted: objects without a schema are skipped unless `requireSchemas`. */
  ignoreMissingSchemas?: boolean;
  /** Extra schema dirs/templates, tried before the built-in catalog (`default` places it). Default none. */
  schemaLocation?: readonly string[];
  /** Fetch remote kustomize inputs and http(s) schema locations. Default false. */
  allowNetwork?: boolean;
  /** `{{.NormalizedKubernetesVersion}}` of schema-location templates. Default: the catalog's. */
  kubernetesVersion?: string;
  /** Flux entry points, repo-relative. Default `<dir>/flux`. */
  clusterRoot?: string;
  /** Where compiled schemas are kept between runs. Default: not kept. */
  cacheDir?: string;
  /** The schema cache `homeops schemas pull` fills, read offline. Default: none. */
  schemaCacheDir?: string;
  /** An object whose kind has no schema is an error instead of `skipped (no schema)`. Default false. */
  requireSchemas?: boolean;
  /** Undeclared custom-resource fields (see `validateObject`). Default `error`. */
  crdUnknownFields?: "error" | "warn" | "auto";
  /** Violations on values still holding `${VAR}` (see `validateObject`). Default `error`. */
  unresolvedVariables?: "error" | "defer";
  /** The command named in the report. Default `kubeconform`. */
  command?: string;
  /** Progress lines (what is being built). Default: none. */
  onProgress?: (message: string) => void;
  /** HelmReleases rendered (chart in the cache) and their objects validated too. Default: render. */
  helm?: HelmRenderOptions;
  /**
   * Changed-only: validate only the Flux Kustomizations a change since this base may change (see
   * `affectedKustomizations`), with the findings a full run gives for them. Default: everything.
   */
  changedOnly?: ChangedOnlyOptions;
}

/** What a changed-only run selected. */
export interface ChangedOnlyData {
  /** files that differ from the base */
  changed: string[];
  /** the Kustomizations validated, each with why */
  affected: { kustomization: string; reason: string }[];
  /** how many Kustomizations the roots have */
  of: number;
  /** how the graph was had: from the snapshot of an earlier run, or built in full and why */
  snapshot?: string;
}

/** One HelmRelease of a validate run: rendered (its objects validated), skipped (chart not cached) or error. */
export interface HelmReleaseSummary {
  name: string;
  status: "rendered" | "skipped" | "error";
  chart?: string;
  reason?: string;
}

/** The json data of a validate report. */
export interface ValidateManifestsData {
  counts: Record<ObjectStatus, number>;
  objects: ObjectReport[];
  cases: ReportCase[];
  kubernetesVersion: string;
  /** the Flux roots built (found with no flags, or `--cluster-root`), each with why */
  roots: FluxRoot[];
  /** kustomization directories no Flux Kustomization reaches: listed, not validated */
  unreached: string[];
  /** `apiVersion Kind` → objects skipped for want of a schema */
  noSchema: Record<string, number>;
  /** Every HelmRelease and whether it was rendered. Absent when there is none or rendering is off. */
  helmReleases?: HelmReleaseSummary[];
  /** Present in a changed-only run. */
  changedOnly?: ChangedOnlyData;
}

/** The objects a validate run checks: every Flux build's and every standalone kustomization dir's. */
export interface ManifestUnits {
  /** the manifests directory, repo-relative */
  target: string;
  units: ValidationUnit[];
  /** the CRDs of the schema catalog (every build's, also in a changed-only run) */
  crds: CatalogCrd[];
  findings: Finding[];
  builds: number;
  roots: FluxRoot[];
  /** what root discovery looked for (shown when it found none) */
  lookedFor: string[];
  unreached: string[];
  /** every HelmRelease of the roots' graphs and whether it was rendered (empty when `helm` is not given) */
  helmReleases: HelmReleaseSummary[];
  /** present in a changed-only run */
  changedOnly?: ChangedOnlyData;
}

/**
 * The `validate` stage (`homeops kubeconform`): every Flux Kustomization of the cluster root, and every
 * kustomization directory under `dir` no Flux build reaches, each object validated against the strict
 * schema catalog. Findings: the builds', one per violation, error and unexpected skip, and one when
 * nothing was validated (a run that checks nothing fails). A missing directory is a `UserError`.
 */
export async function validateManifests(
  repo: Repository,
  options: ValidateManifestsOptions = {},
): Promise<Report<ValidateManifestsData>> {
  const { target, units, crds, findings, builds, roots, lookedFor, unreached, helmReleases, changedOnly } =
    await collectManifestUnits(repo, {
      ...options,
      helm: options.helm ?? {},
    });
  const { validateObjects } = await import("@homeops/schema/catalog");
  const catalog = await repositoryCatalog(repo, units, options, crds);
  for (const problem of catalog.crdProblems) {
    findings.push({
      ruleId: "kubeconform/crd-unusable",
      severity: "warning",
      message: `CustomResourceDefinition at ${problem.source} gives no schema: ${problem.message}`,
      hint: "its kinds are validated against the catalog or cache instead",
    });
  }
  await addDocumentSchemas(repo, units);
  const result = await validateObjects(catalog, units, {
    skipKinds: options.skip ?? ["Secret"],
    requireSchemas: options.requireSchemas ?? false,
    crdUnknownFields: options.crdUnknownFields ?? "error",
    unresolvedVariables: options.unresolvedVariables ?? "error",
  });
  findings.push(...result.findings);
  await repo.saveCaches();
  const { counts, noSchema } = result;
  if (counts.valid + counts.invalid === 0 && (changedOnly === undefined || units.length > 0)) {
    findings.push({
      ruleId: "kubeconform/nothing-validated",
      severity: "error",
      message: `no object under ${target} was validated (${units.length} found, ${counts.skipped} skipped, ${counts.error} errors)`,
      hint: "a run that checks nothing is a failure: check the directory and --skip, and add schemas for the skipped kinds",
    });
  }
  const skippedNoSchema = noSchema.reduce((sum, m) => sum + m.count, 0);
  const noSchemaSummary =
    skippedNoSchema > 0
      ? ` (no schema: ${skippedNoSchema} in ${noSchema.length} kinds: ${noSchema.map((m) => `${m.kind} ×${m.count}`).join(", ")})`
      : "";
  const rendered = helmReleases.filter((r) => r.status === "rendered").length;
  const failed = helmReleases.filter((r) => r.status === "error").length;
  const helmSummary =
    rendered + failed === 0
      ? ""
      : `; HelmReleases rendered: ${rendered}, failed: ${failed}, not rendered (chart not cached): ${helmReleases.filter((r) => r.status === "skipped").length}`;
  return {
    command: options.command ?? "kubeconform",
    findings,
    cases: result.cases,
    summary: `Flux root${roots.length === 1 ? "" : "s"}: ${
      roots.map((r) => `${r.cluster ? `[${r.cluster}] ` : ""}${r.path} (${r.reason})`).join(", ") ||
      `none found under ${target}, only its plain kustomization directories were built (looked for ${lookedFor.join("; ")}; --cluster-root names one)`
    }${
      changedOnly
        ? `\nchanged-only: ${changedOnly.changed.length} changed files; ${changedOnly.affected.length} of ${changedOnly.of} Flux Kustomizations affected`
        : ""
    }\n${units.length} resources found in ${builds} builds - Valid: ${counts.valid}, Invalid: ${counts.invalid}, Errors: ${counts.error}, Skipped: ${counts.skipped}${noSchemaSummary}${helmSummary}${
      unreached.length > 0
        ? `\n${unreached.length} kustomization director${unreached.length === 1 ? "y" : "ies"} not reached by Flux (not validated; --verbose lists them)`
        : ""
    }`,
    data: {
      counts,
      objects: result.objects,
      cases: result.cases,
      kubernetesVersion: catalog.kubernetesVersion,
      roots,
      unreached,
      noSchema: Object.fromEntries(noSchema.map((m) => [m.kind, m.count])),
      ...(helmReleases.length > 0 ? { helmReleases } : {}),
      ...(changedOnly ? { changedOnly } : {}),
    },
  };
}

/**
 * Builds every Flux Kustomization of the cluster root and every kustomization directory under `dir` no
 * Flux build reaches: the objects a validate run checks. With `helm`, each root's HelmReleases are
 * rendered and their objects added. A missing directory is a `UserError`.
 */
export async function collectManifestUnits(
  repo: Repository,
  options: Pick<
    ValidateManifestsOptions,
    "dir" | "allowNetwork" | "clusterRoot" | "onProgress" | "helm" | "changedOnly"
  > = {},
): Promise<ManifestUnits> {
  const progress = options.onProgress ?? (() => {});
  const target = repo.relative(options.dir ?? "kubernetes");
  if (!repo.has(target, "dir")) {
    throw new UserError("FILE_NOT_FOUND", `${target}: no such directory`, {
      hint: "run from the repository root (or pass -C <repo>) and name the manifests directory, e.g. `kubernetes`",
    });
  }
  const allowNetwork = options.allowNetwork ?? false;
  const manifests = await import("@homeops/manifests");
  const units: ValidationUnit[] = [];
  const findings: Finding[] = [];
  const helmReleases: HelmReleaseSummary[] = [];
  let builds = 0;
  // a changed-only run keeps a snapshot for the next one (with the build cache; a full run pays nothing for
  // it): the work tree as Git sees it
  const keep =
    !allowNetwork &&
    options.changedOnly !== undefined &&
    options.changedOnly.basePath === undefined &&
    repo.keepsCaches;
  const asked = keep ? workTreeState(repo) : undefined;
  const id = recordId(repo, target, options.clusterRoot);
  // while Git answers: the kept record read, the validation's modules loaded
  const record = asked ? manifests.loadGraphRecord<SnapshotRecord>(id) : undefined;
  if (record) import("@homeops/schema/catalog").catch(() => {});
  const state = await asked;
  const changed = options.changedOnly ? await changedFiles(repo, options.changedOnly, state) : undefined;
  const changedOnly: ChangedOnlyData | undefined = changed
    ? { changed: changed.map((c) => c.path), affected: [], of: 0 }
    : undefined;
  const fast = changed && state ? await updateRecord(repo, record, state, changed) : undefined;
  if (changedOnly && fast) {
    changedOnly.snapshot = fast.why;
    progress(`changed-only: ${fast.why}`);
  }
  const found =
    fast?.record ?? (await findFluxRoots(repo, { clusterRoot: options.clusterRoot, within: target }));
  const { roots, lookedFor } = found;
  const graphs: RepoGraph[] = [];
  const snapshots: (GraphSnapshot | undefined)[] = [];
  for (const [i, r] of roots.entries()) {
    progress(`Flux root${r.cluster ? ` [${r.cluster}]` : ""}: ${r.path} (${r.reason})`);
    const updated = fast?.graphs?.[i];
    const graph = updated?.graph ?? (await rootGraph(repo, r, { allowNetwork }));
    graphs.push(graph);
    if (state) snapshots.push(updated?.snapshot ?? (await manifests.snapshotRepoGraph(graph)));
    let selected = graph;
    if (changed && changedOnly) {
      // only what the change may reach: those builds' findings and objects, as a full run gives them
      const selection = await selectChanged(
        graph,
        changed,
        updated ? { declaredBy: updated.declaredBy, affected: updated.selected } : {},
      );
      // by content: the graph's findings are deduplicated, a build's may be another copy of the same one
      const id = (f: Finding): string => `${f.ruleId}|${f.file}|${f.line}|${f.column}|${f.message}`;
      const own = new Set(selection.kustomizations.flatMap((k) => k.findings.map(id)));
      const anyBuild = new Set(graph.kustomizations.flatMap((k) => k.findings.map(id)));
      const keep = new Set(selection.kustomizations.map((k) => `${k.namespace}/${k.name}`));
      selected = {
        ...graph,
        kustomizations: selection.kustomizations,
        objects: selection.kustomizations.flatMap((k) => k.objects),
        helmReleases: graph.helmReleases.filter((h) => keep.has(h.kustomization)),
        findings: graph.findings.filter(
          (f) => own.has(id(f)) || (!anyBuild.has(id(f)) && inSelection(selection, f)),
        ),
      };
      changedOnly.of += graph.kustomizations.length;
      for (const [kustomization, reason] of selection.affected)
        changedOnly.affected.push({
          kustomization: `${r.cluster ? `[${r.cluster}] ` : ""}${kustomization}`,
          reason,
        });
    }
    findings.push(...selected.findings);
    for (const ks of selected.kustomizations) {
      builds++;
      for (const object of ks.objects)
        units.push({
          origin: `${r.cluster ? `[${r.cluster}] ` : ""}Kustomization ${ks.namespace}/${ks.name}`,
          object,
        });
    }
    if (options.helm !== undefined) {
      if (graph.helmReleases.length > 0 && options.helm.render !== false) progress("rendering HelmReleases");
      const helm = await renderHelmStage(selected, { allowNetwork, ...options.helm });
      findings.push(...helm.findings);
      for (const hr of helm.report?.releases ?? [])
        helmReleases.push({
          name: `${r.cluster ? `[${r.cluster}] ` : ""}${hr.namespace}/${hr.name}`,
          status: hr.status,
          ...(hr.chart ? { chart: `${hr.chart.name}@${hr.chart.version}` } : {}),
          ...(hr.reason ? { reason: hr.reason } : {}),
        });
      for (const object of helm.report?.objects ?? [])
        units.push({ origin: helmOrigin(object.provenance.chain), object });
    }
  }
  // a directory is reached when one root's build reaches it
  let standalone: string[] | undefined = fast?.record?.standalone;
  if (!fast?.graphs) {
    for (const graph of graphs) {
      const left = manifests.findStandaloneKustomizationDirs(repo.root, target, { graph });
      standalone = standalone === undefined ? left : standalone.filter((d) => left.includes(d));
    }
  }
  standalone ??= manifests.findStandaloneKustomizationDirs(repo.root, target, {});
  if (state && snapshots.every((g) => g !== undefined)) {
    const kept: SnapshotRecord = {
      state,
      roots,
      lookedFor,
      relevant: found.relevant,
      standalone,
      graphs: snapshots as GraphSnapshot[],
    };
    manifests.storeGraphRecord(id, kept);
  }
  const unreached: string[] = [];
  for (const dir of standalone) {
    // changed-only: a directory no file of which changed is left out
    if (changed && !changed.some((c) => c.path.startsWith(`${dir}/`))) continue;
    if (roots.length > 0) {
      // Flux never applies it: not validated as deployed (its ${VARS} are unsubstituted)
      unreached.push(dir);
      findings.push({
        ruleId: "kubeconform/not-reached",
        severity: "info",
        message: `${dir}: not reached by Flux (no Flux Kustomization builds it); not validated`,
        file: dir,
      });
      continue;
    }
    progress(`kustomize build ${dir}`);
    const build = await manifests.buildKustomizationDir(repo.root, dir, {
      allowNetwork,
      contents: (rel) => repo.read(rel).catch(() => undefined),
      logger: repo.logger,
    });
    builds++;
    findings.push(...build.findings);
    for (const object of build.objects) units.push({ origin: `kustomize ${dir}`, object });
  }
  // the schema catalog's CRDs: every build's (a changed-only run validates a part, against the same schemas)
  const crds = changed
    ? [
        ...(fast?.graphs
          ? fast.graphs.flatMap((g) => g.snapshot.crds)
          : graphs.flatMap((g) =>
              g.objects
                .filter((o) => o.kind === "CustomResourceDefinition")
                .map((o) => ({ object: o.object, source: `${o.provenance.file}:${o.provenance.line}` })),
            )),
        ...crdsOf(units.filter((u) => !u.origin.startsWith("Kustomization "))),
      ]
    : crdsOf(units);
  return {
    target,
    units,
    crds,
    findings,
    builds,
    roots,
    lookedFor,
    unreached,
    helmReleases,
    ...(changedOnly ? { changedOnly } : {}),
  };
}

/** The CustomResourceDefinitions among validation units, as the catalog takes them. */
function crdsOf(units: readonly ValidationUnit[]): CatalogCrd[] {
  return units
    .filter(({ object }) => object.kind === "CustomResourceDefinition")
    .map(({ object }) => ({
      object: object.object,
      source: `${object.provenance.file}:${object.provenance.line}`,
    }));
}

type CatalogCrd = { object: Record<string, unknown>; source: string };

/**
 * The graphs of the kept record, updated for the files changed since it was kept (manifests'
 * `updateRepoGraph`): undefined without a record; `graphs` absent (and `why` saying why) when the change
 * needs a full build.
 */
async function updateRecord(
  repo: Repository,
  record: SnapshotRecord | undefined,
  state: WorkTreeState,
  changed: readonly ChangedFile[],
): Promise<
  | {
      why: string;
      record?: SnapshotRecord;
      graphs?: Extract<GraphUpdate, { ok: true }>[];
    }
  | undefined
> {
  const manifests = await import("@homeops/manifests");
  if (!record) return { why: "no snapshot of an earlier run: built in full" };
  const since = await changedSinceRecord(repo, record, state);
  if ("reason" in since) return { why: `built in full: ${since.reason}` };
  const graphs: Extract<GraphUpdate, { ok: true }>[] = [];
  for (const snapshot of record.graphs) {
    const update = await manifests.updateRepoGraph(repo.root, snapshot, {
      sinceSnapshot: since.files,
      changed,
      contents: (rel) => repo.read(rel).catch(() => undefined),
      contentsInsideRoot: true,
    });
    if (!update.ok) return { why: `built in full: ${update.reason}` };
    graphs.push(update);
  }
  const built = graphs.reduce((n, g) => n + g.built, 0);
  return {
    why: `updated the snapshot of an earlier run (${since.files.length} files changed since; ${built} Kustomizations built)`,
    record,
    graphs,
  };
}

/**
 * The run's schema catalog: the repository's own CRDs (every `CustomResourceDefinition` the build
 * produced) first, then the user's locations, the bundled catalog and the schema cache.
 */
export async function repositoryCatalog(
  repo: Repository,
  units: readonly ValidationUnit[],
  options: Pick<
    ValidateManifestsOptions,
    "strict" | "schemaLocation" | "allowNetwork" | "kubernetesVersion" | "cacheDir" | "schemaCacheDir"
  > = {},
  /** the CRDs to take (default: the units'); a changed-only run passes every build's */
  crds: readonly CatalogCrd[] = crdsOf(units),
): Promise<SchemaCatalog> {
  const { SchemaCatalog } = await import("@homeops/schema/catalog");
  return new SchemaCatalog({
    strict: options.strict ?? true,
    locations: [...(options.schemaLocation ?? [])],
    allowNetwork: options.allowNetwork ?? false,
    cwd: repo.root,
    crds: [...crds],
    ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.schemaCacheDir ? { schemaCacheDir: options.schemaCacheDir } : {}),
  });
}

/**
 * Sets each unit's document schemas: the `# yaml-language-server: $schema=<url>` its file names for its
 * document, unless that URL is in the kind layout (those are templates for `homeops schemas pull`).
 */
async function addDocumentSchemas(repo: Repository, units: ValidationUnit[]): Promise<void> {
  const schema = await import("@homeops/schema/catalog");
  const byFile = new Map<string, { comments: SchemaComment[]; separators: number[] }>();
  for (const unit of units) {
    const file = unit.object.provenance.file;
    let entry = byFile.get(file);
    if (!entry) {
      const text = await repo
        .read(file)
        .then((b) => b.toString("utf8"))
        .catch(() => "");
      const comments = text.includes("$schema=") ? schema.findSchemaComments(text) : [];
      entry = { comments, separators: comments.length > 0 ? schema.documentSeparators(text) : [] };
      byFile.set(file, entry);
    }
    if (entry.comments.length === 0) continue;
    const comment = schema.schemaCommentFor(entry.comments, unit.object.provenance.line, entry.separators);
    if (comment && !schema.kindSchemaTemplate(comment.url)) unit.documentSchemas = [comment.url];
  }
}
