import { describe, expect, it } from "vitest";
import { ENGINE_RULES, findRule, listRules, RULES } from "./registry.js";

describe("the rule registry", () => {
  it("has unique, well-formed ids and complete documentation for every rule", () => {
    const ids = listRules().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of listRules()) {
      expect(rule.id).toMatch(/^[a-z]+\/[a-z0-9-]+$/);
      expect(["error", "warning"]).toContain(rule.severity);
      for (const text of [rule.title, rule.rationale, rule.hint, rule.docs])
        expect(text.trim().length).toBeGreaterThan(10);
    }
    expect(RULES).toHaveLength(26);
    expect(ENGINE_RULES.map((r) => r.id)).toEqual([
      "homeops/unused-suppression",
      "homeops/invalid-suppression",
      "homeops/invalid-config",
      "homeops/rule-failed",
    ]);
  });

  it("gives every build finding it replaces exactly one owner, and a kind to every rule", () => {
    const owned = RULES.flatMap((r) => r.owns ?? []);
    expect(new Set(owned).size).toBe(owned.length);
    for (const id of owned) expect(id).toMatch(/^(build|flux)\//);
    for (const rule of listRules()) expect(["invariant", "convention"]).toContain(rule.kind);
  });

  it("finds rules by id", () => {
    expect(findRule("flux/unwired-app")?.title).toMatch(/namespace kustomization/);
    expect(findRule("flux/nope")).toBeUndefined();
  });
});
