import { Graph, layout } from "@dagrejs/dagre";
import type { GraphNode, ReportModel } from "./model.js";

export type GraphFormat = "mermaid" | "dot" | "svg";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["mermaid", "dot", "svg"];

const NODE_HEIGHT = 28;
const CHAR_WIDTH = 7;

/** Fill colour of a node: live Ready state when known, else its worst finding. */
export function nodeColor(node: GraphNode): string {
  if (node.missing) return "#f8d7da";
  if (node.state)
    return node.state === "ready"
      ? "#d1f2d9"
      : node.state === "reconciling"
        ? "#fff3cd"
        : node.state === "suspended"
          ? "#e2e3e5"
          : "#f8d7da";
  return { error: "#f8d7da", warning: "#fff3cd", info: "#d6eaf8", none: "#ffffff" }[node.severity];
}

const label = (n: GraphNode) => `${n.kind === "HelmRelease" ? "HR" : "KS"} ${n.namespace}/${n.name}`;

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The dependsOn graph laid out by dagre (left to right), as a standalone SVG; each node `<g data-id>`. */
export function renderGraphSvg(model: Pick<ReportModel, "nodes" | "edges">): string {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 8, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of model.nodes)
    g.setNode(n.id, { width: label(n).length * CHAR_WIDTH + 16, height: NODE_HEIGHT });
  model.edges.forEach((e, i) => {
    g.setEdge(e.from, e.to, {}, String(i));
  });
  layout(g);
  const { width = 0, height = 0 } = g.graph();
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="graph" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" font-family="sans-serif" font-size="12">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>`,
  ];
  model.edges.forEach((e, i) => {
    const label = g.edge(e.from, e.to, String(i)) as { points?: { x: number; y: number }[] } | undefined;
    const points = label?.points ?? [];
    const d = points.map((p, j) => `${j === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
    out.push(
      `<path class="edge" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}" d="${d}" fill="none" stroke="#666" marker-end="url(#arrow)"/>`,
    );
  });
  for (const n of model.nodes) {
    const box = g.node(n.id);
    const x = box.x - box.width / 2;
    const y = box.y - box.height / 2;
    out.push(
      `<g class="node" data-id="${escapeXml(n.id)}" data-severity="${n.severity}"${n.state ? ` data-state="${n.state}"` : ""} tabindex="0"><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${box.width}" height="${box.height}" rx="4" fill="${nodeColor(n)}" stroke="${n.kind === "HelmRelease" ? "#8e44ad" : "#2c3e50"}"/><text x="${box.x.toFixed(1)}" y="${(box.y + 4).toFixed(1)}" text-anchor="middle">${escapeXml(label(n))}</text></g>`,
    );
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** The dependsOn graph as Mermaid (`flowchart LR`) or Graphviz dot, or SVG; deterministic. */
export function renderGraph(model: Pick<ReportModel, "nodes" | "edges">, format: GraphFormat): string {
  if (format === "svg") return renderGraphSvg(model);
  const ids = new Map(model.nodes.map((n, i) => [n.id, `n${i}`]));
  if (format === "mermaid") {
    const lines = ["flowchart LR"];
    for (const n of model.nodes) lines.push(`  ${ids.get(n.id)}["${label(n).replace(/"/g, "#quot;")}"]`);
    for (const e of model.edges) lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)}`);
    return `${lines.join("\n")}\n`;
  }
  const lines = ["digraph dependsOn {", "  rankdir=LR;", "  node [shape=box, style=filled];"];
  for (const n of model.nodes)
    lines.push(
      `  ${JSON.stringify(n.id)} [label=${JSON.stringify(label(n))}, fillcolor=${JSON.stringify(nodeColor(n))}];`,
    );
  for (const e of model.edges) lines.push(`  ${JSON.stringify(e.from)} -> ${JSON.stringify(e.to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
