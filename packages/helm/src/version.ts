import semver from "semver";

/**
 * The version Flux picks for `version` among `available`: an exact version as is, else the highest version
 * matching the range (Masterminds-style constraints: `*`, `^4`, `~1.2`, `>=1.0.0 <2.0.0`, `>= 1.2, < 3.0`,
 * `4.x`); pre-releases only when the range names one, as Helm does.
 */
export function pickVersion(available: readonly string[], version: string): string | undefined {
  const wanted = version.trim() === "" ? "*" : version.trim();
  if (available.includes(wanted)) return wanted;
  const exact = semver.valid(wanted, { loose: true });
  if (exact !== null) return available.find((v) => semver.valid(v, { loose: true }) === exact);
  const range = wanted.replace(/\s*,\s*/g, " ");
  if (semver.validRange(range, { loose: true }) === null) return undefined;
  const candidates = available.filter((v) => semver.valid(v, { loose: true }) !== null);
  return (
    semver.maxSatisfying(candidates, range, { loose: true, includePrerelease: /-/.test(range) }) ?? undefined
  );
}
