import type { Finding, Report, ReportCase } from "@homeops/core";
import { UserError } from "@homeops/core";
import type { ObjectReport, ObjectStatus, ValidationUnit } from "@homeops/schema";
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
}

/** The json data of a validate report. */
export interface ValidateManifestsData {
  counts: Record<ObjectStatus, number>;
  objects: ObjectReport[];
  cases: ReportCase[];
  kubernetesVersion: string;
  /** the Flux roots built (found with no flags, or `--cluster-root`), each with why */
  roots: import("@homeops/manifests").FluxRoot[];
  /** kustomization directories no Flux Kustomization reaches: listed, not validated */
  unreached: string[];
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
  let builds = 0;
  // the Flux roots: --cluster-root, else what bootstraps Flux (inside the directory asked for)
  let roots: import("@homeops/manifests").FluxRoot[];
  if (options.clusterRoot) {
    if (!repo.has(options.clusterRoot)) {
      throw new UserError("FILE_NOT_FOUND", `${options.clusterRoot}: no such directory`, {
        hint: "--cluster-root names the directory holding the Flux entry points",
      });
    }
    roots = [{ path: options.clusterRoot, source: "kubernetes/flux", reason: "--cluster-root" }];
  } else {
    const found = manifests.discoverFluxRoots(repo.root);
    roots = found.roots.filter((r) => target === "." || r.path === target || r.path.startsWith(`${target}/`));
    const legacy = `${target === "." ? "" : `${target}/`}flux`;
    if (found.roots.length === 0 && repo.has(legacy)) {
      roots = [{ path: legacy, source: "kubernetes/flux", reason: `${legacy} (default)` }];
    }
  }
  const graphs: Awaited<ReturnType<Repository["graph"]>>[] = [];
  for (const r of roots) {
    progress(`Flux root${r.cluster ? ` [${r.cluster}]` : ""}: ${r.path} (${r.reason})`);
    const graph = await repo.graph({
      clusterRoot: r.path,
      allowNetwork,
      ...(r.strict !== undefined ? { strict: r.strict } : {}),
      ...(r.url ? { repositoryUrl: r.url } : {}),
      ...(r.repositorySources ? { repositorySources: r.repositorySources } : {}),
    });
    graphs.push(graph);
    findings.push(...graph.findings);
    for (const ks of graph.kustomizations) {
      builds++;
      for (const object of ks.objects)
        units.push({
          origin: `${r.cluster ? `[${r.cluster}] ` : ""}Kustomization ${ks.namespace}/${ks.name}`,
          object,
        });
    }
  }
  // a directory is reached when one root's build reaches it
  let standalone: string[] | undefined;
  for (const graph of graphs) {
    const left = manifests.findStandaloneKustomizationDirs(repo.root, target, { graph });
    standalone = standalone === undefined ? left : standalone.filter((d) => left.includes(d));
  }
  standalone ??= manifests.findStandaloneKustomizationDirs(repo.root, target, {});
  const unreached: string[] = [];
  for (const dir of standalone) {
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
    summary: `Flux root${roots.length === 1 ? "" : "s"}: ${
      roots.map((r) => `${r.cluster ? `[${r.cluster}] ` : ""}${r.path} (${r.reason})`).join(", ") || "none"
    }\n${units.length} resources found in ${builds} builds - Valid: ${counts.valid}, Invalid: ${counts.invalid}, Errors: ${counts.error}, Skipped: ${counts.skipped}${
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
    },
  };
}
