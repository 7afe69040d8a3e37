import * as z from "zod";
import { CONFIG_DEFAULTS, CONFIG_VERSION } from "./defaults.js";
import { checkLabelKey, fields, patterns } from "./fields.js";

/** A map whose keys are checked too; a bad key is reported on the key itself. */
function checkedRecord<V extends z.ZodType>(
  value: V,
  checkKey: (key: string) => { ruleId: string; message: string } | undefined,
  keyPattern: string,
  description: string,
) {
  return z
    .record(z.string(), value)
    .superRefine((record, ctx) => {
      for (const key of Object.keys(record)) {
        const problem = checkKey(key);
        if (problem) {
          ctx.addIssue({
            code: "custom",
            message: problem.message,
            path: [key],
            params: { ruleId: problem.ruleId, at: "key" },
          });
        }
      }
    })
    .meta({ description, propertyNames: { pattern: keyPattern } });
}

const exportNamePattern = new RegExp(patterns.dnsLabel);

const clusterSchema = z
  .strictObject({
    name: fields.dnsLabel("cluster name: a DNS label; also the Talos cluster name and talosconfig context"),
    domain: fields.domain("public domain: a lower-case FQDN or a placeholder such as ${SECRET_DOMAIN}"),
    timezone: fields.timezone("IANA timezone, e.g. Europe/Amsterdam").default(CONFIG_DEFAULTS.timezone),
  })
  .meta({ description: "the cluster's identity" });

const networkSchema = z
  .strictObject({
    nodeCidr: fields.cidr("IPv4 CIDR of the node network, e.g. 10.10.0.0/24"),
    podCidr: fields.cidr("IPv4 CIDR for pods").default(CONFIG_DEFAULTS.podCidr),
    serviceCidr: fields.cidr("IPv4 CIDR for services").default(CONFIG_DEFAULTS.serviceCidr),
    defaultGateway: fields
      .ipv4("default gateway of the node network (default: first host of nodeCidr)")
      .optional(),
    dnsServers: z
      .array(fields.ipv4("DNS server address"))
      .min(1)
      .default(() => [...CONFIG_DEFAULTS.dnsServers])
      .meta({ description: "upstream DNS servers of the nodes" }),
    ntpServers: z
      .array(fields.ipv4("NTP server address"))
      .min(1)
      .default(() => [...CONFIG_DEFAULTS.ntpServers])
      .meta({ description: "NTP servers of the nodes" }),
    vlan: fields.vlan("VLAN tag of the node network (1-4094); omit for untagged").optional(),
    mtu: fields.mtu("MTU of the node network (1450-9000)").default(CONFIG_DEFAULTS.mtu),
  })
  .meta({ description: "addressing of nodes, pods and services" });

const kubernetesSchema = z
  .strictObject({
    apiVip: fields.ipv4("virtual IP of the Kubernetes API, inside nodeCidr"),
    tlsSans: z
      .array(fields.san("extra DNS name or IPv4 address for the API server certificate"))
      .default(() => [])
      .meta({ description: "extra names/addresses for the API server certificate" }),
  })
  .meta({ description: "the Kubernetes API endpoint" });

const gatewaysSchema = z
  .strictObject({
    internal: fields.ipv4("LoadBalancer address of the internal gateway"),
    external: fields
      .ipv4(
        "LoadBalancer address of the external gateway (public ingress); required when apps.externalDns publishes records (dns.provider other than none), optional otherwise: without it no external gateway is rendered",
      )
      .optional(),
    dns: fields.ipv4("LoadBalancer address of the cluster DNS gateway (split-horizon DNS)"),
  })
  .meta({ description: "LoadBalancer addresses (inside nodeCidr unless bgp is set)" });

const bgpSchema = z
  .strictObject({
    routerAddress: fields.ipv4("address of the BGP peer router").optional(),
    routerAsn: fields.asn("ASN of the router (1-4294967295)").optional(),
    nodeAsn: fields.asn("ASN of the nodes (1-4294967295)").optional(),
  })
  .meta({ description: "BGP peering for LoadBalancer addresses: all three fields or none" });

const repositorySchema = z
  .strictObject({
    url: fields.repositoryUrl("Git URL Flux pulls from: https://, http:// or ssh://"),
    branch: fields.gitRef("branch Flux follows").default(CONFIG_DEFAULTS.branch),
    knownHosts: z.string().min(1).optional().meta({
      description: "known_hosts lines for ssh hosts other than github.com, gitlab.com, codeberg.org",
    }),
  })
  .meta({ description: "the Git repository Flux syncs" });

const dnsSchema = z
  .strictObject({
    provider: z.enum(["cloudflare", "rfc2136", "none"]).meta({ description: "external DNS provider" }),
    credential: fields
      .credentialKey("key in the secret store holding the API token or TSIG secret (cloudflare, rfc2136)")
      .optional(),
  })
  .meta({ description: "public DNS records" });

const secretsSchema = z
  .strictObject({
    store: z
      .strictObject({
        kind: z
          .enum(["ClusterSecretStore", "SecretStore"])
          .default(CONFIG_DEFAULTS.storeKind)
          .meta({ description: "ExternalSecrets store kind" }),
        name: fields.k8sName("ExternalSecrets store name"),
      })
      .meta({ description: "the ExternalSecrets store every ExternalSecret uses" }),
    vaultAddress: fields.vaultAddress("Vault address: a placeholder such as ${VAULT_ADDR} or an http(s) URL"),
    ageRecipients: z
      .array(fields.ageRecipient("age public key"))
      .min(1)
      .meta({ description: "age recipients SOPS encrypts *.sops.yaml files to" }),
  })
  .meta({ description: "the secret backends" });

const storageSchema = z
  .strictObject({
    nfs: z
      .strictObject({
        server: fields.nfsServer("NFS server: a placeholder, a host name or an IPv4 address"),
        exports: checkedRecord(
          fields.exportPath("exported path: a placeholder or an absolute path"),
          (key) =>
            exportNamePattern.test(key)
              ? undefined
              : {
                  ruleId: "config/invalid-k8s-name",
                  message: `export name "${key}" is not a lower-case DNS label`,
                },
          patterns.dnsLabel,
          "named NFS exports",
        ),
      })
      .optional()
      .meta({ description: "the NFS server apps mount" }),
    defaultStorageClass: fields
      .k8sName("StorageClass marked as the cluster default")
      .default(CONFIG_DEFAULTS.defaultStorageClass),
    backupTarget: fields
      .backupTarget("where backups go: a placeholder or a repository URL / absolute path")
      .optional(),
  })
  .meta({ description: "storage and backups" });

const talosSchema = z
  .strictObject({
    version: fields.version("Talos version, e.g. v1.13.2"),
    kubernetesVersion: fields.version("Kubernetes version, e.g. v1.35.1"),
    schematicId: fields
      .schematicId("Image Factory schematic id every node boots (default: the vanilla schematic)")
      .optional(),
    extensions: z
      .array(fields.extension("system extension, e.g. siderolabs/intel-ucode"))
      .default(() => [])
      .meta({ description: "system extensions of the schematic (set schematicId to the matching id)" }),
    installDisk: fields.devicePath("install disk of nodes that name none").optional(),
    cni: z.enum(["cilium", "flannel"]).optional().meta({
      description:
        "CNI: cilium (default; Talos installs no CNI, cilium is deployed by the repo) or Talos' flannel",
    }),
  })
  .meta({ description: "Talos and Kubernetes versions and node image defaults" });

const bondSchema = z
  .strictObject({
    macs: z
      .array(fields.mac("MAC address of a bond member link (lower-case, colon-separated)"))
      .min(2)
      .meta({ description: "the member links, by MAC address" }),
    mode: z
      .enum([
        "802.3ad",
        "active-backup",
        "balance-rr",
        "balance-xor",
        "broadcast",
        "balance-tlb",
        "balance-alb",
      ])
      .default("802.3ad")
      .meta({ description: "bond mode (default 802.3ad / LACP)" }),
  })
  .meta({ description: "bond the node's links (bond0) instead of using one link" });

const diskSelectorSchema = z
  .strictObject({
    serial: z.string().min(1).optional().meta({ description: "disk serial number" }),
    model: z.string().min(1).optional().meta({ description: "disk model (glob)" }),
    wwid: z.string().min(1).optional().meta({ description: "disk WWID" }),
    type: z.enum(["ssd", "hdd", "nvme", "sd"]).optional().meta({ description: "disk type" }),
  })
  .superRefine((selector, ctx) => {
    if (Object.keys(selector).length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "diskSelector needs at least one of serial, model, wwid, type",
        params: { ruleId: "config/missing-field", at: "key" },
      });
    }
  })
  .meta({ description: "select the install disk by its properties instead of a path", minProperties: 1 });

const nodeSchema = z
  .strictObject({
    name: fields.nodeName("node host name: a DNS label, unique"),
    address: fields.ipv4("node address inside nodeCidr, unique"),
    controller: z.boolean().default(false).meta({ description: "runs the control plane and etcd" }),
    mac: fields.mac("MAC address of the node's link (lower-case, colon-separated)").optional(),
    installDisk: fields.devicePath("install disk (default: talos.installDisk)").optional(),
    diskSelector: diskSelectorSchema.optional(),
    schematicId: fields.schematicId("schematic id for this node (default: talos.schematicId)").optional(),
    mtu: fields.mtu("MTU of this node's link (default: network.mtu)").optional(),
    secureboot: z.boolean().default(false).meta({ description: "boot the SecureBoot installer" }),
    diskEncryption: z
      .boolean()
      .default(false)
      .meta({ description: "encrypt STATE and EPHEMERAL with TPM-bound keys" }),
    kernelModules: z
      .array(fields.kernelModule("kernel module to load"))
      .default(() => [])
      .meta({ description: "extra kernel modules to load" }),
    labels: checkedRecord(
      fields.labelValue("label value"),
      checkLabelKey,
      patterns.labelKey,
      "Kubernetes labels for the node",
    ).default(() => ({})),
    taints: checkedRecord(
      z
        .string()
        .regex(
          /^([A-Za-z0-9][-A-Za-z0-9_.]{0,62})?:(NoSchedule|PreferNoSchedule|NoExecute)$|^(NoSchedule|PreferNoSchedule|NoExecute)$/,
        )
        .meta({ description: "taint value and effect: `value:Effect` or `Effect`" }),
      checkLabelKey,
      patterns.labelKey,
      "Kubernetes taints for the node (key → value:Effect), Talos machine.nodeTaints",
    ).optional(),
    bond: bondSchema.optional(),
  })
  .meta({ description: "one machine" });

const appsSchema = z
  .strictObject({
    metricsServer: z.boolean().default(false).meta({ description: "metrics-server" }),
    externalDns: z.boolean().default(false).meta({ description: "external-dns for public records" }),
    observability: z.boolean().default(false).meta({ description: "the monitoring stack" }),
    romm: z.boolean().default(false).meta({ description: "RomM" }),
  })
  .meta({ description: "optional apps; a disabled app renders no files at all" });

/** The sections of the config, in file order. */
export const configSections = {
  version: z.literal(CONFIG_VERSION).meta({ description: "config format version" }),
  cluster: clusterSchema,
  network: networkSchema,
  kubernetes: kubernetesSchema,
  gateways: gatewaysSchema,
  bgp: bgpSchema.optional(),
  repository: repositorySchema,
  dns: dnsSchema,
  secrets: secretsSchema,
  storage: storageSchema.prefault({}),
  talos: talosSchema,
  nodes: z.array(nodeSchema).min(1).meta({ description: "the machines of the cluster" }),
  apps: appsSchema.prefault({}),
};

/** zod schema of `bootstrap/config.yaml` (current version): field rules and static defaults only. */
export const configSchema = z.strictObject(configSections).meta({
  title: "homeops bootstrap/config.yaml",
  description: "The single source of truth of a homeops repository.",
});

/** The config as written, after static defaults (before derived values). */
export type ConfigInput = z.output<typeof configSchema>;
export type ConfigNodeInput = ConfigInput["nodes"][number];
