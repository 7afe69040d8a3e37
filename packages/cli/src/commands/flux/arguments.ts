import type { StatusScope } from "@homeops/flux-bridge";
import { InvalidArgumentError } from "commander";
import { repositoryOptions } from "../../internal/repository-options.js";
import type { CliContext } from "../../io.js";

/** `ks`/`kustomization`, `hr`/`helmrelease`. */
export function kindArgument(value: string): "ks" | "hr" {
  const map: Record<string, "ks" | "hr"> = { ks: "ks", kustomization: "ks", hr: "hr", helmrelease: "hr" };
  const kind = map[value.toLowerCase()];
  if (!kind) throw new InvalidArgumentError("expected ks (Kustomization) or hr (HelmRelease)");
  return kind;
}

export function scopeArgument(value: string): StatusScope {
  const map: Record<string, StatusScope> = {
    ks: "ks",
    kustomizations: "ks",
    hr: "hr",
    helmreleases: "hr",
    sources: "sources",
    es: "es",
    externalsecrets: "es",
    all: "all",
  };
  const scope = map[value.toLowerCase()];
  if (!scope) throw new InvalidArgumentError("expected ks, hr, sources, es or all");
  return scope;
}

/** The repository's Flux graph, for the commands that compare it with the cluster. */
export async function repoGraph(ctx: CliContext, clusterRoot: string | undefined) {
  const [{ openRepository }, { loadFluxGraph }] = await Promise.all([
    import("@homeops/repo"),
    import("@homeops/flux-bridge"),
  ]);
  const repo = await openRepository(".", repositoryOptions(ctx));
  return loadFluxGraph(repo, clusterRoot);
}
