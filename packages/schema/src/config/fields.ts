import { closest } from "fastest-levenshtein";
import * as z from "zod";
import { inspectCidr, isIpv4Address } from "./cidr.js";

/** What a field check reports: the rule it breaks and a message that says how to fix it. */
export interface FieldProblem {
  ruleId: string;
  message: string;
}

type Check = (value: string) => FieldProblem | undefined;

/** JSON Schema keywords a field contributes to `config.schema.json` (zod refinements are invisible there). */
type JsonHints = Record<string, unknown>;

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const TLD = "(?=[a-z0-9-]*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;

/** Regular expressions shared by the zod checks and the generated JSON Schema. */
export const patterns = {
  dnsLabel: `^${LABEL}$`,
  fqdn: `^(?=.{1,253}$)(?:${LABEL}\\.)+${TLD}$`,
  hostname: `^(?=.{1,253}$)(?:${LABEL}\\.)*${LABEL}$`,
  k8sName: `^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`,
  ipv4: `^${IPV4}$`,
  cidr: `^${IPV4}/(?:3[0-2]|[12]?[0-9])$`,
  mac: "^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$",
  schematicId: "^[0-9a-f]{64}$",
  version: "^v(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z.-]+)?$",
  placeholder: "^\\$\\{[_a-zA-Z][_a-zA-Z0-9]*\\}$",
  repositoryUrl: "^(?:https?://[^\\s/@]+|ssh://(?:[^\\s/@:]+@)?[^\\s/@]+)/[^\\s?#]+$",
  httpUrl: "^https?://[^\\s/@]+(?:/[^\\s]*)?$",
  backupTarget: "^(?:[a-z][a-z0-9+.-]*:[^\\s]+|/[^\\s]*)$",
  absolutePath: "^/[^\\s]*$",
  devicePath: "^/dev/[^\\s]+$",
  ageRecipient: "^age1[02-9ac-hj-np-z]{58}$",
  labelKey:
    "^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
  labelValue: "^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$",
  kernelModule: "^[a-z0-9_-]+$",
  extension: "^[a-z0-9-]+/[a-z0-9-]+$",
  credentialKey: "^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$",
  gitRef: "^[^\\s~^:?*\\[\\\\]+$",
} as const;

const re = Object.fromEntries(Object.entries(patterns).map(([k, v]) => [k, new RegExp(v)])) as Record<
  keyof typeof patterns,
  RegExp
>;

/**
 * Node names that would collide with names Kubernetes or Talos use themselves, or with the Talos patch
 * directories beside the per-node ones (`global`, `controller`, `worker`, as the incumbent
 * cluster-template lays them out; `all` and `controlplane` as other layouts and Talos' machine type do).
 */
export const RESERVED_NODE_NAMES: readonly string[] = [
  "localhost",
  "kubernetes",
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "talos",
  "global",
  "controller",
  "worker",
  "all",
  "controlplane",
];

/** Hosts whose ssh keys homeops ships, so ssh repositories there need no `knownHosts`. */
export const KNOWN_SSH_HOSTS: readonly string[] = ["github.com", "gitlab.com", "codeberg.org"];

const show = (value: string) => JSON.stringify(value);

/** A string field: one zod string with a rule-tagged check, plus its JSON Schema hints. */
function stringField(description: string, check: Check, json: JsonHints) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const problem = check(value);
      if (problem)
        ctx.addIssue({ code: "custom", message: problem.message, params: { ruleId: problem.ruleId } });
    })
    .meta({ description, ...json });
}

/** An integer field with an inclusive range and its own rule id. */
function intField(description: string, ruleId: string, min: number, max: number) {
  return z
    .number()
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: "custom",
          message: `${value} is out of range: use an integer from ${min} to ${max}`,
          params: { ruleId },
        });
      }
    })
    .meta({ description, type: "integer", minimum: min, maximum: max });
}

const checkPattern =
  (pattern: RegExp, ruleId: string, message: (value: string) => string): Check =>
  (value) =>
    pattern.test(value) ? undefined : { ruleId, message: message(value) };

export const checkIpv4: Check = (value) =>
  isIpv4Address(value)
    ? undefined
    : { ruleId: "config/invalid-address", message: `${show(value)} is not an IPv4 address (e.g. 10.0.0.10)` };

export const checkCidr: Check = (value) => {
  const problem = inspectCidr(value);
  if (!problem) return undefined;
  return {
    ruleId: problem.kind === "host-bits" ? "config/cidr-host-bits" : "config/invalid-cidr",
    message: problem.message,
  };
};

export const checkFqdn: Check = (value) => {
  if (re.fqdn.test(value)) return undefined;
  const lower = value.toLowerCase();
  const hint = lower !== value && re.fqdn.test(lower) ? ` — did you mean ${lower}?` : " (e.g. example.com)";
  return { ruleId: "config/invalid-fqdn", message: `${show(value)} is not a lower-case DNS name${hint}` };
};

const checkSan: Check = (value) =>
  re.hostname.test(value) || isIpv4Address(value)
    ? undefined
    : {
        ruleId: "config/invalid-fqdn",
        message: `${show(value)} is neither a lower-case DNS name nor an IPv4 address`,
      };

export const checkNodeName: Check = (value) => {
  if (!re.dnsLabel.test(value)) {
    const suggestion = value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "");
    return {
      ruleId: "config/invalid-node-name",
      message: `${show(value)} is not a DNS label (lower-case letters, digits and '-', at most 63)${
        suggestion && re.dnsLabel.test(suggestion) ? ` — did you mean ${suggestion}?` : ""
      }`,
    };
  }
  if (RESERVED_NODE_NAMES.includes(value)) {
    return {
      ruleId: "config/reserved-node-name",
      message: `${show(value)} is a reserved name; pick another`,
    };
  }
  return undefined;
};

export const checkMac: Check = (value) => {
  if (re.mac.test(value)) return undefined;
  const normalized = value.toLowerCase().replace(/-/g, ":");
  return {
    ruleId: "config/invalid-mac",
    message: `${show(value)} is not a lower-case colon-separated MAC address${
      re.mac.test(normalized) ? ` — did you mean ${normalized}?` : " (e.g. aa:bb:cc:00:11:22)"
    }`,
  };
};

export const checkTimezone: Check = (value) => {
  const segmentsOk = value.split("/").every((s) => /^[A-Z]/.test(s));
  // the canonical names first: listing them costs ~3 ms, a DateTimeFormat (ICU's zone data) ~20 ms
  if (segmentsOk && Intl.supportedValuesOf("timeZone").includes(value)) return undefined;
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  if (resolved !== undefined && segmentsOk) return undefined;
  const suggestion = resolved ?? closest(value, Intl.supportedValuesOf("timeZone"));
  return {
    ruleId: "config/invalid-timezone",
    message: `${show(value)} is not an IANA timezone — did you mean ${suggestion}?`,
  };
};

/** `${NAME}` placeholders (Flux postBuild substitution syntax, no operators). */
export function isPlaceholder(value: string): boolean {
  return re.placeholder.test(value);
}

function checkPlaceholderOr(literal: Check): Check {
  return (value) => {
    if (!value.includes("$")) return literal(value);
    if (isPlaceholder(value)) return undefined;
    const bare = /^\$([_a-zA-Z][_a-zA-Z0-9]*)$/.exec(value);
    return {
      ruleId: "config/invalid-placeholder",
      message: bare
        ? `${show(value)} is not a placeholder — did you mean \${${bare[1]}}?`
        : `${show(value)} is not a placeholder: write \${NAME} (letters, digits, '_'; not starting with a digit; no operators)`,
    };
  };
}

const checkHttpUrl: Check = (value) => {
  if (re.httpUrl.test(value) && parseUrl(value)) return undefined;
  return {
    ruleId: "config/invalid-url",
    message: `${show(value)} is not an http(s) URL (e.g. https://vault.example.com:8200)`,
  };
};

export const checkRepositoryUrl: Check = (value) => {
  const scp = /^([^\s/@]+@)?([^\s/:@]+):(?!\/\/)([^\s]+)$/.exec(value);
  if (scp) {
    return {
      ruleId: "config/invalid-url",
      message: `${show(value)} is scp-style; use ssh://${scp[1] ?? "git@"}${scp[2]}/${scp[3]}`,
    };
  }
  if (/^https?:\/\/[^/\s]*@/.test(value)) {
    return {
      ruleId: "config/invalid-url",
      message: `${show(value)} embeds credentials; keep them in the secret store and use a plain URL`,
    };
  }
  if (re.repositoryUrl.test(value) && parseUrl(value)) return undefined;
  return {
    ruleId: "config/invalid-url",
    message: `${show(value)} is not a repository URL: use https://, http:// or ssh:// with a host and a path`,
  };
};

const checkBackupTarget: Check = checkPattern(
  re.backupTarget,
  "config/invalid-url",
  (v) => `${show(v)} is not a repository URL or absolute path (e.g. s3:https://s3.example.com/backups)`,
);

const checkAbsolutePath: Check = checkPattern(
  re.absolutePath,
  "config/invalid-path",
  (v) => `${show(v)} is not an absolute path (e.g. /mnt/tank/media)`,
);

const checkDevicePath: Check = checkPattern(
  re.devicePath,
  "config/invalid-path",
  (v) => `${show(v)} is not a device path (e.g. /dev/sda or /dev/nvme0n1)`,
);

const checkNfsServer: Check = (value) =>
  re.hostname.test(value) || isIpv4Address(value)
    ? undefined
    : {
        ruleId: "config/invalid-fqdn",
        message: `${show(value)} is neither a lower-case host name nor an IPv4 address`,
      };

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Every field type of the config, each tagged with the rule its check reports. */
export const fields = {
  ipv4: (description: string) => stringField(description, checkIpv4, { pattern: patterns.ipv4 }),
  cidr: (description: string) => stringField(description, checkCidr, { pattern: patterns.cidr }),
  dnsLabel: (description: string) =>
    stringField(
      description,
      checkPattern(
        re.dnsLabel,
        "config/invalid-node-name",
        (v) => `${show(v)} is not a lower-case DNS label`,
      ),
      { pattern: patterns.dnsLabel },
    ),
  nodeName: (description: string) =>
    stringField(description, checkNodeName, {
      pattern: patterns.dnsLabel,
      not: { enum: RESERVED_NODE_NAMES },
    }),
  k8sName: (description: string) =>
    stringField(
      description,
      checkPattern(
        re.k8sName,
        "config/invalid-k8s-name",
        (v) => `${show(v)} is not a lower-case DNS subdomain name`,
      ),
      { pattern: patterns.k8sName },
    ),
  san: (description: string) =>
    stringField(description, checkSan, {
      anyOf: [{ pattern: patterns.hostname }, { pattern: patterns.ipv4 }],
    }),
  mac: (description: string) => stringField(description, checkMac, { pattern: patterns.mac }),
  timezone: (description: string) => stringField(description, checkTimezone, {}),
  schematicId: (description: string) =>
    stringField(
      description,
      checkPattern(
        re.schematicId,
        "config/invalid-schematic-id",
        (v) => `${show(v)} is not a schematic id (64 lower-case hex characters from factory.talos.dev)`,
      ),
      { pattern: patterns.schematicId },
    ),
  version: (description: string) =>
    stringField(
      description,
      checkPattern(re.version, "config/invalid-version-string", (v) =>
        /^\d/.test(v) && re.version.test(`v${v}`)
          ? `${show(v)} needs the leading v — did you mean v${v}?`
          : `${show(v)} is not a version like v1.2.3`,
      ),
      { pattern: patterns.version },
    ),
  repositoryUrl: (description: string) =>
    stringField(description, checkRepositoryUrl, { pattern: patterns.repositoryUrl }),
  gitRef: (description: string) =>
    stringField(
      description,
      checkPattern(re.gitRef, "config/invalid-branch", (v) => `${show(v)} is not a valid git branch name`),
      { pattern: patterns.gitRef },
    ),
  ageRecipient: (description: string) =>
    stringField(
      description,
      checkPattern(
        re.ageRecipient,
        "config/invalid-age-recipient",
        (v) => `${show(v)} is not an age public key (age1…)`,
      ),
      { pattern: patterns.ageRecipient },
    ),
  devicePath: (description: string) =>
    stringField(description, checkDevicePath, { pattern: patterns.devicePath }),
  kernelModule: (description: string) =>
    stringField(
      description,
      checkPattern(
        re.kernelModule,
        "config/invalid-kernel-module",
        (v) => `${show(v)} is not a kernel module name`,
      ),
      { pattern: patterns.kernelModule },
    ),
  extension: (description: string) =>
    stringField(
      description,
      checkPattern(
        re.extension,
        "config/invalid-extension",
        (v) => `${show(v)} is not a system extension name (e.g. siderolabs/intel-ucode)`,
      ),
      { pattern: patterns.extension },
    ),
  credentialKey: (description: string) =>
    stringField(
      description,
      checkPattern(
        re.credentialKey,
        "config/invalid-credential-key",
        (v) =>
          `${show(v)} is not a secret-store key path (e.g. cloudflare/api-token); never put the secret itself here`,
      ),
      { pattern: patterns.credentialKey },
    ),
  labelValue: (description: string) =>
    stringField(
      description,
      checkPattern(re.labelValue, "config/invalid-label", (v) => `${show(v)} is not a valid label value`),
      { pattern: patterns.labelValue },
    ),
  /** a placeholder or a lower-case FQDN */
  domain: (description: string) =>
    stringField(description, checkPlaceholderOr(checkFqdn), {
      anyOf: [{ pattern: patterns.placeholder }, { pattern: patterns.fqdn }],
    }),
  /** a placeholder or an http(s) URL */
  vaultAddress: (description: string) =>
    stringField(description, checkPlaceholderOr(checkHttpUrl), {
      anyOf: [{ pattern: patterns.placeholder }, { pattern: patterns.httpUrl }],
    }),
  /** a placeholder, a host name or an IPv4 address */
  nfsServer: (description: string) =>
    stringField(description, checkPlaceholderOr(checkNfsServer), {
      anyOf: [{ pattern: patterns.placeholder }, { pattern: patterns.hostname }, { pattern: patterns.ipv4 }],
    }),
  /** a placeholder or an absolute path */
  exportPath: (description: string) =>
    stringField(description, checkPlaceholderOr(checkAbsolutePath), {
      anyOf: [{ pattern: patterns.placeholder }, { pattern: patterns.absolutePath }],
    }),
  /** a placeholder or a backup repository URL / absolute path */
  backupTarget: (description: string) =>
    stringField(description, checkPlaceholderOr(checkBackupTarget), {
      anyOf: [{ pattern: patterns.placeholder }, { pattern: patterns.backupTarget }],
    }),
  vlan: (description: string) => intField(description, "config/vlan-out-of-range", 1, 4094),
  asn: (description: string) => intField(description, "config/asn-out-of-range", 1, 4294967295),
  mtu: (description: string) => intField(description, "config/mtu-out-of-range", 1450, 9000),
};

/** Checks a label key (the zod record key check reports it on the key). */
export function checkLabelKey(key: string): FieldProblem | undefined {
  return re.labelKey.test(key)
    ? undefined
    : {
        ruleId: "config/invalid-label",
        message: `${show(key)} is not a valid label key (e.g. topology.kubernetes.io/zone)`,
      };
}
