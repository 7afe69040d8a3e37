import type { ClusterConfig, ClusterNode } from "@homeops/schema";
import { type GenerateInput, generateDocuments, parseContract, typedDocument } from "./generate.js";
import { type ConfigDocument, encodeConfig, strategicMerge, types } from "./internal/documents.js";
import type { GoStruct } from "./internal/go-type.js";
import type { TalosPatch } from "./patch.js";
import { applyPatches } from "./patch.js";
import { installerImage } from "./schematic.js";
import type { SecretsBundle } from "./secrets.js";

/** One node as homeops configures Talos for it. */
export interface TalosNode {
  name: string;
  address: string;
  /** prefix length of the node network */
  prefix: number;
  role: "controlplane" | "worker";
  /** install disk path, or a selector */
  installDisk?: string;
  diskSelector?: { serial?: string; model?: string; wwid?: string; type?: string };
  /** link selection: one MAC (a single link), several (a bond), none (the first ethernet link) */
  macs: string[];
  bondMode?: string;
  mtu: number;
  vlan?: number;
  schematicId: string;
  secureboot: boolean;
  diskEncryption: boolean;
  kernelModules: string[];
  labels: Record<string, string>;
  taints: Record<string, string>;
  installImage: string;
}

/** Everything the Talos side of a homeops repository is generated from. */
export interface TalosClusterModel {
  clusterName: string;
  /** https://<apiVip>:6443 */
  endpoint: string;
  apiVip: string;
  talosVersion: string;
  kubernetesVersion: string;
  podSubnets: string[];
  serviceSubnets: string[];
  certSANs: string[];
  /** "none" when cilium is the CNI (the repository deploys it), else Talos' default (flannel) */
  cni: "none" | "flannel";
  gateway: string;
  dnsServers: string[];
  ntpServers: string[];
  /** Image Factory platform of the installer (metal) */
  platform: string;
  nodes: TalosNode[];
}

/** The Talos model derived from the validated config. */
export function talosModelFromConfig(config: ClusterConfig): TalosClusterModel {
  const prefix = Number(config.network.nodeCidr.split("/")[1] ?? 24);
  const platform = "metal";
  const nodes = config.nodes.map((n: ClusterNode): TalosNode => {
    const secureboot = n.secureboot ?? false;
    const node: TalosNode = {
      name: n.name,
      address: n.address,
      prefix,
      role: n.controller ? "controlplane" : "worker",
      macs: n.bond ? [...n.bond.macs] : n.mac ? [n.mac] : [],
      mtu: n.mtu,
      schematicId: n.schematicId,
      secureboot,
      diskEncryption: n.diskEncryption ?? false,
      kernelModules: [...(n.kernelModules ?? [])],
      labels: { ...(n.labels ?? {}) },
      taints: { ...(n.taints ?? {}) },
      installImage: installerImage({
        platform,
        schematicId: n.schematicId,
        talosVersion: config.talos.version,
        secureboot,
      }),
    };
    if (n.bond) node.bondMode = n.bond.mode;
    if (config.network.vlan !== undefined) node.vlan = config.network.vlan;
    if (n.diskSelector) {
      const sel: NonNullable<TalosNode["diskSelector"]> = {};
      for (const k of ["serial", "model", "wwid", "type"] as const) {
        const v = n.diskSelector[k];
        if (v !== undefined) sel[k] = v;
      }
      node.diskSelector = sel;
    } else if (n.installDisk) node.installDisk = n.installDisk;
    return node;
  });
  return {
    clusterName: config.cluster.name,
    endpoint: config.derived.apiEndpoint,
    apiVip: config.kubernetes.apiVip,
    talosVersion: config.talos.version,
    kubernetesVersion: config.talos.kubernetesVersion.replace(/^v/, ""),
    podSubnets: [config.network.podCidr],
    serviceSubnets: [config.network.serviceCidr],
    certSANs: [...config.derived.apiCertSans],
    cni: config.talos.cni === "flannel" ? "flannel" : "none",
    gateway: config.network.defaultGateway,
    dnsServers: [...config.network.dnsServers],
    ntpServers: [...config.network.ntpServers],
    platform,
    nodes,
  };
}

/** The name homeops gives the node's link (a LinkAliasConfig on its MAC) and its addressed link. */
export function nodeLinks(node: TalosNode): { aliases: string[]; link: string; addressed: string } {
  const aliases = node.macs.length === 0 ? ["net0"] : node.macs.map((_, i) => `net${i}`);
  const link = node.macs.length > 1 ? "bond0" : (aliases[0] as string);
  const addressed = node.vlan !== undefined ? `${link}.${node.vlan}` : link;
  return { aliases, link, addressed };
}

/** The documents homeops adds for one node, merged over Talos' generator output (a strategic patch). */
export function nodeDocuments(model: TalosClusterModel, node: TalosNode): ConfigDocument[] {
  const c = parseContract(model.talosVersion);
  const docs: ConfigDocument[] = [];
  const install: GoStruct = { InstallImage: node.installImage };
  if (node.installDisk) install.InstallDisk = node.installDisk;
  if (node.diskSelector) {
    const sel: GoStruct = {};
    if (node.diskSelector.serial) sel.Serial = node.diskSelector.serial;
    if (node.diskSelector.model) sel.Model = node.diskSelector.model;
    if (node.diskSelector.wwid) sel.WWID = node.diskSelector.wwid;
    if (node.diskSelector.type) sel.Type = node.diskSelector.type;
    install.InstallDiskSelector = sel;
  }
  const machine: GoStruct = { MachineInstall: install };
  if (node.kernelModules.length > 0)
    machine.MachineKernel = { KernelModules: node.kernelModules.map((m) => ({ ModuleName: m })) };
  if (Object.keys(node.labels).length > 0) machine.MachineNodeLabels = node.labels;
  if (Object.keys(node.taints).length > 0) machine.MachineNodeTaints = node.taints;
  const cluster: GoStruct = {};
  if (model.cni === "none") cluster.ClusterNetwork = { CNI: { CNIName: "none" } };
  if (node.role === "controlplane" && !model.nodes.some((n) => n.role === "worker"))
    cluster.AllowSchedulingOnControlPlanes = true;
  docs.push({
    apiVersion: "",
    kind: "v1alpha1",
    type: types.named("v1alpha1.Config"),
    value: { MachineConfig: machine, ...(Object.keys(cluster).length > 0 ? { ClusterConfig: cluster } : {}) },
  });

  const { aliases, link, addressed } = nodeLinks(node);
  aliases.forEach((alias, i) => {
    const mac = node.macs[i];
    docs.push(
      typedDocument("LinkAliasConfig", alias, {
        Selector: {
          Match: mac ? `mac(link.permanent_addr) == "${mac}"` : 'link.type == 1 && link.kind == ""',
        },
      }),
    );
  });
  const addressing: GoStruct = {
    LinkUp: true,
    LinkMTU: node.mtu,
    LinkAddresses: [{ AddressAddress: `${node.address}/${node.prefix}` }],
    LinkRoutes: [{ RouteGateway: model.gateway }],
  };
  const parentLink: GoStruct = { LinkUp: true, LinkMTU: node.mtu };
  if (node.macs.length > 1) {
    docs.push(
      typedDocument("BondConfig", link, {
        BondLinks: aliases,
        BondMode: node.bondMode ?? "802.3ad",
        ...(node.bondMode === "802.3ad" || node.bondMode === undefined
          ? { BondMIIMon: 100, BondXmitHashPolicy: "layer3+4", BondLACPRate: "fast" }
          : {}),
        CommonLinkConfig: node.vlan !== undefined ? parentLink : addressing,
      }),
    );
  } else {
    docs.push(
      typedDocument("LinkConfig", link, {
        CommonLinkConfig: node.vlan !== undefined ? parentLink : addressing,
      }),
    );
  }
  if (node.vlan !== undefined) {
    docs.push(
      typedDocument("VLANConfig", addressed, {
        VLANIDConfig: node.vlan,
        ParentLinkConfig: link,
        CommonLinkConfig: addressing,
      }),
    );
  }
  if (node.role === "controlplane")
    docs.push(typedDocument("Layer2VIPConfig", model.apiVip, { LinkName: addressed }));
  docs.push(
    typedDocument("ResolverConfig", undefined, {
      ResolverNameservers: model.dnsServers.map((a) => ({ Address: a })),
    }),
  );
  docs.push(typedDocument("TimeSyncConfig", undefined, { TimeNTP: { Servers: model.ntpServers } }));
  if (node.diskEncryption && c.minor >= 11) {
    for (const volume of ["STATE", "EPHEMERAL"]) {
      docs.push(
        typedDocument("VolumeConfig", volume, {
          EncryptionSpec: {
            EncryptionProvider: "luks2",
            EncryptionKeys: [
              { KeySlot: 0, KeyTPM: node.secureboot ? { TPMCheckSecurebootStatusOnEnroll: true } : {} },
            ],
          },
        }),
      );
    }
  }
  return docs;
}

/** The generator input for the cluster (shared by every node). */
export function generateInputFor(model: TalosClusterModel, secrets: SecretsBundle): GenerateInput {
  return {
    clusterName: model.clusterName,
    endpoint: model.endpoint,
    kubernetesVersion: model.kubernetesVersion,
    talosVersion: model.talosVersion,
    secrets,
    additionalSANs: model.certSANs,
    podSubnets: model.podSubnets,
    serviceSubnets: model.serviceSubnets,
  };
}

/** User patches by layer, in the order they apply: all, then the role's, then the node's own. */
export interface UserPatches {
  all: TalosPatch[];
  controlplane: TalosPatch[];
  worker: TalosPatch[];
  /** node name → patches */
  nodes: Record<string, TalosPatch[]>;
}

export const noUserPatches: UserPatches = { all: [], controlplane: [], worker: [], nodes: {} };

/**
 * One node's machine config: Talos' generator output, homeops' node documents merged over it, then the
 * user patches (all → controlplane|worker → <node>). Deterministic for the same model, bundle and patches.
 */
export function renderNodeConfig(
  model: TalosClusterModel,
  node: TalosNode,
  secrets: SecretsBundle,
  patches: UserPatches = noUserPatches,
): string {
  let docs = generateDocuments(generateInputFor(model, secrets), node.role);
  // homeops names the host: the generator's `auto: stable` hostname gives way to the node's name
  docs = docs.map((d) =>
    d.kind === "HostnameConfig" ? { ...d, value: { Meta: d.value.Meta, ConfigHostname: node.name } } : d,
  );
  docs = strategicMerge(docs, nodeDocuments(model, node));
  const user = [
    ...patches.all,
    ...(node.role === "controlplane" ? patches.controlplane : patches.worker),
    ...(patches.nodes[node.name] ?? []),
  ];
  if (user.length === 0) return encodeConfig(docs);
  return applyPatches(encodeConfig(docs), user);
}
