import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { haveOracle, v113 } from "./internal/oracle.testkit.js";
import { loadPatches, patchConfig } from "./patch.js";

const dir = join(v113, "configpatcher");
const read = (p: string) => readFileSync(join(dir, p), "utf8");
const patches = (...files: string[]) => files.map((f) => ({ text: read(f), source: f }));

describe.skipIf(!haveOracle)(`configpatcher cases (${dir})`, () => {
  const cases: [string, string, string[], string][] = [
    [
      "apply",
      "apply/config.yaml",
      [
        "apply/strategic1.yaml",
        "apply/jsonpatch1.yaml",
        "apply/jsonpatch2.yaml",
        "apply/strategic2.yaml",
        "apply/strategic3.yaml",
      ],
      "apply/expected.yaml",
    ],
    ["manifests newline", "apply/config.yaml", ["apply/strategic4.yaml"], "apply/expected_manifests.yaml"],
    [
      "multi-document",
      "multidoc/config.yaml",
      ["multidoc/strategic1.yaml", "multidoc/strategic2.yaml"],
      "multidoc/expected.yaml",
    ],
    ["audit policy", "auditpolicy/config.yaml", ["auditpolicy/patch1.yaml"], "auditpolicy/expected.yaml"],
    [
      "$patch: delete (documents)",
      "patchdelete/config.yaml",
      ["patchdelete/strategic1.yaml"],
      "patchdelete/expected.yaml",
    ],
    [
      "$patch: delete (fields)",
      "patchdelete/controlplane_orig.yaml",
      ["patchdelete/strategic2.yaml", "patchdelete/strategic3.yaml", "patchdelete/strategic4.yaml"],
      "patchdelete/controlplane_expected.yaml",
    ],
    ["patch links", "patchlink/base.yaml", ["patchlink/patch.yaml"], "patchlink/expected.yaml"],
  ];
  for (const [name, config, files, expected] of cases) {
    it(`${name}: byte-equal to Talos' result`, () => {
      expect(patchConfig(read(config), patches(...files))).toBe(read(expected));
    });
  }

  it("multi-document + JSON patch: refused with Talos' message", () => {
    expect(() =>
      patchConfig(
        read("multidoc/config.yaml"),
        patches("multidoc/jsonpatch.yaml", "multidoc/strategic1.yaml"),
      ),
    ).toThrow(/^JSON6902 patches are not supported for multi-document machine configuration$/);
  });

  it("delete of a missing path: Talos' error", () => {
    expect(() =>
      patchConfig(read("patchdeletemissing/config.yaml"), patches("patchdeletemissing/strategic1.yaml")),
    ).toThrow(
      "patch delete: path 'machine.network.hostname' in document '/v1alpha1': failed to delete path 'machine.network.hostname': lookup failed",
    );
  });

  it("loads patches in YAML and JSON form", () => {
    const loaded = loadPatches(patches("patch.yaml", "patch.json", "strategic.yaml"));
    expect(loaded.map((p) => p.kind)).toEqual(["json6902", "strategic"]);
    expect(loaded[0]?.kind === "json6902" && loaded[0].operations).toEqual([
      { op: "add", path: "/some/path", value: ["a", "b", "c"] },
      { op: "add", path: "/machine/certSANs", value: ["foo.com"] },
    ]);
  });
});

describe("patterns from real repositories (fixtures of our own)", () => {
  const base =
    "version: v1alpha1\nmachine:\n  type: controlplane\ncluster:\n  controlPlane:\n    endpoint: https://10.0.0.1:6443\n";
  it("an empty-struct key type (systemDiskEncryption keys[].nodeID: {}) decodes and re-encodes", () => {
    const out = patchConfig(base, [
      {
        text: "machine:\n  systemDiskEncryption:\n    ephemeral:\n      provider: luks2\n      keys:\n        - nodeID: {}\n          slot: 0\n",
      },
    ]);
    expect(out).toContain("            keys:\n                - nodeID: {}\n                  slot: 0\n");
  });
  it("an unknown field is refused like Talos' strict decoder", () => {
    expect(() => patchConfig(base, [{ text: "machine:\n  kubelet:\n    extraArgz: {}\n" }])).toThrow(
      /unknown field "extraArgz"/,
    );
  });
  it("a list-typed field given a mapping (`$$patch` left unescaped) is refused", () => {
    expect(() =>
      patchConfig(base, [{ text: "cluster:\n  apiServer:\n    admissionControl:\n      $$patch: delete\n" }]),
    ).toThrow(/admissionControl/);
  });
});
