import { describe, expect, it } from "vitest";
import { externalSecretKeys, externalSecretTarget } from "./external-secret.js";

const es = (spec: Record<string, unknown>) => ({
  apiVersion: "external-secrets.io/v1",
  kind: "ExternalSecret",
  metadata: { name: "app" },
  spec,
});

describe("externalSecretKeys", () => {
  it("a template without merge replaces the fetched data: exactly its keys", () => {
    const r = externalSecretKeys(
      es({ data: [{ secretKey: "RAW" }], target: { template: { data: { URL: "{{ .RAW }}" } } } }),
    );
    expect([...r.keys]).toEqual(["URL"]);
    expect(r.complete).toBe(true);
  });
  it("data keys plus merged template keys; dataFrom and templateFrom make them open-ended", () => {
    const merged = externalSecretKeys(
      es({ data: [{ secretKey: "A" }], target: { template: { mergePolicy: "Merge", data: { B: "x" } } } }),
    );
    expect([...merged.keys].sort()).toEqual(["A", "B"]);
    expect(merged.complete).toBe(true);
    expect(externalSecretKeys(es({ dataFrom: [{ extract: { key: "app" } }] })).complete).toBe(false);
    expect(
      externalSecretKeys(es({ target: { template: { templateFrom: [{ configMap: { name: "t" } }] } } }))
        .complete,
    ).toBe(false);
  });
  it("targets spec.target.name, default the ExternalSecret's name", () => {
    expect(externalSecretTarget(es({}))).toBe("app");
    expect(externalSecretTarget(es({ target: { name: "app-secret" } }))).toBe("app-secret");
  });
});
