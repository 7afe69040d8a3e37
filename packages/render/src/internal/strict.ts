/** Symbol under which a strict view exposes the plain object it wraps. */
export const RAW = Symbol.for("homeops.render.raw");

/** A template read a key the data does not have. Caught by the engine and given a file:line. */
export class MissingKeyError extends Error {
  override readonly name = "MissingKeyError";
  constructor(readonly keyPath: string) {
    super(`undefined key \`${keyPath}\``);
  }
}

// Probes that libraries make on any object (JSON.stringify, await, util.inspect): answering
// `undefined` is what a plain object does and never hides a template mistake.
const PROBES = new Set([
  "toJSON",
  "then",
  "inspect",
  "asymmetricMatch",
  "$$typeof",
  "nodeType",
  "@@__IMMUTABLE_ITERABLE__@@",
]);

function joinPath(parent: string, key: string): string {
  if (/^\d+$/.test(key)) return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Wraps `value` so that reading a key it does not have throws `MissingKeyError` naming the full key
 * path (`it.apps.romm`), instead of rendering `undefined`. `in`, `Object.keys` and the `has`/`get`
 * helpers stay lenient: that is the explicit optional access.
 */
export function strictView<T>(value: T, path = "it"): T {
  if (value === null || typeof value !== "object") return value;
  if ((value as Record<PropertyKey, unknown>)[RAW] !== undefined) return value;
  return new Proxy(value as object, {
    get(target, prop, receiver) {
      if (prop === RAW) return target;
      if (typeof prop === "symbol") return Reflect.get(target, prop, receiver);
      if (prop in target) {
        const child = Reflect.get(target, prop, receiver);
        if (typeof child === "function") return child;
        const own = Object.getOwnPropertyDescriptor(target, prop);
        // a proxy must return non-configurable read-only values as they are
        if (own && !own.configurable && !own.writable) return child;
        return strictView(child, joinPath(path, prop));
      }
      if (PROBES.has(prop)) return undefined;
      throw new MissingKeyError(joinPath(path, prop));
    },
  }) as T;
}

/** The plain value behind a strict view (or the value itself). */
export function unwrapStrict<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const raw = (value as Record<PropertyKey, unknown>)[RAW];
  return (raw ?? value) as T;
}
