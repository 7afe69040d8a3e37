import type { ConfigInput, ConfigNodeInput } from "./schema.js";

/** A node with every per-node default applied. */
export type ClusterNode = Omit<ConfigNodeInput, "schematicId" | "mtu" | "installDisk"> & {
  /** the node's own schematic id, else `talos.schematicId` */
  schematicId: string;
  /** the node's own MTU, else `network.mtu` */
  mtu: number;
  /** the node's own install disk, else `talos.installDisk`; absent when a `diskSelector` is given */
  installDisk?: string;
};

/** A config value written as a Flux-style placeholder. */
export interface PlaceholderValue {
  /** where, e.g. `cluster.domain` */
  path: string;
  /** the variable name, e.g. `SECRET_DOMAIN` */
  variable: string;
}

/** A placeholder-capable value that was written literally (it will appear as-is in rendered files). */
export interface LiteralValue {
  path: string;
  value: string;
}

/** Values homeops computes from the config; setting any of them by hand is an error. */
export interface DerivedValues {
  /** CoreDNS service address: the 10th host of `network.serviceCidr` */
  coreDnsAddress: string;
  /** names of the controller nodes, in file order */
  controllers: string[];
  controllerCount: number;
  /** names of the worker nodes, in file order */
  workers: string[];
  /** API server certificate SANs: API VIP, `kubernetes.tlsSans`, controller addresses (deduplicated, in that order) */
  apiCertSans: string[];
  /** `https://<apiVip>:6443` */
  apiEndpoint: string;
  /** placeholder-capable values written as `${VAR}` */
  placeholders: PlaceholderValue[];
  /** placeholder-capable values written literally */
  literals: LiteralValue[];
  /** the version the file was written in (before migrations) */
  sourceVersion: number;
}

/** The validated `bootstrap/config.yaml`: every section fully defaulted, plus `derived`. */
export type ClusterConfig = Omit<ConfigInput, "network" | "talos" | "nodes"> & {
  network: ConfigInput["network"] & { defaultGateway: string };
  talos: ConfigInput["talos"] & { schematicId: string };
  nodes: ClusterNode[];
  derived: DerivedValues;
};

/** Names of every derived value (rejected as keys anywhere in the file). */
export const DERIVED_KEYS: readonly string[] = [
  "derived",
  "coreDnsAddress",
  "controllers",
  "controllerCount",
  "workers",
  "apiCertSans",
  "apiEndpoint",
  "placeholders",
  "literals",
  "sourceVersion",
];
