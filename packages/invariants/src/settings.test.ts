import { describe, expect, it } from "vitest";
import { DEFAULT_EXCLUDE, parseInvariantsSettings } from "./settings.js";

describe("parseInvariantsSettings", () => {
  it("reads every setting", () => {
    const { settings, findings } = parseInvariantsSettings(
      [
        "kubernetesDir: ./cluster/",
        "exclude: [vendor/**]",
        "rules:",
        "  docs/stale-reference: off",
        "  storage/nfs-literal: error",
        "ignore:",
        "  - rule: storage/nfs-literal",
        '    paths: ["cluster/apps/media/**"]',
        "    reason: fixed NAS name",
        "storageKustomizations: [storage/volsync]",
        'openSecretVariables: "^(SECRET|PRIVATE)_"',
      ].join("\n"),
    );
    expect(findings).toEqual([]);
    expect(settings).toMatchObject({
      kubernetesDir: "cluster",
      exclude: ["vendor/**"],
      rules: { "docs/stale-reference": "off", "storage/nfs-literal": "error" },
      ignore: [
        {
          rule: "storage/nfs-literal",
          paths: ["cluster/apps/media/**"],
          reason: "fixed NAS name",
          line: 7,
          column: 5,
        },
      ],
      storageKustomizations: ["storage/volsync"],
      openSecretVariables: "^(SECRET|PRIVATE)_",
    });
  });

  it("defaults when empty", () => {
    const { settings } = parseInvariantsSettings("");
    expect(settings.exclude).toEqual(DEFAULT_EXCLUDE);
    expect(settings.kubernetesDir).toBe("kubernetes");
  });

  it("reports each problem with its position and keeps the valid parts", () => {
    const { settings, findings } = parseInvariantsSettings(
      [
        "kubernetesDir: k8s",
        "rulez: {}",
        "rules:",
        "  flux/unwired-app: maybe",
        "ignore:",
        "  - rule: flux/unwired-app",
        "    paths: [a]",
      ].join("\n"),
    );
    expect(settings.kubernetesDir).toBe("k8s");
    expect(settings.ignore).toEqual([]);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([
      expect.stringMatching(/^2:1 unknown key 'rulez'/),
      "4:21 rules.flux/unwired-app must be off, warning or error",
      "6:5 ignore entry needs a `reason:` (why the rule does not apply)",
    ]);
    expect(
      findings.every((f) => f.ruleId === "homeops/invalid-config" && f.file === ".homeops/invariants.yaml"),
    ).toBe(true);
  });

  it("turns a YAML syntax error into a finding", () => {
    const { findings } = parseInvariantsSettings("rules: [a\n");
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: "homeops/invalid-config", line: expect.any(Number) }),
    ]);
  });
});
