import { performance } from "node:perf_hooks";
import { type Report, type ReportRule, sortFindings, UserError } from "@homeops/core";
import type { InvariantsReport } from "@homeops/invariants";
import type { FluxRoot, RepoGraph } from "@homeops/manifests";
import { applyBaseline, type CheckBaselineData, type CheckBaselineOptions } from "./baseline.js";
import { type ChangedOnlyOptions, changedFiles, selectChanged } from "./changes.js";
import { requireFluxRoots } from "./flux-roots.js";
import { lenientView } from "./internal/lenient.js";
import { type HelmRenderOptions, renderHelmStage } from "./render-helm.js";
import type { Repository } from "./repository.js";
import type { ChangedOnlyData } from "./validate-manifests.js";

export interface CheckRepositoryOptions {
  /** Run only these rule ids (an unknown id is a `UserError`). Default: every rule. */
  rule?: readonly string[];
  /** Flux entry points, repo-relative. Default `<kubernetesDir>/flux`. */
  clusterRoot?: string;
  /** The cluster config, repo-relative. Default `bootstrap/config.yaml` when it exists. */
  config?: string;
  /** Progress lines. Default: none. */
  onProgress?: (message: string) => void;
  /** HelmReleases rendered (chart in the cache), so the invariants judge their objects. Default: render. */
  helm?: HelmRenderOptions;
  /**
   * Changed-only: report only the findings in the files of the Flux Kustomizations a change since this
   * base may change (and of those that depend on them), and in the changed files. Default: everything.
   */
  changedOnly?: ChangedOnlyOptions;
  /**
   * Compare the findings with a recorded baseline (each marked `new` or `unchanged`; recorded ones never
   * fail the run), or record them as the baseline (`write`). Default: no baseline.
   */
  baseline?: CheckBaselineOptions;
}

/** Timings of one check, in milliseconds. */
export interface CheckTimings {
  read: number;
  build: number;
  rules: number;
  total: number;
}

/** The json data of a check report. */
export interface CheckRepositoryData {
  rulesRun: string[];
  rulesSkipped: InvariantsReport["rulesSkipped"];
  suppressed: (InvariantsReport["suppressed"][number]["finding"] & {
    suppressedBy: string;
    reason: string;
  })[];
  filesChecked: number;
  filesParsedOutsideBuild: string[];
  kustomizations: number;
  /** the Flux roots checked (found with no flags, or `--cluster-root`), each with why */
  roots: FluxRoot[];
  timingsMs: Record<keyof CheckTimings, number>;
  /** Present in a changed-only run. */
  changedOnly?: ChangedOnlyData;
  /** Present when a baseline was compared or written. */
  baseline?: CheckBaselineData;
}

/** Every documented rule, for reports whose findings name them. */
export async function documentedRules(): Promise<ReportRule[]> {
  const { listRules } = await import("@homeops/invariants");
  return listRules().map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    rationale: r.rationale,
    hint: r.hint,
    docs: r.docs,
  }));
}

/**
 * The `check` stage: every invariant over the repository's files and its RepoGraph (the lenient verdict
 * of the one strict build: undefined variables are the rules' findings), sharing the build's parse.
 * A missing cluster root is a `UserError`.
 */
export async function checkRepository(
  repo: Repository,
  options: CheckRepositoryOptions = {},
): Promise<Report<CheckRepositoryData> & { timings: CheckTimings }> {
  const progress = options.onProgress ?? (() => {});
  const inv = await import("@homeops/invariants");
  const { parseRepoYaml } = await import("@homeops/manifests");
  const only = options.rule ?? [];
  const unknown = only.filter((id) => !inv.findRule(id));
  if (unknown.length > 0) {
    throw new UserError("USAGE", `unknown rule id: ${unknown.join(", ")}`, {
      hint: "list the rules with `homeops explain --list`",
    });
  }
  const start = performance.now();
  progress("reading the repository");
  const files = await repo.files();
  const { settings, findings: settingsFindings } = await repo.settings();
  const roots = await requireFluxRoots(repo, { clusterRoot: options.clusterRoot });
  const config = await repo.config(options.config);
  const read = performance.now();
  progress("building every Flux Kustomization");
  const graphs: RepoGraph[] = [];
  // helm findings of a root whose render gave no report (withRenderedObjects puts the others in its graph)
  const helmFindings = [];
  for (const r of roots) {
    progress(`Flux root${r.cluster ? ` [${r.cluster}]` : ""}: ${r.path} (${r.reason})`);
    const built0 = lenientView(await rootGraph(repo, r));
    if (built0.helmReleases.length > 0 && options.helm?.render !== false) progress("rendering HelmReleases");
    const helm = await renderHelmStage(built0, options.helm);
    if (helm.report === undefined) {
      helmFindings.push(...helm.findings);
      graphs.push(built0);
    } else {
      graphs.push((await import("@homeops/helm")).withRenderedObjects(built0, helm.report));
    }
  }
  const built = performance.now();
  progress("checking invariants");
  // one report per cluster, merged (a finding two clusters share is reported once)
  const report = mergeReports(
    graphs.map((graph) =>
      inv.checkInvariants(
        {
          files,
          graph,
          // a file another cluster's build read is parsed once, as that build parsed it
          parsed: graphs.filter((g) => g !== graph).map((g) => g.files),
          // a file no build read, as a build would read it (and kept in the parse cache)
          parse: parseRepoYaml,
          ...(config ? { config } : {}),
          ...(settings ? { settings } : {}),
        },
        only.length > 0 ? { only } : {},
      ),
    ),
  );
  const graph = { kustomizations: graphs.flatMap((g) => g.kustomizations) };
  const rootsLine = roots
    .map((r) => `${r.cluster ? `[${r.cluster}] ` : ""}${r.path} (${r.reason})`)
    .join(", ");
  let findings = [...(await repo.fileFindings()), ...settingsFindings, ...report.findings, ...helmFindings];
  let changedOnly: ChangedOnlyData | undefined;
  if (options.changedOnly) {
    // the rules judge the whole graph (references cross Kustomizations); the report keeps the changed part
    const changed = await changedFiles(repo, options.changedOnly);
    changedOnly = { changed: changed.map((c) => c.path), affected: [], of: 0 };
    const files = new Set<string>();
    for (const g of graphs) {
      const selection = await selectChanged(g, changed, { dependents: true });
      for (const f of selection.files) files.add(f);
      changedOnly.of += g.kustomizations.length;
      for (const [kustomization, reason] of selection.affected)
        changedOnly.affected.push({ kustomization, reason });
    }
    findings = findings.filter((f) => f.file === undefined || files.has(f.file));
  }
  let baseline: CheckBaselineData | undefined;
  if (options.baseline) ({ findings, baseline } = await applyBaseline(repo, findings, options.baseline));
  await repo.saveCaches();
  const end = performance.now();
  const timings = { read: read - start, build: built - read, rules: end - built, total: end - start };
  return {
    command: "check",
    // withRenderedObjects put the render findings into the graph's: checkInvariants includes build findings
    findings,
    rules: await documentedRules(),
    summary: `${
      changedOnly
        ? `changed-only: ${changedOnly.changed.length} changed files; ${changedOnly.affected.length} of ${changedOnly.of} Flux Kustomizations affected; `
        : ""
    }${report.rulesRun.length} rules over ${report.filesChecked} files and ${graph.kustomizations.length} Flux Kustomizations${
      report.suppressed.length > 0 ? `; ${report.suppressed.length} suppressed` : ""
    }; Flux root${roots.length === 1 ? "" : "s"}: ${rootsLine}${baseline?.new === undefined ? "" : `; ${baseline.new} new, ${baseline.unchanged} in the baseline${(baseline.fixed ?? 0) > 0 ? `, ${baseline.fixed} fixed since` : ""}`}`,
    data: {
      rulesRun: report.rulesRun,
      rulesSkipped: report.rulesSkipped,
      suppressed: report.suppressed.map((s) => ({ ...s.finding, suppressedBy: s.by, reason: s.reason })),
      filesChecked: report.filesChecked,
      filesParsedOutsideBuild: report.filesParsedOutsideBuild,
      kustomizations: graph.kustomizations.length,
      roots,
      timingsMs: {
        read: Math.round(timings.read),
        build: Math.round(timings.build),
        rules: Math.round(timings.rules),
        total: Math.round(timings.total),
      },
      ...(changedOnly ? { changedOnly } : {}),
      ...(baseline ? { baseline } : {}),
    },
    timings,
  };
}

/** The RepoGraph of one Flux root, built once by the repository (its strictness, URL and sources). */
export function rootGraph(
  repo: Repository,
  root: FluxRoot,
  options: { allowNetwork?: boolean } = {},
): ReturnType<Repository["graph"]> {
  return repo.graph({
    clusterRoot: root.path,
    ...(options.allowNetwork !== undefined ? { allowNetwork: options.allowNetwork } : {}),
    ...(root.strict !== undefined ? { strict: root.strict } : {}),
    ...(root.url ? { repositoryUrl: root.url } : {}),
    ...(root.repositorySources ? { repositorySources: root.repositorySources } : {}),
  });
}

function mergeReports(reports: InvariantsReport[]): InvariantsReport {
  if (reports.length === 1) return reports[0]!;
  const once = <T>(items: T[]): T[] => {
    const seen = new Set<string>();
    return items.filter((item) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  return {
    findings: sortFindings(once(reports.flatMap((r) => r.findings))),
    suppressed: once(reports.flatMap((r) => r.suppressed)),
    rulesRun: once(reports.flatMap((r) => r.rulesRun)),
    rulesSkipped: once(reports.flatMap((r) => r.rulesSkipped)),
    filesChecked: Math.max(...reports.map((r) => r.filesChecked)),
    filesParsedOutsideBuild: once(reports.flatMap((r) => r.filesParsedOutsideBuild)),
  };
}
