import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { validateClusterConfig } from "./validate.js";

const sample = readFileSync(new URL("../../../../bootstrap/config.sample.yaml", import.meta.url), "utf8");

// Reference arithmetic written independently of cidr.ts: BigInt ranges from the dotted quad.
const toBig = (a: string) => a.split(".").reduce((acc, o) => acc * 256n + BigInt(Number(o)), 0n);
const range = (cidr: string): [bigint, bigint] => {
  const [a, p] = cidr.split("/") as [string, string];
  const size = 2n ** BigInt(32 - Number(p));
  return [toBig(a), toBig(a) + size - 1n];
};
const text = (v: bigint) => [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join(".");

const cidr = fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 8, max: 28 })).map(([b, c, p]) => {
  const size = 2n ** BigInt(32 - p);
  return `${text(((10n * 2n ** 24n + BigInt(b) * 65536n + BigInt(c) * 256n) / size) * size)}/${p}`;
});
const address = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([b, c, d]) => `10.${b}.${c}.${d}`);

describe("cross-field rules agree with a reference over random networks", () => {
  test("overlap and containment findings", () => {
    fc.assert(
      fc.property(cidr, cidr, cidr, address, (node, pod, service, vip) => {
        const config = sample
          .replace("nodeCidr: 10.10.0.0/24", `nodeCidr: ${node}`)
          .replace("podCidr: 10.42.0.0/16", `podCidr: ${pod}`)
          .replace("serviceCidr: 10.43.0.0/16", `serviceCidr: ${service}`)
          .replace("apiVip: 10.10.0.20", `apiVip: ${vip}`);
        const { findings } = validateClusterConfig(config, { file: "config.yaml" });

        const ranges = [range(node), range(pod), range(service)];
        let overlaps = 0;
        for (let i = 0; i < 3; i++)
          for (let j = i + 1; j < 3; j++) {
            const [a, b] = [ranges[i]!, ranges[j]!];
            if (a[0] <= b[1] && b[0] <= a[1]) overlaps++;
          }
        expect(findings.filter((f) => f.ruleId === "config/cidr-overlap")).toHaveLength(overlaps);

        const [n0, n1] = ranges[0]!;
        const v = toBig(vip);
        const outside = v < n0 || v > n1;
        const vipFindings = findings.filter((f) => f.path === "kubernetes.apiVip").map((f) => f.ruleId);
        expect(vipFindings.includes("config/address-outside-node-cidr")).toBe(outside);
        expect(vipFindings.includes("config/reserved-address")).toBe(!outside && (v === n0 || v === n1));
      }),
      { numRuns: 300 },
    );
  });
});
