import type { RepoGraph } from "@homeops/manifests";
import type { HelmRenderReport } from "./releases.js";

/**
 * The graph as the cluster will run it: every rendered object added to `objects` and to the `objects` of the
 * Flux Kustomization that applies its HelmRelease, so validation and the invariants (claims, Secret references,
 * Services, routes) judge what Helm produces. Render findings are appended to `findings`. The input is not changed.
 */
export function withRenderedObjects(graph: RepoGraph, report: HelmRenderReport): RepoGraph {
  const byKustomization = new Map<string, RepoGraph["objects"]>();
  const kustomizationOf = new Map(
    graph.helmReleases.map((hr) => [`${hr.namespace}/${hr.name}`, hr.kustomization]),
  );
  for (const release of report.releases) {
    const ks = kustomizationOf.get(`${release.namespace}/${release.name}`);
    if (ks === undefined) continue;
    const list = byKustomization.get(ks) ?? [];
    list.push(...release.objects);
    byKustomization.set(ks, list);
  }
  return {
    ...graph,
    kustomizations: graph.kustomizations.map((node) => {
      const extra = byKustomization.get(`${node.namespace}/${node.name}`);
      return extra === undefined ? node : { ...node, objects: [...node.objects, ...extra] };
    }),
    objects: [...graph.objects, ...report.objects],
    findings: [...graph.findings, ...report.findings],
  };
}
