// Which kinds are namespaced, as far as we can know offline: the built-in kinds, the CRDs home-ops repos
// use, and any CustomResourceDefinition found in the build. Used to reproduce kustomize-controller's
// "namespace not specified" failure for namespaced objects that end up without a namespace.
import type { BuiltObject } from "../types.js";
import { groupVersion, isObj } from "./res.js";

const NAMESPACED: Record<string, string[]> = {
  "": [
    "ConfigMap",
    "Secret",
    "Service",
    "ServiceAccount",
    "Pod",
    "PodTemplate",
    "PersistentVolumeClaim",
    "Endpoints",
    "LimitRange",
    "ResourceQuota",
    "ReplicationController",
    "Event",
  ],
  apps: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"],
  batch: ["Job", "CronJob"],
  "rbac.authorization.k8s.io": ["Role", "RoleBinding"],
  "networking.k8s.io": ["Ingress", "NetworkPolicy"],
  policy: ["PodDisruptionBudget"],
  autoscaling: ["HorizontalPodAutoscaler"],
  "coordination.k8s.io": ["Lease"],
  "discovery.k8s.io": ["EndpointSlice"],
  "kustomize.toolkit.fluxcd.io": ["Kustomization"],
  "helm.toolkit.fluxcd.io": ["HelmRelease"],
  "source.toolkit.fluxcd.io": ["GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket"],
  "notification.toolkit.fluxcd.io": ["Alert", "Provider", "Receiver"],
  "image.toolkit.fluxcd.io": ["ImageRepository", "ImagePolicy", "ImageUpdateAutomation"],
  "external-secrets.io": ["ExternalSecret", "SecretStore", "PushSecret"],
  "cert-manager.io": ["Certificate", "Issuer", "CertificateRequest"],
  "gateway.networking.k8s.io": [
    "Gateway",
    "HTTPRoute",
    "GRPCRoute",
    "TCPRoute",
    "TLSRoute",
    "UDPRoute",
    "ReferenceGrant",
  ],
  "monitoring.coreos.com": [
    "ServiceMonitor",
    "PodMonitor",
    "PrometheusRule",
    "Prometheus",
    "Alertmanager",
    "Probe",
  ],
  "volsync.backube": ["ReplicationSource", "ReplicationDestination"],
  "cilium.io": ["CiliumNetworkPolicy"],
};

/** `true` namespaced, `false` cluster-scoped, `undefined` unknown. */
export function scopeResolver(
  objects: readonly BuiltObject[],
): (apiVersion: string, kind: string) => boolean | undefined {
  const crds = new Map<string, boolean>();
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const spec = isObj(o.object.spec) ? o.object.spec : {};
    const names = isObj(spec.names) ? spec.names : {};
    if (typeof spec.group === "string" && typeof names.kind === "string") {
      crds.set(`${spec.group}/${names.kind}`, spec.scope === "Namespaced");
    }
  }
  return (apiVersion, kind) => {
    const { group } = groupVersion(apiVersion);
    const fromCrd = crds.get(`${group}/${kind}`);
    if (fromCrd !== undefined) return fromCrd;
    return NAMESPACED[group]?.includes(kind) ? true : undefined;
  };
}
