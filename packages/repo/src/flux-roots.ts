import { UserError } from "@homeops/core";
import type { FluxRoot } from "@homeops/manifests";
import type { Repository } from "./repository.js";

export interface FluxRootsOptions {
  /** `--cluster-root`: the one root, which must be a directory of the repository. */
  clusterRoot?: string | undefined;
  /**
   * Only roots inside this directory (the manifests directory a command was given), and the conventional
   * root `<within>/flux` when nothing is discovered. Default: the whole repository, `<kubernetesDir>/flux`.
   */
  within?: string;
}

export interface FoundFluxRoots {
  roots: FluxRoot[];
  /** What discovery looked for (for the message when nothing is found). */
  lookedFor: string[];
  /** The files whose documents discovery read (see `FluxRootDiscovery.relevant`). */
  relevant: string[];
}

/**
 * The Flux roots of the repository, the one way every command finds them: `clusterRoot` when given, else
 * the ones its bootstrap points at (`discoverFluxRoots`: a FluxInstance, flux-instance values, gotk-sync,
 * `clusters/<name>/`, …), else the conventional root when it exists. May be empty.
 */
export async function findFluxRoots(
  repo: Repository,
  options: FluxRootsOptions = {},
): Promise<FoundFluxRoots> {
  const { clusterRoot } = options;
  if (clusterRoot) {
    if (!repo.has(clusterRoot, "dir")) {
      throw new UserError("FILE_NOT_FOUND", `${clusterRoot}: no such directory (the Flux cluster root)`, {
        hint: "--cluster-root names the directory holding the Flux entry points, relative to the repository",
      });
    }
    return {
      roots: [{ path: clusterRoot, source: "kubernetes/flux", reason: "--cluster-root" }],
      lookedFor: [],
      relevant: [],
    };
  }
  const { discoverFluxRoots } = await import("@homeops/manifests");
  // through the repository's reads: the build that follows finds every file already read
  const found = await discoverFluxRoots(repo.root, { read: (rel) => repo.read(rel).catch(() => undefined) });
  const within = options.within ?? ".";
  const roots = found.roots.filter(
    (r) => within === "." || r.path === within || r.path.startsWith(`${within}/`),
  );
  if (found.roots.length === 0) {
    const conventional =
      options.within === undefined
        ? `${await repo.kubernetesDir()}/flux`
        : within === "."
          ? "flux"
          : `${within}/flux`;
    if (repo.has(conventional, "dir")) {
      roots.push({ path: conventional, source: "kubernetes/flux", reason: "the conventional root" });
    }
  }
  return { roots, lookedFor: found.lookedFor, relevant: found.relevant };
}

/** As `findFluxRoots`, for the commands that need one: none found is a `UserError` listing what was looked for. */
export async function requireFluxRoots(
  repo: Repository,
  options: FluxRootsOptions = {},
): Promise<FluxRoot[]> {
  const found = await findFluxRoots(repo, options);
  if (found.roots.length === 0) throw noFluxRoot(found.lookedFor);
  return found.roots;
}

/** The error (and the text of the note) for a repository in which no Flux root was found. */
export function noFluxRoot(lookedFor: readonly string[]): UserError {
  return new UserError("FILE_NOT_FOUND", "no Flux root found in the repository", {
    hint: `looked for ${lookedFor.join("; ")}. Run from the repository root (or pass -C <repo>), or name the directory holding the Flux entry points with --cluster-root <dir>`,
  });
}
