/** The config version this homeops reads natively; older versions are migrated in memory. */
export const CONFIG_VERSION = 1;

/** Image Factory id of the vanilla schematic (`customization: {}`). */
export const VANILLA_SCHEMATIC_ID = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

/**
 * Every default of the config in one place: the static ones feed the zod schema (and so the JSON Schema
 * editors see); the computed ones (`*HostIndex`) feed the derivation of `ClusterConfig`.
 */
export const CONFIG_DEFAULTS = {
  timezone: "Etc/UTC",
  podCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
  dnsServers: ["1.1.1.1", "1.0.0.1"],
  ntpServers: ["162.159.200.1", "162.159.200.123"],
  mtu: 1500,
  branch: "main",
  storeKind: "ClusterSecretStore",
  defaultStorageClass: "openebs-hostpath",
  schematicId: VANILLA_SCHEMATIC_ID,
  /** `network.defaultGateway` defaults to this host of `network.nodeCidr` */
  defaultGatewayHostIndex: 1,
  /** the CoreDNS service address is this host of `network.serviceCidr` */
  coreDnsHostIndex: 10,
  /** the Kubernetes API port behind the VIP */
  apiPort: 6443,
} as const;
