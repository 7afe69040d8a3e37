import type { Finding } from "@homeops/core";
import type { FluxKustomizationNode, RepoGraph } from "@homeops/manifests";

/** The one build finding strict substitution adds over lenient substitution. */
const STRICT_ONLY = "build/undefined-variable";

const lenient = (findings: readonly Finding[]) => findings.filter((f) => f.ruleId !== STRICT_ONLY);

/**
 * The lenient verdict of a strictly built graph: what a build with non-strict substitution reports.
 * Strict substitution differs only in failing on a variable that is not set and has no default (the
 * invariants report those as `placeholder/undefined-variable`, at their cause); so its
 * `build/undefined-variable` findings go, and a Kustomization that failed for nothing else is built.
 * The objects are the strict build's: a field whose variable is unset keeps its `${…}` text.
 */
export function lenientView(graph: RepoGraph): RepoGraph {
  const nodes = new Map<FluxKustomizationNode, FluxKustomizationNode>();
  for (const node of graph.kustomizations) {
    if (!node.findings.some((f) => f.ruleId === STRICT_ONLY)) {
      nodes.set(node, node);
      continue;
    }
    const findings = lenient(node.findings);
    const failed = node.status === "error" && findings.some((f) => f.severity === "error");
    nodes.set(node, { ...node, findings, status: failed ? "error" : "built" });
  }
  return {
    ...graph,
    kustomizations: graph.kustomizations.map((n) => nodes.get(n) ?? n),
    findings: lenient(graph.findings),
  };
}
