import { stringifyYaml, UserError } from "@homeops/core";
import { nthHost as hostOf } from "@homeops/schema";
import { unwrapStrict } from "./internal/strict.js";

const hosts = new Map<string, string>();

/**
 * The `n`th host address of `cidr` (1 = the first address after the network address; negative counts
 * back from the last address, -1 = the last usable IPv4 host): `@homeops/schema`'s `nthHost`, with its
 * error reported as a template error.
 */
export function nthHost(cidr: string, n: number): string {
  // every app's template asks for the same few addresses: parse each CIDR once
  const key = typeof cidr === "string" && typeof n === "number" ? `${cidr} ${n}` : undefined;
  const known = key === undefined ? undefined : hosts.get(key);
  if (known !== undefined) return known;
  try {
    const host = hostOf(cidr, n);
    if (key !== undefined && hosts.size < 1024) hosts.set(key, host);
    return host;
  } catch (error) {
    if (error instanceof UserError) throw new UserError("TEMPLATE_ERROR", `nthHost: ${error.message}`);
    throw error;
  }
}

/** Prefixes every non-blank line of `text` with `spaces` spaces (Helm's `indent`). */
export function indent(spaces: number, text: unknown): string {
  const pad = " ".repeat(spaces);
  return String(text)
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : pad + line))
    .join("\n");
}

/** A newline, then `indent(spaces, text)` (Helm's `nindent`): for blocks after a key. */
export function nindent(spaces: number, text: unknown): string {
  return `\n${indent(spaces, text)}`;
}

/** `value` as YAML through the one homeops stringifier, without the trailing newline (Helm's `toYaml`). */
export function toYaml(value: unknown): string {
  return stringifyYaml(unwrapDeep(value)).replace(/\n$/, "");
}

/** Standard base64 of the UTF-8 text. */
export function base64(text: unknown): string {
  return Buffer.from(String(text), "utf8").toString("base64");
}

/** A double-quoted scalar that is valid YAML (and JSON) whatever the text holds. */
export function quote(value: unknown): string {
  return JSON.stringify(String(value));
}

/** `fallback` when `value` is undefined, null or an empty string (Helm's `default`). */
export function defaultTo<T, F>(value: T, fallback: F): NonNullable<T> | F {
  return value === undefined || value === null || (value as unknown) === ""
    ? fallback
    : (value as NonNullable<T>);
}

/** Explicit optional access: true when `obj` has the dotted `path` (`has(it, "bgp.routerAsn")`). */
export function has(obj: unknown, path: string): boolean {
  return lookup(obj, path).found;
}

/** Explicit optional access: the value at the dotted `path`, or `fallback` when any part is missing. */
export function get<F = undefined>(obj: unknown, path: string, fallback?: F): unknown {
  const { found, value } = lookup(obj, path);
  return found && value !== undefined ? value : fallback;
}

function lookup(obj: unknown, path: string): { found: boolean; value?: unknown } {
  let current: unknown = unwrapStrict(obj);
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object" || !(key in current)) return { found: false };
    current = unwrapStrict((current as Record<string, unknown>)[key]);
  }
  return { found: true, value: current };
}

function unwrapDeep(value: unknown): unknown {
  const plain = unwrapStrict(value);
  if (Array.isArray(plain)) return plain.map(unwrapDeep);
  if (plain !== null && typeof plain === "object") {
    return Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, unwrapDeep(v)]));
  }
  return plain;
}

/** Every helper a template sees as `h.<name>`. */
export const templateHelpers = {
  nthHost,
  indent,
  nindent,
  toYaml,
  base64,
  quote,
  default: defaultTo,
  has,
  get,
} as const;

export type TemplateHelpers = typeof templateHelpers;
