import { describe, expect, it } from "vitest";
import { checkInvariants } from "./check.js";
import { parseInvariantsSettings } from "./settings.js";

const nfs = (server: string, comment = "") =>
  [
    "apiVersion: v1",
    "kind: PersistentVolume",
    "metadata:",
    "  name: media",
    "spec:",
    "  nfs:",
    ...(comment ? [`    ${comment}`] : []),
    `    server: ${server}`,
    "    path: ${NFS_MEDIA_PATH}",
    "",
  ].join("\n");

/** A repository homeops renders (bootstrap/config.yaml present): its conventions run. */
const HOMEOPS = { "bootstrap/config.yaml": "version: 1\n" };

const run = (files: Record<string, string>, settingsText?: string) =>
  checkInvariants({
    files: new Map(Object.entries({ ...HOMEOPS, ...files })),
    ...(settingsText === undefined ? {} : { settings: parseInvariantsSettings(settingsText).settings }),
  });

const brief = (r: ReturnType<typeof run>) =>
  r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId}`);

describe("checkInvariants", () => {
  it("reports a rule with the rule's severity and hint; graph rules are listed as skipped without a graph", () => {
    const report = run({ "kubernetes/pv.yaml": nfs("nas.internal") });
    expect(brief(report)).toEqual(["kubernetes/pv.yaml:7:13 warning storage/nfs-literal"]);
    expect(report.findings[0]!.hint).toMatch(/placeholder/);
    expect(report.rulesSkipped.map((s) => s.id)).toContain("storage/missing-claim");
    expect(report.rulesRun).toContain("storage/nfs-literal");
  });

  it("honours an inline suppression and records it", () => {
    const report = run({
      "kubernetes/pv.yaml": nfs("nas.internal", "# homeops-ignore storage/nfs-literal: fixed NAS name"),
    });
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([
      expect.objectContaining({
        by: "kubernetes/pv.yaml:7",
        reason: "fixed NAS name",
        finding: expect.objectContaining({ line: 8 }),
      }),
    ]);
  });

  it("lets a header comment suppress a whole-file finding", () => {
    const kustomization = "resources:\n  - ./a.yaml\n";
    const stray =
      "# homeops-ignore flux/unreferenced-file: kept as an example for readers\n---\napiVersion: v1\nkind: ConfigMap\n";
    const report = run({
      "kubernetes/x/kustomization.yaml": kustomization,
      "kubernetes/x/a.yaml": "kind: ConfigMap\n",
      "kubernetes/x/b.yaml": stray,
    });
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([expect.objectContaining({ by: "kubernetes/x/b.yaml:1" })]);
  });

  it("reports unused, reasonless and unknown suppressions", () => {
    const report = run({
      "kubernetes/a.yaml": nfs("${NFS_SERVER}", "# homeops-ignore storage/nfs-literal: not needed any more"),
      "kubernetes/b.yaml": nfs("nas.internal", "# homeops-ignore storage/nfs-literal"),
      "kubernetes/c.yaml": nfs("${NFS_SERVER}", "# homeops-ignore storage/nfs-literals: typo"),
    });
    expect(brief(report)).toEqual([
      "kubernetes/a.yaml:7:5 warning homeops/unused-suppression",
      "kubernetes/b.yaml:7:5 error homeops/invalid-suppression",
      "kubernetes/b.yaml:8:13 warning storage/nfs-literal",
      "kubernetes/c.yaml:7:5 error homeops/invalid-suppression",
    ]);
  });

  it("applies repo-level settings: ignore entries (unused ones reported), severity overrides, rules off, excludes", () => {
    const settings = [
      "rules:",
      "  storage/nfs-literal: error",
      "  docs/stale-reference: off",
      "ignore:",
      "  - rule: storage/nfs-literal",
      '    paths: ["kubernetes/media/**"]',
      "    reason: the media NAS has a fixed name",
      "  - rule: secrets/plaintext-secret",
      '    paths: ["nowhere/**"]',
      "    reason: stale",
      "exclude: [vendor/**]",
    ].join("\n");
    const report = run(
      {
        "kubernetes/media/pv.yaml": nfs("nas.internal"),
        "kubernetes/other/pv.yaml": nfs("nas.internal"),
        "vendor/pv.yaml": nfs("nas.internal"),
        "docs/x.md": "see `kubernetes/nope.yaml`\n",
      },
      settings,
    );
    expect(brief(report)).toEqual([
      ".homeops/invariants.yaml:8:5 warning homeops/unused-suppression",
      "kubernetes/other/pv.yaml:7:13 error storage/nfs-literal",
    ]);
    expect(report.suppressed).toEqual([expect.objectContaining({ by: ".homeops/invariants.yaml:5" })]);
    expect(report.rulesSkipped).toContainEqual({
      id: "docs/stale-reference",
      reason: "turned off in .homeops/invariants.yaml",
    });
  });

  it("runs conventions only in repositories homeops renders, or where the settings turn them on", () => {
    const files = new Map([["kubernetes/pv.yaml", nfs("nas.internal")]]);
    const other = checkInvariants({ files });
    expect(other.findings).toEqual([]);
    expect(other.rulesSkipped.find((r) => r.id === "storage/nfs-literal")?.reason).toMatch(
      /homeops convention/,
    );
    expect(other.rulesRun).toContain("secrets/plaintext-secret");
    const on = parseInvariantsSettings("conventions: true\n").settings;
    expect(checkInvariants({ files, settings: on }).findings.map((f) => f.ruleId)).toEqual([
      "storage/nfs-literal",
    ]);
    const one = parseInvariantsSettings("rules:\n  storage/nfs-literal: warning\n").settings;
    expect(checkInvariants({ files, settings: one }).findings.map((f) => f.ruleId)).toEqual([
      "storage/nfs-literal",
    ]);
    const off = parseInvariantsSettings("conventions: false\n").settings;
    const rendered = new Map([...files, ["bootstrap/config.yaml", "version: 1\n"]]);
    expect(checkInvariants({ files: rendered, settings: off }).findings).toEqual([]);
    expect(checkInvariants({ files: rendered }).findings.map((f) => f.ruleId)).toEqual([
      "storage/nfs-literal",
    ]);
  });

  it("gives every rule a kind, and the dependsOn and placeholder conventions are warnings at most", async () => {
    const { RULES } = await import("./registry.js");
    const conventions = RULES.filter((r) => r.kind === "convention").map((r) => r.id);
    expect(conventions).toEqual(
      expect.arrayContaining([
        "storage/nfs-literal",
        "storage/missing-storage-dependency",
        "externalsecret/missing-store-dependency",
        "docs/stale-reference",
      ]),
    );
    for (const r of RULES.filter((x) => x.kind === "convention")) expect(r.severity).toBe("warning");
  });

  it("runs only the requested rules", () => {
    const report = checkInvariants(
      { files: new Map([["kubernetes/pv.yaml", nfs("nas.internal")]]) },
      { only: ["secrets/leaked-key"] },
    );
    expect(report.rulesRun).toEqual(["secrets/leaked-key"]);
    expect(report.findings).toEqual([]);
  });

  it("reports a crashing rule instead of looking clean", async () => {
    const { RULES } = await import("./registry.js");
    const rule = RULES.find((r) => r.id === "docs/stale-reference")! as { check: unknown };
    const original = rule.check;
    rule.check = () => {
      throw new Error("boom");
    };
    try {
      expect(brief(run({ "a.md": "x\n" }))).toEqual([
        "undefined:undefined:undefined error homeops/rule-failed",
      ]);
    } finally {
      rule.check = original;
    }
  });
});
