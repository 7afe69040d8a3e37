import { UserError } from "@homeops/core";
import ipaddr from "ipaddr.js";

/** A parsed IPv4 CIDR. Addresses are unsigned 32-bit integers so ranges compare with plain numbers. */
export interface Cidr {
  /** the canonical text, e.g. `10.0.0.0/24` */
  text: string;
  /** the network address, e.g. `10.0.0.0` */
  network: string;
  prefix: number;
  /** first address of the range (the network address) as an unsigned integer */
  first: number;
  /** last address of the range (the broadcast address) as an unsigned integer */
  last: number;
}

/** Why a text is not a usable IPv4 CIDR, plus the corrected CIDR when only host bits are wrong. */
export type CidrProblem =
  | { kind: "syntax"; message: string }
  | { kind: "host-bits"; message: string; suggestion: string };

const PREFIX = /^(0|[1-9]\d?)$/;

/** Strict dotted-quad IPv4 address (no leading zeros, no shorthand forms). */
export function isIpv4Address(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** The address as an unsigned 32-bit integer; throws on anything but a strict dotted quad. */
export function ipv4ToNumber(text: string): number {
  if (!isIpv4Address(text)) throw new UserError("CONFIG_INVALID", `'${text}' is not an IPv4 address`);
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** Dotted-quad text of an unsigned 32-bit integer. */
export function numberToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** Checks a CIDR text strictly; `undefined` when it is a valid network CIDR. */
export function inspectCidr(text: string): CidrProblem | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) {
    return isIpv4Address(text)
      ? { kind: "syntax", message: `'${text}' has no prefix length (e.g. '${text}/24')` }
      : { kind: "syntax", message: `'${text}' is not an IPv4 CIDR (e.g. 10.0.0.0/24)` };
  }
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!isIpv4Address(address)) {
    return { kind: "syntax", message: `'${text}' is not an IPv4 CIDR: '${address}' is not an IPv4 address` };
  }
  if (!PREFIX.test(prefixText) || Number(prefixText) > 32) {
    return { kind: "syntax", message: `'${text}' is not an IPv4 CIDR: the prefix length must be 0-32` };
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();
  if (network !== address) {
    const suggestion = `${network}/${prefixText}`;
    return {
      kind: "host-bits",
      message: `'${text}' has host bits set — did you mean ${suggestion}?`,
      suggestion,
    };
  }
  return undefined;
}

/** Parses a strict IPv4 network CIDR (host bits must be zero); throws a `UserError` otherwise. */
export function parseCidr(text: string): Cidr {
  const problem = inspectCidr(text);
  if (problem) throw new UserError("CONFIG_INVALID", problem.message);
  const [network, prefixText] = text.split("/") as [string, string];
  const prefix = Number(prefixText);
  const first = ipv4ToNumber(network);
  const size = 2 ** (32 - prefix);
  return { text, network, prefix, first, last: first + size - 1 };
}

function toCidr(value: Cidr | string): Cidr {
  return typeof value === "string" ? parseCidr(value) : value;
}

/** Number of usable host addresses (network and broadcast excluded; 0 for /31 and /32). */
export function hostCount(cidr: Cidr | string): number {
  const c = toCidr(cidr);
  return c.prefix >= 31 ? 0 : c.last - c.first - 1;
}

/** The `n`th host address (1-based: `nthHost("10.0.0.0/24", 1)` is `10.0.0.1`); throws when out of range. */
export function nthHost(cidr: Cidr | string, n: number): string {
  const c = toCidr(cidr);
  if (!Number.isInteger(n) || n < 1 || n > hostCount(c)) {
    throw new UserError("CONFIG_INVALID", `${c.text} has no host #${n} (it has ${hostCount(c)} hosts)`);
  }
  return numberToIpv4(c.first + n);
}

/** Whether `inner` (an address or a CIDR) lies entirely inside `outer`. */
export function cidrContains(outer: Cidr | string, inner: Cidr | string): boolean {
  const o = toCidr(outer);
  if (typeof inner === "string" && !inner.includes("/")) {
    const value = ipv4ToNumber(inner);
    return value >= o.first && value <= o.last;
  }
  const i = toCidr(inner);
  return i.first >= o.first && i.last <= o.last;
}

/** Whether two CIDRs share at least one address (nesting counts as overlap). */
export function cidrsOverlap(a: Cidr | string, b: Cidr | string): boolean {
  const x = toCidr(a);
  const y = toCidr(b);
  return x.first <= y.last && y.first <= x.last;
}
