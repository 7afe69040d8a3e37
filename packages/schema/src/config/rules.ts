import { InternalError, type Severity } from "@homeops/core";

/** One check of `bootstrap/config.yaml`. */
export interface ConfigRule {
  /** `config/<kebab-name>` */
  id: string;
  severity: Severity;
  /** one line: what the rule demands */
  summary: string;
  /** true when the generated `config.schema.json` can express the rule (editors flag it too) */
  jsonSchema: boolean;
}

const rule = (
  id: string,
  summary: string,
  jsonSchema: boolean,
  severity: Severity = "error",
): ConfigRule => ({
  id: `config/${id}`,
  severity,
  summary,
  jsonSchema,
});

/** Every rule the config validator reports, in documentation order. */
export const configRules: readonly ConfigRule[] = [
  // structure
  rule("multiple-documents", "the file holds exactly one YAML document", false),
  rule("unsupported-version", "`version` is a known config version (current: 1)", true),
  rule(
    "migrated-version",
    "an older `version` was migrated in memory; update the file (the JSON Schema describes only the current version)",
    true,
    "warning",
  ),
  rule("unknown-key", "no key outside the schema, at any level (with a did-you-mean hint)", true),
  rule(
    "derived-key",
    "derived values (e.g. `derived`, `network.coreDnsAddress`) are computed, never set",
    true,
  ),
  rule("missing-field", "every required field is present", true),
  rule("invalid-type", "every value has the type the schema gives it", true),
  rule("invalid-enum", "enumerated fields take one of their listed values", true),
  // field formats
  rule("invalid-cidr", "IPv4 CIDRs are written `a.b.c.d/n`", true),
  rule("cidr-host-bits", "a CIDR has no host bits set (10.0.0.0/24, not 10.0.0.5/24)", false),
  rule("invalid-address", "addresses are strict dotted-quad IPv4", true),
  rule("invalid-fqdn", "domains and TLS SANs are lower-case DNS names", true),
  rule("invalid-node-name", "names are lower-case DNS labels", true),
  rule(
    "reserved-node-name",
    "node names avoid reserved names such as `localhost` and the Talos patch directories (`global`, `controller`, `worker`, `all`, `controlplane`)",
    true,
  ),
  rule("invalid-k8s-name", "Kubernetes object names are lower-case DNS subdomains", true),
  rule("invalid-timezone", "the timezone is an IANA zone such as Europe/Amsterdam", false),
  rule("invalid-mac", "MAC addresses are lower-case and colon-separated", true),
  rule("vlan-out-of-range", "a VLAN tag is 1-4094", true),
  rule("asn-out-of-range", "an ASN is 1-4294967295", true),
  rule("mtu-out-of-range", "an MTU is 1450-9000", true),
  rule("invalid-schematic-id", "an Image Factory schematic id is 64 lower-case hex characters", true),
  rule("invalid-version-string", "Talos and Kubernetes versions look like v1.2.3", true),
  rule("invalid-placeholder", "placeholders are `${NAME}` with a valid variable name", true),
  rule("invalid-url", "URLs (repository, Vault, backup target) have a supported scheme and a host", true),
  rule("invalid-path", "NFS exports and install disks are absolute paths", true),
  rule("invalid-age-recipient", "SOPS recipients are age public keys (age1…)", true),
  rule("invalid-label", "node labels are valid Kubernetes label keys and values", true),
  rule("invalid-branch", "the repository branch is a valid git branch name", true),
  rule("invalid-kernel-module", "kernel module names are lower-case identifiers", true),
  rule("invalid-extension", "Talos system extensions are written `owner/name`", true),
  rule("invalid-credential-key", "the DNS credential is a key path in the secret store, not a secret", true),
  rule("empty-list", "lists that need an entry are not empty", true),
  // cross-field
  rule("cidr-overlap", "node, pod and service CIDRs neither overlap nor nest", false),
  rule(
    "address-outside-node-cidr",
    "node addresses, the API VIP, the default gateway and the gateways lie inside the node CIDR (gateways may lie outside with BGP)",
    false,
  ),
  rule("reserved-address", "no address is the network or broadcast address of the node CIDR", false),
  rule(
    "coredns-outside-service-cidr",
    "the service CIDR is large enough to hold the CoreDNS address (its 10th host)",
    false,
  ),
  rule(
    "duplicate-address",
    "the API VIP, gateways, default gateway and node addresses are all different",
    false,
  ),
  rule("duplicate-node-name", "node names are unique", false),
  rule("duplicate-mac", "node MAC addresses are unique", false),
  rule("no-controller", "at least one node is a controller", false),
  rule("even-controllers", "an odd number of controllers keeps etcd quorum", false, "warning"),
  rule("bgp-incomplete", "BGP needs routerAddress, routerAsn and nodeAsn together", true),
  rule(
    "external-gateway-required",
    "gateways.external is set when something needs public ingress: apps.externalDns with a dns.provider other than none",
    false,
  ),
  rule("dns-credential-missing", "a DNS provider that needs a credential has one", false),
  rule("dns-credential-unexpected", "provider `none` takes no credential", false),
  rule(
    "ssh-known-hosts-required",
    "ssh repositories outside github.com, gitlab.com and codeberg.org need knownHosts",
    false,
  ),
  rule("known-hosts-mismatch", "knownHosts has an entry for the repository host", false),
  rule("install-disk-conflict", "a node sets installDisk or diskSelector, not both", false),
  rule("schematic-id-required", "talos.extensions needs the matching talos.schematicId", false),
  rule(
    "install-disk-missing",
    "every node has an install disk (its own, a diskSelector, or talos.installDisk)",
    false,
  ),
];

const byId = new Map(configRules.map((r) => [r.id, r]));

/** The rule with `id`; throws for an unknown id (a bug, caught by the tests). */
export function configRule(id: string): ConfigRule {
  const found = byId.get(id);
  if (!found) throw new InternalError(`unknown config rule ${id}`);
  return found;
}
