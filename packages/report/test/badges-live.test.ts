import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StatusReport } from "@homeops/flux-bridge";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { type ReportModel, renderGraph, renderSite, reportBadges, writeReport } from "../src/index.js";

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, "fixtures/shields-endpoint.schema.json"), "utf8"),
);
const validate = new Ajv({ strict: true }).compile(schema);

const model: ReportModel = {
  roots: ["kubernetes/flux/cluster"],
  apps: [],
  nodes: [
    {
      id: "Kustomization/games/romm",
      kind: "Kustomization",
      name: "romm",
      namespace: "games",
      file: "a.yaml",
      line: 3,
      severity: "warning",
      findings: 1,
    },
    {
      id: "Kustomization/storage/openebs",
      kind: "Kustomization",
      name: "openebs",
      namespace: "storage",
      file: "b.yaml",
      line: 3,
      severity: "none",
      findings: 0,
    },
  ],
  edges: [{ from: "Kustomization/games/romm", to: "Kustomization/storage/openebs" }],
  findings: [
    {
      ruleId: "storage/missing-claim",
      stage: "check",
      severity: "warning",
      findings: [{ message: "m", severity: "warning", file: "a.yaml", line: 9 }],
    },
  ],
};

// a status object shaped as flux-bridge's getFluxStatus returns it (the live part is tested on the model,
// not against tools/test-cluster: a kube-apiserver per run costs more CPU than this shared machine has)
const status: StatusReport = {
  notServed: [],
  rows: [
    {
      kind: "Kustomization",
      name: "romm",
      namespace: "games",
      revision: "main@sha1:1",
      suspended: false,
      ready: "False",
      state: "not-ready",
      reason: "HealthCheckFailed",
      message: "timeout",
    },
    {
      kind: "Kustomization",
      name: "openebs",
      namespace: "storage",
      revision: "main@sha1:1",
      suspended: false,
      ready: "True",
      state: "ready",
      reason: "ReconciliationSucceeded",
      message: "",
    },
  ],
};

describe("badges", () => {
  it("the schema rejects what shields rejects", () => {
    expect(validate({ schemaVersion: 1, label: "apps", message: "3", color: "blue" })).toBe(true);
    expect(validate({ schemaVersion: 2, label: "apps", message: "3" })).toBe(false);
    expect(validate({ schemaVersion: 1, label: "apps", message: "" })).toBe(false);
    expect(validate({ schemaVersion: 1, message: "3" })).toBe(false);
    expect(validate({ schemaVersion: 1, label: "a", message: "3", colour: "red" })).toBe(false);
  });

  it("every badge file written validates against the endpoint schema; Flux Ready only when live", async () => {
    const out = mkdtempSync(join(tmpdir(), "homeops-badges-"));
    await writeReport(model, out);
    const files = readdirSync(join(out, "dashboards/badges")).sort();
    expect(files).toEqual(["apps.json", "findings.json"]);
    const live = { ...model, live: { rows: status.rows, ready: 1, total: 2 } };
    await writeReport(live, out);
    const all = readdirSync(join(out, "dashboards/badges")).sort();
    expect(all).toEqual(["apps.json", "findings.json", "flux-ready.json"]);
    for (const f of all) {
      const badge = JSON.parse(readFileSync(join(out, "dashboards/badges", f), "utf8"));
      expect(validate(badge), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(reportBadges(live)["flux-ready.json"]).toMatchObject({ message: "1/2", color: "orange" });
    expect(reportBadges(model)["findings.json"]).toMatchObject({
      message: "0 errors, 1 warnings",
      color: "yellow",
    });
  });
});

describe("graph outputs and the live section", () => {
  it("mermaid and dot have one node line per node and one edge line per dependsOn", () => {
    const mermaid = renderGraph(model, "mermaid");
    expect(mermaid.split("\n").filter((l) => l.includes("-->"))).toHaveLength(1);
    expect(mermaid).toContain('n0["KS games/romm"]');
    const dot = renderGraph(model, "dot");
    expect(dot).toContain('"Kustomization/games/romm" -> "Kustomization/storage/openebs";');
    const svg = renderGraph(model, "svg");
    expect(svg.match(/class="node"/g)).toHaveLength(2);
    expect(svg.match(/class="edge"/g)).toHaveLength(1);
  });

  it("the page marks live status absent offline, and shows Ready states when given", () => {
    expect(renderSite(model)["index.html"]).toContain('id="live-absent"');
    const nodes = model.nodes.map((n) => ({
      ...n,
      state: n.name === "romm" ? ("not-ready" as const) : ("ready" as const),
    }));
    const html = renderSite({ ...model, nodes, live: { rows: status.rows, ready: 1, total: 2 } })[
      "index.html"
    ];
    expect(html).not.toContain('id="live-absent"');
    expect(html).toContain("Flux Ready: <b>1/2</b>");
    expect(html).toContain('data-state="not-ready"');
  });
});

describe("buildReportModel with live status", () => {
  it("counts Flux Ready over Kustomizations and HelmReleases", async () => {
    const { buildReportModel } = await import("../src/index.js");
    const m = buildReportModel({ roots: [], graphs: [], reports: [], status });
    expect(m.live).toMatchObject({ ready: 1, total: 2 });
  });
});
