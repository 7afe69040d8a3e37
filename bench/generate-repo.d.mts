/** Writes a synthetic home-ops repository with `apps` apps under `out` (see generate-repo.mjs). */
export function generateRepo(out: string, apps?: number): void;
