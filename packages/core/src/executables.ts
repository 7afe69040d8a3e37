import { delimiter } from "node:path";
import which from "which";

/**
 * The executable `name` in the first of `dirs` that has it, or `undefined`. Each entry is a directory or a
 * PATH-style list of them (the caller passes `env.PATH` as one entry: libraries never read the
 * environment themselves). The one "find a tool" helper: the CLI's sops lookup, the oracle tests and the
 * benchmarks all call it. `which` does the platform work (PATHEXT on Windows, the executable bit).
 */
export function findExecutable(name: string, dirs: readonly (string | undefined)[]): string | undefined {
  const path = dirs
    .flatMap((d) => (d ?? "").split(delimiter))
    .filter(Boolean)
    .join(delimiter);
  if (path === "") return undefined;
  return which.sync(name, { path, nothrow: true }) ?? undefined;
}
