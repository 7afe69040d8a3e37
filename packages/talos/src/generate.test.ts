import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type GenerateInput, generateConfig, generateDocuments } from "./generate.js";
import { encodeConfig, strategicMerge } from "./internal/documents.js";
import { haveOracle, v113 } from "./internal/oracle.testkit.js";
import { loadPatch } from "./patch.js";
import { parseSecretsBundle } from "./secrets.js";

const dir = join(v113, "stability");
const read = (f: string) => readFileSync(join(dir, f), "utf8");

describe.skipIf(!haveOracle)(`Talos 1.13 generator stability data (${dir})`, () => {
  const base = (): GenerateInput => ({
    clusterName: "base",
    endpoint: "https://base:6443",
    kubernetesVersion: "1.28.0",
    talosVersion: "1.13",
    secrets: parseSecretsBundle(read("secrets.yaml")),
  });
  const overrides = (): GenerateInput => ({
    ...base(),
    additionalSANs: ["foo", "bar"],
    allowSchedulingOnControlPlanes: true,
    dnsDomain: "example.com",
    installDisk: "/dev/vda",
    extraKernelArgs: ["foo=bar", "bar=baz"],
    localAPIServerPort: 5443,
    sysctls: { foo: "bar" },
    cni: { name: "custom", urls: ["https://example.com/cni.yaml"] },
    registryMirrors: { "ghcr.io": ["https://ghcr.io.my-mirror.com"] },
  });

  for (const role of ["controlplane", "worker"] as const) {
    it(`base-${role}.yaml: byte for byte`, () => {
      expect(generateConfig(base(), role)).toBe(read(`base-${role}.yaml`));
    });
    it(`overrides-${role}.yaml (+ patch.yaml): byte for byte`, () => {
      const patch = loadPatch(read("patch.yaml"));
      if (patch.kind !== "strategic") throw new Error("expected a strategic patch");
      const docs = strategicMerge(generateDocuments(overrides(), role), patch.documents);
      expect(encodeConfig(docs)).toBe(read(`overrides-${role}.yaml`));
    });
  }
});
