import { UserError } from "@homeops/core";
import type { RepoGraph } from "@homeops/manifests";
import { type Repository, requireFluxRoots, rootGraph } from "@homeops/repo";

/**
 * The RepoGraph of the repository's Flux root (found as every command finds it, or `clusterRoot`), built
 * once by the repository, as the controllers build it. What diff, drift and doctor compare the cluster with:
 * one cluster, so a repository with several roots needs `--cluster-root`.
 */
export async function loadFluxGraph(repo: Repository, clusterRoot?: string): Promise<RepoGraph> {
  const roots = await requireFluxRoots(repo, { clusterRoot });
  if (roots.length > 1) {
    throw new UserError(
      "USAGE",
      `the repository has ${roots.length} Flux roots (${roots.map((r) => `${r.cluster ? `[${r.cluster}] ` : ""}${r.path}`).join(", ")}): a cluster is compared with one`,
      { hint: "name the connected cluster's root with --cluster-root <dir>" },
    );
  }
  return rootGraph(repo, roots[0]!);
}
