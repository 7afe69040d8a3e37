import { UserError } from "@homeops/core";
import type { RepoGraph } from "@homeops/manifests";
import type { Repository } from "@homeops/repo";

/**
 * The RepoGraph of the repository's Flux cluster root (default `<kubernetesDir>/flux`), built once by the
 * repository, as the controllers build it. What diff, drift and doctor compare the cluster with.
 */
export async function loadFluxGraph(repo: Repository, clusterRoot?: string): Promise<RepoGraph> {
  const dir = clusterRoot ?? `${await repo.kubernetesDir()}/flux`;
  if (!repo.has(dir, "dir")) {
    throw new UserError("FILE_NOT_FOUND", `${dir}: no such directory (the Flux cluster root)`, {
      hint: "run from the repository root (or -C <repo>), or pass --cluster-root <dir>",
    });
  }
  return repo.graph({ clusterRoot: dir });
}
