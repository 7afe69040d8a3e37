/** The Flux and External Secrets kinds homeops reads, with the apiVersion it reads them at. */
export interface FluxKind {
  apiVersion: string;
  kind: string;
  /** short name used on the command line */
  short: string;
  group: "ks" | "hr" | "sources" | "es";
}

export const KUSTOMIZATION: FluxKind = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  short: "ks",
  group: "ks",
};
export const HELM_RELEASE: FluxKind = {
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  short: "hr",
  group: "hr",
};
export const EXTERNAL_SECRET: FluxKind = {
  apiVersion: "external-secrets.io/v1",
  kind: "ExternalSecret",
  short: "es",
  group: "es",
};
export const SOURCE_KINDS: FluxKind[] = [
  "GitRepository",
  "OCIRepository",
  "HelmRepository",
  "HelmChart",
  "Bucket",
].map((kind) => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind,
  short: kind.toLowerCase(),
  group: "sources",
}));

export type StatusScope = "ks" | "hr" | "sources" | "es" | "all";

export function kindsOf(scope: StatusScope): FluxKind[] {
  switch (scope) {
    case "ks":
      return [KUSTOMIZATION];
    case "hr":
      return [HELM_RELEASE];
    case "sources":
      return SOURCE_KINDS;
    case "es":
      return [EXTERNAL_SECRET];
    case "all":
      return [...SOURCE_KINDS, KUSTOMIZATION, HELM_RELEASE, EXTERNAL_SECRET];
  }
}

/** Annotations and labels of Flux's API, in one place. */
export const FLUX = {
  requestedAt: "reconcile.fluxcd.io/requestedAt",
  forceAt: "reconcile.fluxcd.io/forceAt",
  ksName: "kustomize.toolkit.fluxcd.io/name",
  ksNamespace: "kustomize.toolkit.fluxcd.io/namespace",
  hrName: "helm.toolkit.fluxcd.io/name",
  hrNamespace: "helm.toolkit.fluxcd.io/namespace",
  ssa: "kustomize.toolkit.fluxcd.io/ssa",
  reconcile: "kustomize.toolkit.fluxcd.io/reconcile",
  prune: "kustomize.toolkit.fluxcd.io/prune",
  fieldManager: "kustomize-controller",
} as const;

/** The field manager of every write homeops makes. */
export const HOMEOPS_FIELD_MANAGER = "homeops";
