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

/**
 * The `n`th host address of a CIDR, IPv4 or IPv6 (1 = the first address after the network address;
 * negative counts back from the last host, -1 = the last usable IPv4 host). IPv4 blocks keep the
 * network and broadcast addresses out (a /31 or /32 has no hosts); IPv6 keeps only the network address
 * out. A string CIDR may have host bits set (they are masked, as Go's net.ParseCIDR does). Throws a
 * `UserError` when the text is not a CIDR or `n` is outside the block. The one implementation: render's
 * `h.nthHost` template helper calls it.
 */
export function nthHost(cidr: Cidr | string, n: number): string {
  const text = typeof cidr === "string" ? cidr : cidr.text;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  try {
    [address, prefix] = ipaddr.parseCIDR(text);
  } catch {
    throw new UserError("CONFIG_INVALID", `'${text}' is not a CIDR`);
  }
  const v4 = address.kind() === "ipv4";
  const bits = v4 ? 32 : 128;
  const size = 1n << BigInt(bits - prefix);
  const hosts = v4 ? (prefix >= 31 ? 0n : size - 2n) : size - 1n;
  const index = Number.isInteger(n) ? (n > 0 ? BigInt(n) : hosts + 1n + BigInt(n)) : 0n;
  if (n === 0 || index < 1n || index > hosts) {
    throw new UserError("CONFIG_INVALID", `${text} has no host #${n} (it has ${hosts} hosts)`);
  }
  let value = 0n;
  for (const b of address.toByteArray()) value = (value << 8n) | BigInt(b);
  let host = ((value >> BigInt(bits - prefix)) << BigInt(bits - prefix)) + index;
  const out = new Array<number>(bits / 8);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(host & 0xffn);
    host >>= 8n;
  }
  return ipaddr.fromByteArray(out).toString();
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
