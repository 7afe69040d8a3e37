import { formatYamlPath, type YamlPath } from "@homeops/core";
import {
  type Cidr,
  cidrContains,
  cidrsOverlap,
  hostCount,
  inspectCidr,
  isIpv4Address,
  nthHost,
  parseCidr,
} from "./cidr.js";
import { CONFIG_DEFAULTS } from "./defaults.js";
import { KNOWN_SSH_HOSTS } from "./fields.js";
import { type ConfigIssue, isPlainObject, valueAt } from "./internal/issue.js";

export interface CrossFieldInput {
  /**
   * The config, section by section: a section that passed its field rules is given with its static
   * defaults applied; one that did not is given raw, so every value is checked before use.
   */
  view: Record<string, unknown>;
  /** whether `path` is written in the file (false for defaulted values) */
  written(path: YamlPath): boolean;
}

const DNS_PROVIDERS_WITH_CREDENTIAL = new Set(["cloudflare", "rfc2136"]);

/** The rules that relate two or more fields. Pure: reads the view, returns issues. */
export function checkCrossFieldRules(input: CrossFieldInput): ConfigIssue[] {
  const { view, written } = input;
  const issues: ConfigIssue[] = [];
  const str = (path: YamlPath) => {
    const v = valueAt(view, path);
    return typeof v === "string" ? v : undefined;
  };
  const ip = (path: YamlPath) => {
    const v = str(path);
    return v !== undefined && isIpv4Address(v) ? v : undefined;
  };
  const cidr = (path: YamlPath): Cidr | undefined => {
    const v = str(path);
    return v !== undefined && inspectCidr(v) === undefined ? parseCidr(v) : undefined;
  };
  const name = (path: YamlPath) => `${formatYamlPath(path)}${written(path) ? "" : " (default)"}`;

  const nodes = Array.isArray(view.nodes) ? view.nodes : [];
  const nodePaths = nodes.map((_, i): YamlPath => ["nodes", i]);

  // CIDRs: no overlap, no nesting
  const cidrPaths: YamlPath[] = [
    ["network", "nodeCidr"],
    ["network", "podCidr"],
    ["network", "serviceCidr"],
  ];
  for (let i = 0; i < cidrPaths.length; i++) {
    for (let j = i + 1; j < cidrPaths.length; j++) {
      const a = { path: cidrPaths[i]!, cidr: cidr(cidrPaths[i]!) };
      const b = { path: cidrPaths[j]!, cidr: cidr(cidrPaths[j]!) };
      if (!a.cidr || !b.cidr || !cidrsOverlap(a.cidr, b.cidr)) continue;
      // reported at the later one, unless only the earlier is written (a default has no line of its own)
      const [here, there] = !written(b.path) && written(a.path) ? [a, b] : [b, a];
      issues.push({
        ruleId: "config/cidr-overlap",
        path: here.path,
        message: `${name(here.path)} ${here.cidr!.text} ${relation(here.cidr!, there.cidr!)} ${name(there.path)} ${there.cidr!.text}; the node, pod and service CIDRs must be disjoint`,
      });
    }
  }

  // the default gateway: written, or the first host of the node CIDR
  const nodeCidr = cidr(["network", "nodeCidr"]);
  const gatewayPath: YamlPath = ["network", "defaultGateway"];
  const writtenGateway = ip(gatewayPath);
  const derivedGateway =
    valueAt(view, gatewayPath) === undefined &&
    nodeCidr &&
    hostCount(nodeCidr) >= CONFIG_DEFAULTS.defaultGatewayHostIndex
      ? nthHost(nodeCidr, CONFIG_DEFAULTS.defaultGatewayHostIndex)
      : undefined;

  // addresses inside the node CIDR
  const bgp = valueAt(view, ["bgp"]);
  const inside: YamlPath[] = [
    ...nodePaths.map((p) => [...p, "address"]),
    ["kubernetes", "apiVip"],
    gatewayPath,
    ...(bgp === undefined
      ? (["internal", "external", "dns"] as const).map((k): YamlPath => ["gateways", k])
      : []),
  ];
  if (nodeCidr) {
    for (const path of inside) {
      const address = ip(path);
      if (address === undefined) continue;
      if (!cidrContains(nodeCidr, address)) {
        const why = path[0] === "gateways" ? " (gateways may lie outside only with bgp)" : "";
        issues.push({
          ruleId: "config/address-outside-node-cidr",
          path,
          message: `${name(path)} ${address} is outside network.nodeCidr ${nodeCidr.text}${why}`,
        });
      } else if (nodeCidr.prefix < 31) {
        const value = ipNumber(address);
        const which =
          value === nodeCidr.first ? "network" : value === nodeCidr.last ? "broadcast" : undefined;
        if (which) {
          issues.push({
            ruleId: "config/reserved-address",
            path,
            message: `${name(path)} ${address} is the ${which} address of network.nodeCidr ${nodeCidr.text}`,
          });
        }
      }
    }
  }

  // CoreDNS needs the 10th host of the service CIDR
  const serviceCidr = cidr(["network", "serviceCidr"]);
  if (serviceCidr && hostCount(serviceCidr) < CONFIG_DEFAULTS.coreDnsHostIndex) {
    issues.push({
      ruleId: "config/coredns-outside-service-cidr",
      path: ["network", "serviceCidr"],
      message: `${name(["network", "serviceCidr"])} ${serviceCidr.text} has ${hostCount(serviceCidr)} hosts; the CoreDNS address (host #${CONFIG_DEFAULTS.coreDnsHostIndex}) would lie outside it — use /28 or larger`,
    });
  }

  // unique addresses; a derived gateway comes first so the node that collides with it is flagged
  const claims: { path: YamlPath; label: string; address: string }[] = [];
  if (derivedGateway) {
    claims.push({
      path: gatewayPath,
      label: "network.defaultGateway (default: first host of network.nodeCidr)",
      address: derivedGateway,
    });
  }
  for (const path of [
    ...nodePaths.map((p): YamlPath => [...p, "address"]),
    ["kubernetes", "apiVip"] as YamlPath,
    ...(["internal", "external", "dns"] as const).map((k): YamlPath => ["gateways", k]),
    ...(writtenGateway ? [gatewayPath] : []),
  ]) {
    const address = ip(path);
    if (address !== undefined) claims.push({ path, label: formatYamlPath(path), address });
  }
  const claimed = new Map<string, string>();
  for (const claim of claims) {
    const earlier = claimed.get(claim.address);
    if (earlier === undefined) {
      claimed.set(claim.address, claim.label);
      continue;
    }
    const hint = earlier.startsWith("network.defaultGateway (default")
      ? "; set network.defaultGateway or pick another address"
      : "";
    issues.push({
      ruleId: "config/duplicate-address",
      path: claim.path,
      message: `${claim.label} ${claim.address} equals ${earlier}${hint}`,
    });
  }

  // unique node names and MACs
  for (const [field, ruleId] of [
    ["name", "config/duplicate-node-name"],
    ["mac", "config/duplicate-mac"],
  ] as const) {
    const seen = new Map<string, number>();
    nodes.forEach((_, i) => {
      const value = str(["nodes", i, field]);
      if (value === undefined) return;
      const first = seen.get(value);
      if (first === undefined) {
        seen.set(value, i);
        return;
      }
      issues.push({
        ruleId,
        path: ["nodes", i, field],
        message: `nodes[${i}].${field} ${value} equals nodes[${first}].${field}; ${field === "name" ? "node names" : "MAC addresses"} must be unique`,
      });
    });
  }

  // controllers
  // (a node whose controller flag is not a boolean already has its own finding; the count would be a guess)
  const flags = nodes.map((n) => (isPlainObject(n) ? (n.controller ?? false) : undefined));
  if (nodes.length > 0 && flags.every((f) => typeof f === "boolean")) {
    const controllers = flags.filter((f) => f === true).length;
    if (controllers === 0) {
      issues.push({
        ruleId: "config/no-controller",
        path: ["nodes"],
        at: "key",
        message: "no node is a controller: set `controller: true` on at least one node",
      });
    } else if (controllers % 2 === 0) {
      issues.push({
        ruleId: "config/even-controllers",
        path: ["nodes"],
        at: "key",
        message: `${controllers} controllers: etcd with an even count tolerates no more failures than with ${controllers - 1}; use an odd count`,
      });
    }
  }

  // BGP: all or none
  if (isPlainObject(bgp)) {
    const missing = ["routerAddress", "routerAsn", "nodeAsn"].filter((k) => bgp[k] === undefined);
    if (missing.length > 0) {
      issues.push({
        ruleId: "config/bgp-incomplete",
        path: ["bgp"],
        at: "key",
        message: `bgp is incomplete: missing ${missing.map((k) => `bgp.${k}`).join(", ")} (set all three or remove bgp)`,
      });
    }
  }

  // public ingress: external-dns publishing records (a DNS provider other than none) points them at the
  // external gateway, so it needs one; an internal-only cluster has none and renders no external gateway
  const provider = str(["dns", "provider"]);
  const publishes =
    valueAt(view, ["apps", "externalDns"]) === true && provider !== undefined && provider !== "none";
  if (
    publishes &&
    valueAt(view, ["gateways", "external"]) === undefined &&
    isPlainObject(valueAt(view, ["gateways"]))
  ) {
    issues.push({
      ruleId: "config/external-gateway-required",
      path: ["gateways"],
      at: "key",
      message: `gateways.external is required: apps.externalDns publishes public records (dns.provider ${provider}) that point at it`,
    });
  }

  // DNS credential exactly when the provider needs one
  const credential = valueAt(view, ["dns", "credential"]);
  if (provider !== undefined && DNS_PROVIDERS_WITH_CREDENTIAL.has(provider) && credential === undefined) {
    issues.push({
      ruleId: "config/dns-credential-missing",
      path: ["dns", "provider"],
      message: `dns.provider ${provider} needs dns.credential (the secret-store key of its ${provider === "rfc2136" ? "TSIG secret" : "API token"})`,
    });
  }
  if (provider === "none" && credential !== undefined) {
    issues.push({
      ruleId: "config/dns-credential-unexpected",
      path: ["dns", "credential"],
      message: "dns.credential is set but dns.provider is none; remove dns.credential or pick a provider",
    });
  }

  // ssh repositories need known hosts unless the host is a known one
  const url = str(["repository", "url"]);
  const ssh = url?.startsWith("ssh://") ? safeUrl(url) : undefined;
  if (ssh) {
    const host = ssh.hostname;
    const knownHosts = valueAt(view, ["repository", "knownHosts"]);
    if (knownHosts === undefined && !KNOWN_SSH_HOSTS.includes(host)) {
      issues.push({
        ruleId: "config/ssh-known-hosts-required",
        path: ["repository", "url"],
        message: `repository.url host ${host} is not one of ${KNOWN_SSH_HOSTS.join(", ")}: add repository.knownHosts (e.g. the output of \`ssh-keyscan ${ssh.port ? `-p ${ssh.port} ` : ""}${host}\`)`,
      });
    }
    if (typeof knownHosts === "string" && !knownHostsCover(knownHosts, host, ssh.port)) {
      const entry = ssh.port && ssh.port !== "22" ? `[${host}]:${ssh.port}` : host;
      issues.push({
        ruleId: "config/known-hosts-mismatch",
        path: ["repository", "knownHosts"],
        message: `repository.knownHosts has no entry for ${entry}, the host of repository.url`,
      });
    }
  }

  // install disks
  const talos = valueAt(view, ["talos"]);
  const talosDisk = valueAt(view, ["talos", "installDisk"]);
  nodes.forEach((node, i) => {
    if (!isPlainObject(node) || !isPlainObject(talos)) return;
    const label = typeof node.name === "string" ? ` (${node.name})` : "";
    if (node.installDisk !== undefined && node.diskSelector !== undefined) {
      issues.push({
        ruleId: "config/install-disk-conflict",
        path: ["nodes", i, "diskSelector"],
        at: "key",
        message: `nodes[${i}]${label} sets both nodes[${i}].installDisk and nodes[${i}].diskSelector; keep one`,
      });
    }
    if (node.installDisk === undefined && node.diskSelector === undefined && talosDisk === undefined) {
      issues.push({
        ruleId: "config/install-disk-missing",
        path: ["nodes", i],
        message: `nodes[${i}]${label} has no install disk: set nodes[${i}].installDisk, nodes[${i}].diskSelector or talos.installDisk`,
      });
    }
  });

  // extensions change the schematic, so its id cannot default to the vanilla one
  const extensions = valueAt(view, ["talos", "extensions"]);
  if (
    Array.isArray(extensions) &&
    extensions.length > 0 &&
    valueAt(view, ["talos", "schematicId"]) === undefined
  ) {
    issues.push({
      ruleId: "config/schematic-id-required",
      path: ["talos", "extensions"],
      at: "key",
      message:
        "talos.extensions is set but talos.schematicId is not: set talos.schematicId to the Image Factory id of the schematic with these extensions",
    });
  }

  return issues;
}

/** How `x` relates to `y`, for messages. */
function relation(x: Cidr, y: Cidr): string {
  if (x.first === y.first && x.last === y.last) return "equals";
  if (cidrContains(y, x)) return "is inside";
  if (cidrContains(x, y)) return "contains";
  return "overlaps";
}

function ipNumber(address: string): number {
  return parseCidr(`${address}/32`).first;
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Whether a known_hosts text has a line for `host` (hashed entries cannot be checked, so they count). */
function knownHostsCover(text: string, host: string, port: string): boolean {
  const wanted = port && port !== "22" ? `[${host}]:${port}` : host;
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .some((line) => {
      const first = line.startsWith("@") ? line.split(/\s+/)[1] : line.split(/\s+/)[0];
      if (first === undefined) return false;
      return first.startsWith("|1|") || first.split(",").includes(wanted);
    });
}
