import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ClusterClient } from "@homeops/flux-bridge";
import type { HelmRenderOptions, Repository } from "@homeops/repo";
import { reportBadges } from "./badges.js";
import { buildReportModel, type ReportModel } from "./model.js";
import { renderSite } from "./site.js";

export interface CreateReportOptions {
  /** Flux entry points, repo-relative. Default: the roots the bootstrap points at (as `check`). */
  clusterRoot?: string;
  /** A live cluster whose Flux status the report shows. Default: none (the page says so). */
  cluster?: ClusterClient;
  /** HelmRelease rendering of the stages. Default: the stages' default. */
  helm?: HelmRenderOptions;
  /** Run the kubeconform and check stages (findings, node colours). Default true; `graph` needs none. */
  stages?: boolean;
  /** Progress lines. Default: none. */
  onProgress?: (message: string) => void;
}

/**
 * The report of a repository: its graphs (built once by the repository), the kubeconform and check
 * stages over them, and the live Flux status when a cluster is given.
 */
export async function createReport(
  repo: Repository,
  options: CreateReportOptions = {},
): Promise<ReportModel> {
  const { checkRepository, requireFluxRoots, rootGraph, validateManifests } = await import("@homeops/repo");
  const roots = await requireFluxRoots(repo, { clusterRoot: options.clusterRoot });
  const graphs = [];
  for (const r of roots) graphs.push(await rootGraph(repo, r));
  const common = {
    ...(options.clusterRoot ? { clusterRoot: options.clusterRoot } : {}),
    ...(options.helm ? { helm: options.helm } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const reports =
    options.stages === false
      ? []
      : [
          await validateManifests(repo, { ...common, dir: await repo.kubernetesDir() }),
          await checkRepository(repo, common),
        ];
  let status: Awaited<ReturnType<typeof import("@homeops/flux-bridge").getFluxStatus>> | undefined;
  if (options.cluster) {
    options.onProgress?.("reading Flux status from the cluster");
    const { getFluxStatus } = await import("@homeops/flux-bridge");
    status = await getFluxStatus(options.cluster);
  }
  return buildReportModel({
    roots,
    graphs,
    reports,
    sources: await repo.files(),
    ...(status ? { status } : {}),
  });
}

export interface WriteReportOptions {
  /** Directory of the site. Default `dashboards/site` (relative to `root`). */
  siteDir?: string;
  /** Directory of the badge files. Default `dashboards/badges` (relative to `root`). */
  badgesDir?: string;
}

/** Writes the site and the badges of `model` under `root`; returns the files written (absolute). */
export async function writeReport(
  model: ReportModel,
  root: string,
  options: WriteReportOptions = {},
): Promise<string[]> {
  const written: string[] = [];
  const out = async (dir: string, files: Record<string, string>) => {
    const abs = resolve(root, dir);
    await mkdir(abs, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      await writeFile(join(abs, name), text);
      written.push(join(abs, name));
    }
  };
  await out(options.siteDir ?? "dashboards/site", renderSite(model));
  const badges = Object.fromEntries(
    Object.entries(reportBadges(model)).map(([name, badge]) => [name, `${JSON.stringify(badge, null, 2)}\n`]),
  );
  await out(options.badgesDir ?? "dashboards/badges", badges);
  return written;
}
