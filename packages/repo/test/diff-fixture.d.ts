export declare function git(dir: string, ...args: string[]): string;
export type Tree = Record<string, string | null>;
/** Writes `files` (null deletes) under `dir`. */
export declare function writeTree(dir: string, files: Tree): Promise<void>;
/** A small home-ops repository: a cluster root with a parent patch, two apps, a shared component, a Secret. */
export declare function baseTree(): Tree;
export declare const changes: {
  helmValue: {
    "kubernetes/apps/default/echo/app/helmrelease.yaml": string;
  };
  addedApp: {
    "kubernetes/apps/default/kustomization.yaml": string;
  };
  removedApp: {
    "kubernetes/apps/default/whoami": null;
    "kubernetes/apps/default/kustomization.yaml": string;
  };
  parentPatch: {
    "kubernetes/flux/cluster/ks.yaml": string;
  };
  component: {
    "kubernetes/components/app-defaults/kustomization.yaml": string;
  };
  secret: {
    "kubernetes/apps/default/secrets/app/secret.yaml": string;
  };
};
/** Secret values of the fixture: no output may contain them. */
export declare const SECRET_VALUES: string[];
/**
 * A Git repository with the base tree committed on `main`, a `pr` branch tracking it, and `change`
 * written to the work tree (uncommitted, or committed on `pr` with `commit`).
 */
export declare function fixtureRepo(
  change: Tree,
  options?: {
    commit?: boolean;
  },
): Promise<string>;
//# sourceMappingURL=diff-fixture.d.ts.map
