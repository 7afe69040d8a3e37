import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  cidrContains,
  cidrsOverlap,
  hostCount,
  inspectCidr,
  ipv4ToNumber,
  isIpv4Address,
  nthHost,
  numberToIpv4,
  parseCidr,
} from "./cidr.js";

// An independent reference: BigInt arithmetic on the dotted quad, no ipaddr.js, no 32-bit tricks.
const refAddress = (text: string): bigint =>
  text.split(".").reduce((acc, octet) => acc * 256n + BigInt(Number.parseInt(octet, 10)), 0n);
const refRange = (cidr: string): [bigint, bigint] => {
  const [address, prefix] = cidr.split("/") as [string, string];
  const size = 2n ** BigInt(32 - Number(prefix));
  const start = (refAddress(address) / size) * size;
  return [start, start + size - 1n];
};
const refText = (value: bigint): string =>
  [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");

const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
/** any address, or one in 10.0.0.0/16 so that overlaps are common */
const address = fc.oneof(
  octets.map((o) => o.join(".")),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([c, d]) => `10.0.${c}.${d}`),
);
const prefix = fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 14, max: 30 }));
/** a valid network CIDR: the address masked by the reference */
const cidr = fc.tuple(address, prefix).map(([a, p]) => `${refText(refRange(`${a}/${p}`)[0])}/${p}`);

/** a second CIDR related to the first (edges, parent, child, neighbour), where off-by-one bugs live */
const related = (c: string) => {
  const [start, end] = refRange(c);
  const p = Number(c.split("/")[1]);
  const at = (value: bigint, len: number) => {
    const size = 2n ** BigInt(32 - len);
    return `${refText(((value % 2n ** 32n) / size) * size)}/${len}`;
  };
  return fc.constantFrom(
    at(start, 32),
    at(end, 32),
    at(start, Math.max(0, p - 1)),
    at(end, Math.min(32, p + 1)),
    at(end + 1n, p),
    at(start === 0n ? 0n : start - 1n, 32),
    c,
  );
};
const pair = fc.oneof(
  fc.tuple(cidr, cidr),
  cidr.chain((a) => related(a).map((b) => [a, b] as [string, string])),
  cidr.chain((a) => related(a).map((b) => [b, a] as [string, string])),
);

describe("property tests against a BigInt reference", () => {
  test("overlap", () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const [a0, a1] = refRange(a);
        const [b0, b1] = refRange(b);
        expect(cidrsOverlap(a, b)).toBe(a0 <= b1 && b0 <= a1);
        expect(cidrsOverlap(b, a)).toBe(cidrsOverlap(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  test("containment of CIDRs", () => {
    fc.assert(
      fc.property(pair, ([outer, inner]) => {
        const [o0, o1] = refRange(outer);
        const [i0, i1] = refRange(inner);
        expect(cidrContains(outer, inner)).toBe(o0 <= i0 && i1 <= o1);
      }),
      { numRuns: 2000 },
    );
  });

  test("containment of addresses", () => {
    fc.assert(
      fc.property(cidr, address, (outer, a) => {
        const [o0, o1] = refRange(outer);
        const v = refAddress(a);
        expect(cidrContains(outer, a)).toBe(o0 <= v && v <= o1);
      }),
      { numRuns: 2000 },
    );
  });

  test("nth host", () => {
    fc.assert(
      fc.property(cidr, fc.integer({ min: 1, max: 300 }), (c, n) => {
        const [start, end] = refRange(c);
        const hosts = end - start - 1n;
        const prefixLength = Number(c.split("/")[1]);
        const usable = prefixLength >= 31 ? 0n : hosts;
        expect(hostCount(c)).toBe(Number(usable));
        if (BigInt(n) <= usable) expect(nthHost(c, n)).toBe(refText(start + BigInt(n)));
        else expect(() => nthHost(c, n)).toThrow(/has no host/);
      }),
      { numRuns: 2000 },
    );
  });

  test("host bits are found and the suggestion is the network", () => {
    fc.assert(
      fc.property(address, prefix, (a, p) => {
        const text = `${a}/${p}`;
        const network = refText(refRange(text)[0]);
        const problem = inspectCidr(text);
        if (network === a) expect(problem).toBeUndefined();
        else expect(problem).toMatchObject({ kind: "host-bits", suggestion: `${network}/${p}` });
      }),
      { numRuns: 2000 },
    );
  });

  test("address ↔ number round trip", () => {
    fc.assert(
      fc.property(address, (a) => {
        expect(ipv4ToNumber(a)).toBe(Number(refAddress(a)));
        expect(numberToIpv4(ipv4ToNumber(a))).toBe(a);
      }),
    );
  });
});

describe("strict parsing", () => {
  test.each([
    ["10.0.0.0", /no prefix length/],
    ["10.0.0.0/33", /prefix length must be 0-32/],
    ["10.0.0.0/024", /prefix length must be 0-32/],
    ["010.0.0.0/8", /not an IPv4 address/],
    ["10.0.0/8", /not an IPv4 address/],
    ["0x0a.0.0.0/8", /not an IPv4 address/],
    ["fd00::/8", /not an IPv4 address/],
    ["hello", /not an IPv4 CIDR/],
  ])("%s is rejected", (text, message) => {
    expect(inspectCidr(text)).toMatchObject({ kind: "syntax", message: expect.stringMatching(message) });
    expect(() => parseCidr(text)).toThrow(message);
  });

  test("host bits: did you mean", () => {
    expect(inspectCidr("10.0.0.5/24")?.message).toBe(
      "'10.0.0.5/24' has host bits set — did you mean 10.0.0.0/24?",
    );
  });

  test("addresses are strict dotted quads", () => {
    expect(isIpv4Address("10.0.0.1")).toBe(true);
    for (const bad of ["10.0.0", "10.0.0.01", "256.0.0.1", "1.2.3.4.5", " 10.0.0.1", "167772161"]) {
      expect(isIpv4Address(bad), bad).toBe(false);
    }
  });

  test("parseCidr gives the range", () => {
    expect(parseCidr("10.43.0.0/16")).toEqual({
      text: "10.43.0.0/16",
      network: "10.43.0.0",
      prefix: 16,
      first: 170590208,
      last: 170655743,
    });
    expect(nthHost("10.43.0.0/16", 10)).toBe("10.43.0.10");
    expect(nthHost(parseCidr("0.0.0.0/0"), 1)).toBe("0.0.0.1");
    expect(cidrContains("255.255.255.0/24", "255.255.255.255")).toBe(true);
  });
});
