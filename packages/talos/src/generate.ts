import { type ConfigDocument, documentType, encodeConfig, types } from "./internal/documents.js";
import type { GoStruct } from "./internal/go-type.js";
import type { SecretsBundle } from "./secrets.js";

/** The Talos version contract (`major.minor`) a config is generated for; features switch on by line. */
export interface VersionContract {
  major: number;
  minor: number;
}

/** Talos lines this generator reproduces (checked against Talos' own stability data for 1.13). */
export const supportedContracts = ["1.13", "1.14"] as const;

export function parseContract(version: string): VersionContract {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not a Talos version: ${version}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

const greater = (c: VersionContract, minor: number) => c.major > 1 || (c.major === 1 && c.minor > minor);

/** What Talos' generator takes (generate.NewInput + its options), as plain data. */
export interface GenerateInput {
  clusterName: string;
  /** control plane endpoint URL, e.g. https://10.10.0.20:6443 */
  endpoint: string;
  /** Kubernetes version without the leading v, e.g. 1.35.1 */
  kubernetesVersion: string;
  /** Talos version contract, e.g. "1.13" or "v1.13.2" */
  talosVersion: string;
  secrets: SecretsBundle;
  /** extra SANs for the API server and machine certificates */
  additionalSANs?: string[];
  /** default cluster.local */
  dnsDomain?: string;
  /** default 10.244.0.0/16 (IPv4 endpoint) */
  podSubnets?: string[];
  /** default 10.96.0.0/12 */
  serviceSubnets?: string[];
  installDisk?: string;
  installImage?: string;
  extraKernelArgs?: string[];
  /** control plane local API server port (default: not set) */
  localAPIServerPort?: number;
  sysctls?: Record<string, string>;
  cni?: { name: string; urls?: string[] };
  /** registry host → mirror endpoints */
  registryMirrors?: Record<string, string[]>;
  allowSchedulingOnControlPlanes?: boolean;
  /** default true */
  discoveryEnabled?: boolean;
  debug?: boolean;
}

export type MachineRole = "controlplane" | "worker" | "init";

function pemPair(crt: string, key?: string): GoStruct {
  return { Crt: crt, Key: key ?? "" };
}

function kubeImage(image: string, version: string): string | undefined {
  return version === "" ? undefined : `${image}:v${version}`;
}

function compact(obj: GoStruct): GoStruct {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}

const isIPv6 = (host: string) => host.includes(":") && !host.includes(".");

/** Talos' generator (pkg/machinery/config/generate) for one role: the documents it returns. */
export function generateDocuments(input: GenerateInput, role: MachineRole): ConfigDocument[] {
  const c = parseContract(input.talosVersion);
  const s = input.secrets;
  const endpointHost = new URL(input.endpoint).hostname.replace(/^\[|\]$/g, "");
  const podNet = input.podSubnets ?? [isIPv6(endpointHost) ? "fc00:db8:10::/56" : "10.244.0.0/16"];
  const serviceNet = input.serviceSubnets ?? [isIPv6(endpointHost) ? "fc00:db8:20::/112" : "10.96.0.0/12"];
  const controlplane = role !== "worker";
  const k8s = input.kubernetesVersion.replace(/^v/, "");

  const features: GoStruct = {};
  if (!greater(c, 11)) {
    features.RBAC = true;
    if (greater(c, 2)) features.ApidCheckExtKeyUsage = true;
  }
  if (greater(c, 4)) features.DiskQuotaSupport = true;
  if (greater(c, 5)) features.KubePrismSupport = { ServerEnabled: true, ServerPort: 7445 };
  if (greater(c, 6))
    features.HostDNSSupport = compact({
      HostDNSEnabled: true,
      HostDNSForwardKubeDNSToHost: greater(c, 7) ? true : undefined,
    });
  const kubelet: GoStruct = compact({ KubeletImage: kubeImage("ghcr.io/siderolabs/kubelet", k8s) });
  if (greater(c, 1)) kubelet.KubeletDefaultRuntimeSeccompProfileEnabled = true;
  if (greater(c, 2)) kubelet.KubeletDisableManifestsDirectory = true;
  const install: GoStruct = compact({
    InstallDisk: input.installDisk,
    InstallImage: input.installImage,
    InstallWipe: false,
    InstallExtraKernelArgs: input.extraKernelArgs,
  });
  if (greater(c, 11)) install.InstallGrubUseUKICmdline = true;

  const machine: GoStruct = compact({
    MachineType: role,
    MachineToken: s.trustdToken,
    MachineCA: controlplane ? pemPair(s.certs.os.crt, s.certs.os.key) : pemPair(s.certs.os.crt),
    MachineCertSANs: input.additionalSANs,
    MachineKubelet: kubelet,
    MachineInstall: install,
    MachineSysctls: input.sysctls,
    MachineFeatures: features,
  });
  if (controlplane && greater(c, 7))
    machine.MachineNodeLabels = { "node.kubernetes.io/exclude-from-external-load-balancers": "" };

  const network: GoStruct = compact({
    DNSDomain: input.dnsDomain ?? "cluster.local",
    PodSubnet: podNet,
    ServiceSubnet: serviceNet,
    CNI: input.cni ? compact({ CNIName: input.cni.name, CNIUrls: input.cni.urls }) : undefined,
  });
  const discovery: GoStruct | undefined =
    input.discoveryEnabled === false
      ? { DiscoveryEnabled: false }
      : {
          DiscoveryEnabled: true,
          ...(greater(c, 1)
            ? { DiscoveryRegistries: { RegistryKubernetes: { RegistryDisabled: true } } }
            : {}),
        };
  let cluster: GoStruct;
  if (controlplane) {
    const admission = greater(c, 0)
      ? [
          {
            PluginName: "PodSecurity",
            PluginConfiguration: {
              apiVersion: "pod-security.admission.config.k8s.io/v1alpha1",
              kind: "PodSecurityConfiguration",
              defaults: {
                enforce: "baseline",
                "enforce-version": "latest",
                audit: "restricted",
                "audit-version": "latest",
                warn: "restricted",
                "warn-version": "latest",
              },
              exemptions: { usernames: [], runtimeClasses: [], namespaces: ["kube-system"] },
            },
          },
        ]
      : undefined;
    const apiServer: GoStruct = compact({
      CertSANs: [...(!greater(c, 11) ? [endpointHost] : []), ...(input.additionalSANs ?? [])],
      ContainerImage: kubeImage("registry.k8s.io/kube-apiserver", k8s),
      AdmissionControlConfig: admission,
      AuditPolicyConfig: greater(c, 2)
        ? { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Metadata" }] }
        : undefined,
    });
    if ((apiServer.CertSANs as string[]).length === 0) delete apiServer.CertSANs;
    if (!greater(c, 11)) apiServer.DisablePodSecurityPolicyConfig = true;
    cluster = compact({
      ClusterID: s.cluster.id,
      ClusterName: input.clusterName,
      ClusterSecret: s.cluster.secret,
      ControlPlane: compact({ Endpoint: input.endpoint, LocalAPIServerPort: input.localAPIServerPort }),
      APIServerConfig: apiServer,
      ControllerManagerConfig: compact({
        ContainerImage: kubeImage("registry.k8s.io/kube-controller-manager", k8s),
      }),
      ProxyConfig: compact({ ContainerImage: kubeImage("registry.k8s.io/kube-proxy", k8s) }),
      SchedulerConfig: compact({ ContainerImage: kubeImage("registry.k8s.io/kube-scheduler", k8s) }),
      EtcdConfig: { RootCA: pemPair(s.certs.etcd.crt, s.certs.etcd.key) },
      ClusterNetwork: network,
      ClusterCA: pemPair(s.certs.k8s.crt, s.certs.k8s.key),
      ClusterAggregatorCA: pemPair(s.certs.k8sAggregator.crt, s.certs.k8sAggregator.key),
      ClusterServiceAccount: { Key: s.certs.k8sServiceAccount.key },
      BootstrapToken: s.bootstrapToken,
      ExtraManifests: [],
      ClusterInlineManifests: [],
      ClusterDiscoveryConfig: discovery,
    });
    if (input.allowSchedulingOnControlPlanes) {
      if (greater(c, 1)) cluster.AllowSchedulingOnControlPlanes = true;
      else cluster.AllowSchedulingOnMasters = true;
    }
    if (greater(c, 2)) {
      if (s.secretboxEncryptionSecret) cluster.ClusterSecretboxEncryptionSecret = s.secretboxEncryptionSecret;
    } else if (s.aescbcEncryptionSecret) cluster.ClusterAESCBCEncryptionSecret = s.aescbcEncryptionSecret;
  } else {
    cluster = compact({
      ClusterID: s.cluster.id,
      ClusterSecret: s.cluster.secret,
      ClusterCA: pemPair(s.certs.k8s.crt),
      BootstrapToken: s.bootstrapToken,
      ControlPlane: { Endpoint: input.endpoint },
      ClusterNetwork: network,
      ClusterDiscoveryConfig: discovery,
      ClusterName: greater(c, 7) ? input.clusterName : undefined,
    });
  }
  const config: GoStruct = {
    ConfigVersion: "v1alpha1",
    ConfigDebug: input.debug ?? false,
    ConfigPersist: true,
    MachineConfig: machine,
    ClusterConfig: cluster,
  };
  const docs: ConfigDocument[] = [
    { apiVersion: "", kind: "v1alpha1", type: types.named("v1alpha1.Config"), value: config },
  ];

  if (greater(c, 11)) {
    // registry mirrors as typed documents, sorted by kind then name
    const mirrors = Object.entries(input.registryMirrors ?? {}).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    for (const [host, endpoints] of mirrors) {
      docs.push(
        typedDocument("RegistryMirrorConfig", host, {
          RegistryEndpoints: endpoints.map((url) => ({ EndpointURL: url })),
        }),
      );
    }
  } else if (input.registryMirrors) {
    machine.MachineRegistries = {
      RegistryMirrors: Object.fromEntries(
        Object.entries(input.registryMirrors).map(([host, eps]) => [host, { MirrorEndpoints: eps }]),
      ),
    };
  }
  if (!greater(c, 12) && machine.MachineNetwork === undefined) machine.MachineNetwork = {};
  if (greater(c, 1) && !greater(c, 11)) features.StableHostname = true;
  if (greater(c, 11)) docs.push(typedDocument("HostnameConfig", undefined, { ConfigAuto: "stable" }));
  return docs;
}

/** A typed document (apiVersion v1alpha1) with the given Go field values. */
export function typedDocument(kind: string, name: string | undefined, fields: GoStruct): ConfigDocument {
  const type = documentType("v1alpha1", kind);
  const value: GoStruct = { Meta: { MetaAPIVersion: "v1alpha1", MetaKind: kind }, ...fields };
  if (name !== undefined) value.MetaName = name;
  return { apiVersion: "v1alpha1", kind, ...(name !== undefined ? { name } : {}), type, value };
}

/** Talos' generator output for one role, as the bytes `talosctl gen config` writes (comments disabled). */
export function generateConfig(input: GenerateInput, role: MachineRole): string {
  return encodeConfig(generateDocuments(input, role));
}
