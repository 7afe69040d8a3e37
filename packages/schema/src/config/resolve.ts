import { nthHost } from "./cidr.js";
import { CONFIG_DEFAULTS, VANILLA_SCHEMATIC_ID } from "./defaults.js";
import { isPlaceholder } from "./fields.js";
import type { ConfigInput } from "./schema.js";
import type { ClusterConfig, ClusterNode, LiteralValue, PlaceholderValue } from "./types.js";

/**
 * Applies the computed defaults and derives every value templates need, in one place.
 * Only call it on input that passed every rule (it trusts CIDRs and addresses to be valid).
 */
export function resolveClusterConfig(input: ConfigInput, sourceVersion: number): ClusterConfig {
  const defaultGateway =
    input.network.defaultGateway ?? nthHost(input.network.nodeCidr, CONFIG_DEFAULTS.defaultGatewayHostIndex);
  const schematicId = input.talos.schematicId ?? VANILLA_SCHEMATIC_ID;
  // keeps the schema's key order: the gateway sits next to the CIDRs it belongs to
  const { nodeCidr, podCidr, serviceCidr, defaultGateway: _given, ...network } = input.network;

  const nodes: ClusterNode[] = input.nodes.map((node) => {
    const installDisk = node.installDisk ?? (node.diskSelector ? undefined : input.talos.installDisk);
    const { installDisk: _disk, schematicId: _id, mtu: _mtu, ...rest } = node;
    return {
      ...rest,
      schematicId: node.schematicId ?? schematicId,
      mtu: node.mtu ?? input.network.mtu,
      ...(installDisk === undefined ? {} : { installDisk }),
    };
  });
  const controllers = nodes.filter((n) => n.controller);

  const placeholders: PlaceholderValue[] = [];
  const literals: LiteralValue[] = [];
  const note = (path: string, value: string | undefined) => {
    if (value === undefined) return;
    if (isPlaceholder(value)) placeholders.push({ path, variable: value.slice(2, -1) });
    else literals.push({ path, value });
  };
  note("cluster.domain", input.cluster.domain);
  note("secrets.vaultAddress", input.secrets.vaultAddress);
  if (input.storage.nfs) {
    note("storage.nfs.server", input.storage.nfs.server);
    for (const [name, path] of Object.entries(input.storage.nfs.exports))
      note(`storage.nfs.exports.${name}`, path);
  }
  note("storage.backupTarget", input.storage.backupTarget);

  return {
    ...input,
    network: { nodeCidr, podCidr, serviceCidr, defaultGateway, ...network },
    talos: { ...input.talos, schematicId },
    nodes,
    derived: {
      coreDnsAddress: nthHost(input.network.serviceCidr, CONFIG_DEFAULTS.coreDnsHostIndex),
      controllers: controllers.map((n) => n.name),
      controllerCount: controllers.length,
      workers: nodes.filter((n) => !n.controller).map((n) => n.name),
      apiCertSans: [
        ...new Set([
          input.kubernetes.apiVip,
          ...input.kubernetes.tlsSans,
          ...controllers.map((n) => n.address),
        ]),
      ],
      apiEndpoint: `https://${input.kubernetes.apiVip}:${CONFIG_DEFAULTS.apiPort}`,
      placeholders,
      literals,
      sourceVersion,
    },
  };
}
