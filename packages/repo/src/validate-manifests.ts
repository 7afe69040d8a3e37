import type { Finding, Report, ReportCase } from "@homeops/core";
import { UserError } from "@homeops/core";
import type { ObjectReport, ObjectStatus, ValidationUnit } from "@homeops/schema";
import { type HelmRenderOptions, helmOrigin, renderHelmStage } from "./render-helm.js";
import type { Repository } from "./repository.js";

export interface ValidateManifestsOptions {
  /** The manifests directory, relative to the repository root. Default `kubernetes`. */
  dir?: string;
  /** Reject fields the schema does not declare. Default true. */
  strict?: boolean;
  /** Kinds not validated: `Kind` or `apiVersion/Kind`. Default `["Secret"]`. */
  skip?: readonly string[];
  /** Objects without a schema are skipped instead of errors. Default false. */
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
  /** The command named in the report. Default `kubeconform`. */
  command?: string;
  /** Progress lines (what is being built). Default: none. */
  onProgress?: (message: string) => void;
  /** HelmReleases rendered (chart in the cache) and their objects validated too. Default: render. */
  helm?: HelmRenderOptions;
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
  /** Every HelmRelease and whether it was rendered. Absent when there is none or rendering is off. */
  helmReleases?: HelmReleaseSummary[];
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
  const progress = options.onProgress ?? (() => {});
  const target = repo.relative(options.dir ?? "kubernetes");
  if (!repo.has(target, "dir")) {
    throw new UserError("FILE_NOT_FOUND", `${target}: no such directory`, {
      hint: "run from the repository root (or pass -C <repo>) and name the manifests directory, e.g. `kubernetes`",
    });
  }
  const allowNetwork = options.allowNetwork ?? false;
  const skip = options.skip ?? ["Secret"];
  const { SchemaCatalog, validateObjects } = await import("@homeops/schema");
  const catalog = new SchemaCatalog({
    strict: options.strict ?? true,
    locations: [...(options.schemaLocation ?? [])],
    allowNetwork,
    cwd: repo.root,
    ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });

  const manifests = await import("@homeops/manifests");
  const units: ValidationUnit[] = [];
  const findings: Finding[] = [];
  const helmReleases: HelmReleaseSummary[] = [];
  let builds = 0;
  const clusterRoot = options.clusterRoot ?? `${target === "." ? "" : `${target}/`}flux`;
  let graph: Awaited<ReturnType<Repository["graph"]>> | undefined;
  if (repo.has(clusterRoot)) {
    progress(`building Flux Kustomizations from ${clusterRoot}`);
    graph = await repo.graph({ clusterRoot, allowNetwork });
    findings.push(...graph.findings);
    for (const ks of graph.kustomizations) {
      builds++;
      for (const object of ks.objects)
        units.push({ origin: `Kustomization ${ks.namespace}/${ks.name}`, object });
    }
    if (graph.helmReleases.length > 0 && options.helm?.render !== false) progress("rendering HelmReleases");
    const helm = await renderHelmStage(graph, {
      allowNetwork,
      ...options.helm,
    });
    findings.push(...helm.findings);
    for (const r of helm.report?.releases ?? [])
      helmReleases.push({
        name: `${r.namespace}/${r.name}`,
        status: r.status,
        ...(r.chart ? { chart: `${r.chart.name}@${r.chart.version}` } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
      });
    for (const object of helm.report?.objects ?? [])
      units.push({ origin: helmOrigin(object.provenance.chain), object });
  } else if (options.clusterRoot) {
    throw new UserError("FILE_NOT_FOUND", `${clusterRoot}: no such directory`, {
      hint: "--cluster-root names the directory holding the Flux entry points",
    });
  }
  for (const dir of manifests.findStandaloneKustomizationDirs(repo.root, target, graph ? { graph } : {})) {
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

  const rendered = helmReleases.filter((r) => r.status === "rendered").length;
  const helmSummary =
    rendered + helmReleases.filter((r) => r.status === "error").length === 0
      ? ""
      : `; HelmReleases rendered: ${rendered}, failed: ${helmReleases.filter((r) => r.status === "error").length}, not rendered (chart not cached): ${helmReleases.filter((r) => r.status === "skipped").length}`;
  const result = await validateObjects(catalog, units, {
    skipKinds: skip,
    ignoreMissingSchemas: options.ignoreMissingSchemas ?? false,
  });
  findings.push(...result.findings);
  const { counts } = result;
  if (counts.valid + counts.invalid === 0) {
    findings.push({
      ruleId: "kubeconform/nothing-validated",
      severity: "error",
      message: `no object under ${target} was validated (${units.length} found, ${counts.skipped} skipped, ${counts.error} errors)`,
      hint: "a run that checks nothing is a failure: check the directory, --skip and --ignore-missing-schemas",
    });
  }
  return {
    command: options.command ?? "kubeconform",
    findings,
    cases: result.cases,
    summary: `${units.length} resources found in ${builds} builds - Valid: ${counts.valid}, Invalid: ${counts.invalid}, Errors: ${counts.error}, Skipped: ${counts.skipped}${helmSummary}`,
    data: {
      counts,
      objects: result.objects,
      cases: result.cases,
      kubernetesVersion: catalog.kubernetesVersion,
      ...(helmReleases.length > 0 ? { helmReleases } : {}),
    },
  };
}
