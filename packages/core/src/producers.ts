import { field, isRecord } from "./values.js";

/** An object as the producer rules read it (manifests' BuiltObject has this shape). */
export interface ApiObjectLike {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
  object: Record<string, unknown>;
}

/** API group of an apiVersion (`""` for the core group). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** true for an object of a built-in API group (core, apps, batch, *.k8s.io). */
export function isBuiltInApi(apiVersion: string): boolean {
  const group = apiGroup(apiVersion);
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

/** API groups whose objects homeops models (they produce no Secrets or PVCs beyond what the rules know). */
const MODELED_GROUPS = new Set([
  "external-secrets.io",
  "cert-manager.io",
  "postgresql.cnpg.io",
  "volsync.backube",
  "monitoring.coreos.com",
  "talos.dev",
  "objectbucket.io",
  "postgres-operator.crunchydata.com",
  "grafana.integreatly.org",
  "kustomize.toolkit.fluxcd.io",
  "source.toolkit.fluxcd.io",
  "helm.toolkit.fluxcd.io",
  "notification.toolkit.fluxcd.io",
  "image.toolkit.fluxcd.io",
  "gateway.envoyproxy.io",
  "cilium.io",
]);

/** Value keys that name an object the release *uses* (a reference), not one its chart creates. */
const REFERENCE_KEYS = new Set([
  "name",
  "secretName",
  "existingSecret",
  "secret",
  "secretRef",
  "claimName",
  "existingClaim",
  "configMapName",
]);

/**
 * An object in `namespace` that may create the Secret or PVC `name` at runtime although homeops does not
 * model how: a custom resource of an operator the repository does not model whose name is `name` or a
 * prefix of it (a `User zigbee2mqtt` and the Secret `zigbee2mqtt-mqtt-credentials`), or a HelmRelease
 * other than `consumer` whose values name it under a key that is not a reference (a chart that writes a
 * Secret named after `Machine.Username: zitadel-admin-sa`).
 */
export function possibleProducer<T extends ApiObjectLike>(
  objects: readonly T[],
  namespace: string,
  name: string,
  consumer?: T,
): T | undefined {
  return (
    objects.find(
      (o) =>
        !isBuiltInApi(o.apiVersion) &&
        (o.namespace ?? "default") === namespace &&
        (o.name === name || name.startsWith(`${o.name}-`)) &&
        !MODELED_GROUPS.has(apiGroup(o.apiVersion)),
    ) ??
    objects.find(
      (o) =>
        o !== consumer &&
        o.kind === "HelmRelease" &&
        apiGroup(o.apiVersion) === "helm.toolkit.fluxcd.io" &&
        releaseNamespace(o) === namespace &&
        valuesName(field(o.object, "spec", "values"), name),
    )
  );
}

function releaseNamespace(o: ApiObjectLike): string {
  const target = field(o.object, "spec", "targetNamespace");
  return typeof target === "string" ? target : (o.namespace ?? "default");
}

/** true when `name` is a string value of `values` under a key that is not a reference key. */
function valuesName(values: unknown, name: string, key?: string): boolean {
  if (typeof values === "string") return values === name && key !== undefined && !REFERENCE_KEYS.has(key);
  if (Array.isArray(values)) return values.some((v) => valuesName(v, name, key));
  if (isRecord(values)) {
    if (key !== undefined && REFERENCE_KEYS.has(key)) return false;
    return Object.entries(values).some(([k, v]) => valuesName(v, name, k));
  }
  return false;
}
