import { performance } from "node:perf_hooks";
import { type Report, type ReportRule, UserError } from "@homeops/core";
import type { InvariantsReport } from "@homeops/invariants";
import { lenientView } from "./internal/lenient.js";
import { type HelmRenderOptions, renderHelmStage } from "./render-helm.js";
import type { Repository } from "./repository.js";

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
  timingsMs: Record<keyof CheckTimings, number>;
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
  const clusterRoot = options.clusterRoot ?? `${await repo.kubernetesDir()}/flux`;
  if (!repo.has(clusterRoot, "dir")) {
    throw new UserError("FILE_NOT_FOUND", `${clusterRoot}: no such directory (the Flux cluster root)`, {
      hint: "run from the repository root (or pass -C <repo>), or name the Flux entry points with --cluster-root",
    });
  }
  const config = await repo.config(options.config);
  const read = performance.now();
  progress("building every Flux Kustomization");
  const built0 = lenientView(await repo.graph({ clusterRoot }));
  if (built0.helmReleases.length > 0 && options.helm?.render !== false) progress("rendering HelmReleases");
  const helm = await renderHelmStage(built0, options.helm);
  const graph =
    helm.report === undefined
      ? built0
      : (await import("@homeops/helm")).withRenderedObjects(built0, helm.report);
  const built = performance.now();
  progress("checking invariants");
  const report = inv.checkInvariants(
    { files, graph, ...(config ? { config } : {}), ...(settings ? { settings } : {}) },
    only.length > 0 ? { only } : {},
  );
  const end = performance.now();
  const timings = { read: read - start, build: built - read, rules: end - built, total: end - start };
  return {
    command: "check",
    // withRenderedObjects put the render findings into the graph's: checkInvariants includes build findings
    findings: [...settingsFindings, ...report.findings, ...(helm.report === undefined ? helm.findings : [])],
    rules: await documentedRules(),
    summary: `${report.rulesRun.length} rules over ${report.filesChecked} files and ${graph.kustomizations.length} Flux Kustomizations${
      report.suppressed.length > 0 ? `; ${report.suppressed.length} suppressed` : ""
    }`,
    data: {
      rulesRun: report.rulesRun,
      rulesSkipped: report.rulesSkipped,
      suppressed: report.suppressed.map((s) => ({ ...s.finding, suppressedBy: s.by, reason: s.reason })),
      filesChecked: report.filesChecked,
      filesParsedOutsideBuild: report.filesParsedOutsideBuild,
      kustomizations: graph.kustomizations.length,
      timingsMs: {
        read: Math.round(timings.read),
        build: Math.round(timings.build),
        rules: Math.round(timings.rules),
        total: Math.round(timings.total),
      },
    },
    timings,
  };
}
