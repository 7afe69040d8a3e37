import type { ReportModel } from "./model.js";

/** A shields.io endpoint badge (https://shields.io/badges/endpoint-badge). */
export interface EndpointBadge {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
}

/** The badges of a report, by file name: apps, findings, and Flux Ready ratio when live status is known. */
export function reportBadges(model: ReportModel): Record<string, EndpointBadge> {
  const count = (s: string) =>
    model.findings.reduce((n, g) => n + g.findings.filter((f) => f.severity === s).length, 0);
  const errors = count("error");
  const warnings = count("warning");
  const badges: Record<string, EndpointBadge> = {
    "apps.json": { schemaVersion: 1, label: "apps", message: String(model.apps.length), color: "blue" },
    "findings.json": {
      schemaVersion: 1,
      label: "findings",
      message: errors + warnings === 0 ? "none" : `${errors} errors, ${warnings} warnings`,
      color: errors > 0 ? "red" : warnings > 0 ? "yellow" : "brightgreen",
    },
  };
  if (model.live) {
    const { ready, total } = model.live;
    badges["flux-ready.json"] = {
      schemaVersion: 1,
      label: "flux ready",
      message: `${ready}/${total}`,
      color: total > 0 && ready === total ? "brightgreen" : ready === 0 ? "red" : "orange",
    };
  }
  return badges;
}
