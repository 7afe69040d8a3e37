import { type Finding, isHomeopsError, type ReportCase } from "@homeops/core";
import type { HelmRenderReport } from "@homeops/helm";
import type { RepoGraph } from "@homeops/manifests";

/** How the stages render HelmReleases (`--render-helm`, `--allow-network`, `--registry-config`). */
export interface HelmRenderOptions {
  /** Render HelmReleases whose chart is in the chart cache. Default true (a release whose chart is not cached is skipped). */
  render?: boolean;
  /** Pull missing charts (HTTP index + tgz, OCI registry API) into the cache. Default false. */
  allowNetwork?: boolean;
  /** Chart cache directory. Default `~/.cache/homeops/charts`. */
  cacheDir?: string;
  /** Docker/Helm registry config with OCI credentials. Default none. */
  registryConfig?: string;
  /** `helm-render.wasm`. Default `.tools/wasm/helm-render.wasm` of this checkout. */
  modulePath?: string;
}

/** What the stages need of a Helm render: the report, the findings to add, and a case per skipped release. */
export interface HelmStage {
  report?: HelmRenderReport;
  findings: Finding[];
  cases: ReportCase[];
}

/**
 * Renders the graph's HelmReleases through @homeops/helm. A missing WASM module is a warning (the rest of
 * the run goes on); a release whose chart is not cached is a skipped case with the reason.
 */
export async function renderHelmStage(graph: RepoGraph, options: HelmRenderOptions = {}): Promise<HelmStage> {
  if (options.render === false || graph.helmReleases.length === 0) return { findings: [], cases: [] };
  const helm = await import("@homeops/helm");
  let report: HelmRenderReport;
  try {
    report = await helm.renderHelmReleases(graph, {
      allowNetwork: options.allowNetwork ?? false,
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      ...(options.registryConfig === undefined ? {} : { registryConfig: options.registryConfig }),
      ...(options.modulePath === undefined ? {} : { modulePath: options.modulePath }),
    });
  } catch (error) {
    if (!isHomeopsError(error) || error.code !== "TOOL_MISSING") throw error;
    return {
      findings: [
        {
          ruleId: "helm/engine-missing",
          severity: "warning",
          message: `HelmReleases were not rendered: ${error.message}`,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
        },
      ],
      cases: [],
    };
  }
  const cases: ReportCase[] = report.releases
    .filter((r) => r.status === "skipped")
    .map((r) => ({
      suite: `HelmRelease ${r.namespace}/${r.name}`,
      name: `HelmRelease ${r.namespace}/${r.name}`,
      classname: "helm.toolkit.fluxcd.io/v2 HelmRelease",
      status: "skipped",
      messages: [`not rendered: ${r.reason ?? "unknown"}`],
    }));
  return { report, findings: report.findings, cases };
}

/** The validation origin of a rendered object: `HelmRelease ns/name → chart@version → templates/x.yaml`. */
export function helmOrigin(chain: readonly string[]): string {
  return chain.slice(-3).join(" → ");
}
