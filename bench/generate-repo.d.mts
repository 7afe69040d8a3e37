/** Every file of the synthetic repository of `apps` apps, as repo-relative path → text (see generate-repo.mjs). */
export function repoFiles(apps?: number): { files: Map<string, string>; apps: number; namespaces: number };
/** Writes a synthetic home-ops repository with `apps` apps under `out` (see generate-repo.mjs). */
export function generateRepo(out: string, apps?: number): { apps: number; namespaces: number; files: number };
