export { type EndpointBadge, reportBadges } from "./badges.js";
export { GRAPH_FORMATS, type GraphFormat, nodeColor, renderGraph, renderGraphSvg } from "./graph.js";
export {
  type BuildReportModelInput,
  buildReportModel,
  type CatalogApp,
  type CatalogClaim,
  type CatalogSecret,
  type FindingGroup,
  type GraphEdge,
  type GraphNode,
  type LiveStatus,
  type RepoLocation,
  type ReportModel,
} from "./model.js";
export { type CreateReportOptions, createReport, type WriteReportOptions, writeReport } from "./report.js";
export { renderSite } from "./site.js";
