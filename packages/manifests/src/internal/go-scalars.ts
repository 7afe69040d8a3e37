// Plain scalars as gopkg.in/yaml.v3 resolves them (numbers with Go's bases and underscores, timestamps as
// RFC 3339 strings): the rules both YAML readers of a build share (go-yaml.ts and fast-yaml.ts).

function pad(n: string): string {
  return n.padStart(2, "0");
}

/** Go's time.Time JSON form of a YAML timestamp, or undefined when `s` is not one. */
export function goTimestamp(s: string): string | undefined {
  let m = /^(\d{4})-(\d\d?)-(\d\d?)$/.exec(s);
  if (m) return `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}T00:00:00Z`;
  m = /^(\d{4})-(\d\d?)-(\d\d?)(?:[Tt]| +)(\d\d?):(\d\d):(\d\d)(\.\d+)?[ \t]*(Z|[-+]\d\d?(?::?\d\d)?)?$/.exec(
    s,
  );
  if (!m) return undefined;
  const frac = m[7] ? m[7].replace(/0+$/, "").replace(/\.$/, "") : "";
  let zone = m[8] ?? "Z";
  if (zone !== "Z") {
    const z = /^([-+])(\d\d?)(?::?(\d\d))?$/.exec(zone)!;
    zone = z[2] === "0" && (z[3] ?? "00") === "00" ? "Z" : `${z[1]}${pad(z[2]!)}:${z[3] ?? "00"}`;
  }
  return `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}T${pad(m[4]!)}:${m[5]}:${m[6]}${frac}${zone}`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 0, 64) (sign, 0x/0o/0b prefixes, leading-0 octal), or undefined. */
function goParseInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let digits: string;
  if (/^0[xX]/.test(body)) digits = `0x${body.slice(2)}`;
  else if (/^0[oO]/.test(body)) digits = `0o${body.slice(2)}`;
  else if (/^0[bB]/.test(body)) digits = `0b${body.slice(2)}`;
  else if (body.length > 1 && body.startsWith("0")) digits = `0o${body.slice(1)}`;
  else digits = body;
  let n = BigInt(digits);
  if (m[1] === "-") n = -n;
  if (n < INT64_MIN || n > INT64_MAX) return undefined;
  return Number(n);
}

/**
 * yaml.v3/goyaml.v2 resolution of a plain scalar that starts like a number: underscores dropped, then an
 * int64 (any Go base prefix), else a float of YAML's style (finite), else the text itself.
 */
export function goNumber(s: string): number | string {
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return Number.NaN;
  const plain = s.replace(/_/g, "");
  const int = goParseInt(plain);
  if (int !== undefined) return int;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain)) {
    const f = Number.parseFloat(plain);
    if (Number.isFinite(f)) return f;
  }
  return s;
}

// Plain scalars Go's resolvers read as numbers start with a digit, a sign or a dot (`_1` is a string).
export const NUMBER_LIKE = /^(?:[-+]?[0-9.]|[-+]_)[0-9a-zA-Z_.+-]*$/;

export const TIMESTAMP =
  /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]| +)\d\d?:\d\d:\d\d(?:\.\d+)?[ \t]*(?:Z|[-+]\d\d?(?::?\d\d)?)?)?$/;
