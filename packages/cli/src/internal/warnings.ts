/**
 * Drops the one runtime warning a dependency makes Node print on every run: the Kubernetes client's URL
 * parsing (`tr46`, through `whatwg-url`) loads Node's deprecated `punycode` module, and Node ≥ 21 then
 * prints DEP0040, a notice for that package's authors, on the user's terminal. Every other warning goes
 * through as before.
 */
export function dropDependencyDeprecations(): void {
  const original = process.emitWarning;
  process.emitWarning = function emitWarning(this: unknown, warning: string | Error, ...rest: unknown[]) {
    const [typeOrOptions, code] = rest;
    const given =
      typeof typeOrOptions === "object" && typeOrOptions !== null
        ? (typeOrOptions as { code?: unknown }).code
        : code;
    if (given === "DEP0040") return;
    return (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}
