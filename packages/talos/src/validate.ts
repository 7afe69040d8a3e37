import { createRequire } from "node:module";
import type { Finding } from "@homeops/core";
import type { Ajv2020 as Ajv2020Type, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { isMap, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import { documentType } from "./internal/documents.js";
import type { GoType } from "./internal/go-type.js";
import { documentKinds } from "./internal/go-types.generated.js";

/** One parsed document of a machine config, with what the rules need. */
interface Doc {
  kind: string;
  /** the Go type name the schema's $defs use */
  def: string | undefined;
  value: Record<string, unknown>;
  node: Node;
  line: number;
}

/** A validation rule: a fact from Talos' own validation or a homeops completeness rule. */
export interface TalosRule {
  /** `talos/<name>` for Talos' rules, `homeops-talos/<name>` for completeness rules */
  id: string;
  /** what it checks, one line */
  description: string;
  /** where the fact comes from */
  source: string;
  check: (ctx: RuleContext) => RuleHit[];
}

export interface RuleHit {
  message: string;
  /** YAML path inside the document, e.g. machine.ca.key */
  path?: string;
  doc?: Doc;
}

export interface RuleContext {
  docs: Doc[];
  config: Record<string, unknown> | undefined;
  machine: Record<string, unknown> | undefined;
  cluster: Record<string, unknown> | undefined;
  role: string;
  /** what homeops expects of this node (completeness rules); absent = Talos' rules only */
  expect?: ValidateExpectations;
}

export interface ValidateExpectations {
  /** the API VIP every controller announces */
  apiVip?: string;
  /** https://<apiVip>:6443 */
  endpoint?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const isControlPlane = (role: string) => role === "controlplane" || role === "init";
const typed = (ctx: RuleContext, kind: string) => ctx.docs.filter((d) => d.kind === kind);
const talosSource = "siderolabs/talos v1.13 pkg/machinery/config/types/v1alpha1/v1alpha1_validation.go";
const networkSource = (file: string) => `siderolabs/talos v1.13 pkg/machinery/config/types/network/${file}`;
const hit = (message: string, path?: string): RuleHit[] => [{ message, ...(path ? { path } : {}) }];

const dnsName =
  /^(?=.{1,253}$)([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;
const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const taintEffects = new Set(["NoSchedule", "PreferNoSchedule", "NoExecute"]);

function validEndpoint(u: string): boolean {
  try {
    const url = new URL(u);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  } catch {
    return false;
  }
}

function isIp(s: string): boolean {
  return /^(\d{1,3})(\.\d{1,3}){3}$/.test(s) && s.split(".").every((p) => Number(p) <= 255)
    ? true
    : /^[0-9a-fA-F:]+$/.test(s) && s.includes(":");
}

/** Talos' own validation for metal mode (facts read from Talos' source), then homeops' completeness rules. */
export const talosRules: readonly TalosRule[] = [
  {
    id: "talos/machine-required",
    description: "the v1alpha1 document has a machine section",
    source: talosSource,
    check: (c) =>
      c.config && !obj(c.config.machine) ? hit("machine instructions are required", "machine") : [],
  },
  {
    id: "talos/cluster-required",
    description: "the v1alpha1 document has a cluster section with a control plane endpoint",
    source: talosSource,
    check: (c) => {
      if (!c.machine) return [];
      if (!c.cluster) return hit("cluster instructions are required", "cluster");
      const endpoint = obj(c.cluster.controlPlane)?.endpoint;
      if (typeof endpoint !== "string" || endpoint === "")
        return hit("cluster controlplane endpoint is required", "cluster.controlPlane.endpoint");
      return validEndpoint(endpoint)
        ? []
        : hit(`invalid controlplane endpoint: ${endpoint}`, "cluster.controlPlane.endpoint");
    },
  },
  {
    id: "talos/dns-domain",
    description: "cluster.network.dnsDomain is a valid DNS name",
    source: talosSource,
    check: (c) => {
      const d = str(obj(c.cluster?.network)?.dnsDomain);
      return d !== "" && !dnsName.test(d)
        ? hit(`"${d}" is not a valid DNS name`, "cluster.network.dnsDomain")
        : [];
    },
  },
  {
    id: "talos/install-required",
    description: "metal mode needs install instructions",
    source: talosSource,
    check: (c) =>
      c.machine && !obj(c.machine.install)
        ? hit('install instructions are required in "metal" mode', "machine.install")
        : [],
  },
  {
    id: "talos/install-disk",
    description: "metal mode needs an install disk or a disk selector",
    source: talosSource,
    check: (c) => {
      const install = obj(c.machine?.install);
      if (!install) return [];
      const selector = obj(install.diskSelector);
      return str(install.disk) === "" && (!selector || Object.keys(selector).length === 0)
        ? hit("either install disk or diskSelector should be defined", "machine.install")
        : [];
    },
  },
  {
    id: "talos/install-kernel-args-uki",
    description: "install.extraKernelArgs cannot be combined with install.grubUseUKICmdline",
    source: talosSource,
    check: (c) => {
      const install = obj(c.machine?.install);
      return install && arr(install.extraKernelArgs).length > 0 && install.grubUseUKICmdline === true
        ? hit(
            "install.extraKernelArgs and install.grubUseUKICmdline can't be used together",
            "machine.install.extraKernelArgs",
          )
        : [];
    },
  },
  {
    id: "talos/hostdns-forward",
    description: "hostDNS.forwardKubeDNSToHost needs hostDNS.enabled",
    source: talosSource,
    check: (c) => {
      const h = obj(obj(c.machine?.features)?.hostDNS);
      return h?.forwardKubeDNSToHost === true && h.enabled !== true
        ? hit(
            "feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
            "machine.features.hostDNS",
          )
        : [];
    },
  },
  {
    id: "talos/machine-type",
    description: "machine.type is controlplane, worker or init",
    source: talosSource,
    check: (c) =>
      c.machine && !["controlplane", "worker", "init"].includes(c.role)
        ? hit(`unknown machine type "${c.role}"`, "machine.type")
        : [],
  },
  {
    id: "talos/machine-ca",
    description: "an issuing CA (with its key on control planes) or accepted CAs",
    source: talosSource,
    check: (c) => {
      if (!c.machine) return [];
      const ca = obj(c.machine.ca);
      if (!ca && arr(c.machine.acceptedCAs).length === 0)
        return hit(
          "issuing CA or some accepted CAs are required (.machine.ca, machine.acceptedCAs)",
          "machine.ca",
        );
      if (isControlPlane(c.role)) {
        if (!ca) return hit("issuing CA is required (.machine.ca)", "machine.ca");
        if (str(ca.key) === "")
          return hit("issuing CA key is required for controlplane nodes (.machine.ca.key)", "machine.ca.key");
      } else if (ca && str(ca.crt) === "" && arr(c.machine.acceptedCAs).length === 0)
        return hit(
          "trusted CA certificates are required on non-controlplane nodes (.machine.ca.crt, .machine.acceptedCAs)",
          "machine.ca.crt",
        );
      return [];
    },
  },
  {
    id: "talos/worker-os-ca-key",
    description: "no Talos API CA key on workers",
    source: talosSource,
    check: (c) =>
      c.role === "worker" && str(obj(c.machine?.ca)?.key) !== ""
        ? hit(
            "issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)",
            "machine.ca.key",
          )
        : [],
  },
  {
    id: "talos/worker-k8s-ca-key",
    description: "no Kubernetes CA key on workers",
    source: talosSource,
    check: (c) =>
      c.role === "worker" && str(obj(c.cluster?.ca)?.key) !== ""
        ? hit(
            "issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)",
            "cluster.ca.key",
          )
        : [],
  },
  {
    id: "talos/worker-etcd",
    description: "etcd config only on control planes",
    source: talosSource,
    check: (c) =>
      c.role === "worker" && c.cluster?.etcd !== undefined && c.cluster.etcd !== null
        ? hit("etcd config is only allowed on control plane machines", "cluster.etcd")
        : [],
  },
  {
    id: "talos/worker-vip",
    description: "no shared VIP on worker interfaces (legacy machine.network)",
    source: talosSource,
    check: (c) => {
      if (c.role !== "worker") return [];
      const out: RuleHit[] = [];
      arr(obj(c.machine?.network)?.interfaces).forEach((d, i) => {
        if (obj(d)?.vip)
          out.push({
            message: "virtual (shared) IP is not allowed on non-controlplane nodes",
            path: `machine.network.interfaces[${i}].vip`,
          });
        arr(obj(d)?.vlans).forEach((v, j) => {
          if (obj(v)?.vip)
            out.push({
              message: "virtual (shared) IP is not allowed on non-controlplane nodes",
              path: `machine.network.interfaces[${i}].vlans[${j}].vip`,
            });
        });
      });
      return out;
    },
  },
  {
    id: "talos/cni",
    description: "control plane CNI: flannel or none without urls, custom with urls",
    source: talosSource,
    check: (c) => {
      if (!isControlPlane(c.role)) return [];
      const cni = obj(obj(c.cluster?.network)?.cni);
      const name = cni ? str(cni.name) : "flannel";
      const urls = arr(cni?.urls);
      if (name === "flannel" || name === "none") {
        return urls.length > 0
          ? hit(`"urls" field should be empty for "${name}" CNI`, "cluster.network.cni.urls")
          : [];
      }
      if (name === "custom") {
        return urls
          .filter((u) => !validEndpoint(str(u)))
          .map((u) => ({
            message: `invalid CNI manifest URL ${String(u)}`,
            path: "cluster.network.cni.urls",
          }));
      }
      return hit('cni name should be one of ["flannel", "custom", "none"]', "cluster.network.cni.name");
    },
  },
  {
    id: "talos/persist",
    description: ".persist is not disabled",
    source: talosSource,
    check: (c) => (c.config?.persist === false ? hit(".persist should be enabled", "persist") : []),
  },
  {
    id: "talos/node-labels",
    description: "machine.nodeLabels are valid Kubernetes labels",
    source: talosSource,
    check: (c) =>
      Object.entries(obj(c.machine?.nodeLabels) ?? {}).flatMap(([k, v]) =>
        !labelKey.test(k) || !labelValue.test(str(v))
          ? [{ message: `invalid machine node labels: ${k}=${String(v)}`, path: `machine.nodeLabels.${k}` }]
          : [],
      ),
  },
  {
    id: "talos/node-taints",
    description: "machine.nodeTaints are `key: [value:]Effect` with a Kubernetes effect",
    source: talosSource,
    check: (c) =>
      Object.entries(obj(c.machine?.nodeTaints) ?? {}).flatMap(([k, v]) => {
        const [value, effect] = str(v).includes(":") ? str(v).split(":", 2) : ["", str(v)];
        return !labelKey.test(k) || !labelValue.test(value ?? "") || !taintEffects.has(effect ?? "")
          ? [{ message: `invalid machine node taints: ${k}=${String(v)}`, path: `machine.nodeTaints.${k}` }]
          : [];
      }),
  },
  {
    id: "talos/inline-manifests",
    description: "inline manifests have unique, non-empty names",
    source: talosSource,
    check: (c) => {
      const seen = new Set<string>();
      const out: RuleHit[] = [];
      arr(c.cluster?.inlineManifests).forEach((m, i) => {
        const name = str(obj(m)?.name);
        if (name === "")
          out.push({
            message: "inline manifest name can't be empty",
            path: `cluster.inlineManifests[${i}].name`,
          });
        else if (seen.has(name))
          out.push({
            message: `inline manifest name "${name}" is duplicate`,
            path: `cluster.inlineManifests[${i}].name`,
          });
        seen.add(name);
      });
      return out;
    },
  },
  {
    id: "talos/discovery-identity",
    description: "the discovery service needs cluster.id and cluster.secret",
    source: talosSource,
    check: (c) => {
      const d = obj(c.cluster?.discovery);
      if (d?.enabled !== true) return [];
      const service = obj(obj(d.registries)?.service);
      if (service?.disabled === true) return [];
      const out: RuleHit[] = [];
      if (str(c.cluster?.id) === "")
        out.push({ message: "cluster discovery service requires .cluster.id", path: "cluster.id" });
      if (str(c.cluster?.secret) === "")
        out.push({ message: "cluster discovery service requires .cluster.secret", path: "cluster.secret" });
      return out;
    },
  },
  {
    id: "talos/hostname-config",
    description:
      "HostnameConfig sets exactly one of auto/hostname, and not together with machine.network.hostname",
    source: networkSource("hostname.go"),
    check: (c) =>
      typed(c, "HostnameConfig").flatMap((d) => {
        const auto = d.value.auto;
        const hostname = str(d.value.hostname);
        const out: RuleHit[] = [];
        if (auto === undefined && hostname === "")
          out.push({ message: "either 'auto' or 'hostname' must be set", doc: d });
        if (auto !== undefined && hostname !== "")
          out.push({ message: "'auto' and 'hostname' cannot be set at the same time", doc: d });
        const legacy = str(obj(c.machine?.network)?.hostname);
        if (legacy !== "") out.push({ message: "static hostname is already set in v1alpha1 config", doc: d });
        else if (obj(c.machine?.features)?.stableHostname === true)
          out.push({ message: "stable hostname is already set in v1alpha1 config", doc: d });
        return out;
      }),
  },
  {
    id: "talos/layer2-vip",
    description: "Layer2VIPConfig: name is an IP address, link is set",
    source: networkSource("layer2_vip.go"),
    check: (c) =>
      typed(c, "Layer2VIPConfig").flatMap((d) => {
        const out: RuleHit[] = [];
        const name = str(d.value.name);
        if (name === "") out.push({ message: "name must be specified", doc: d });
        else if (!isIp(name)) out.push({ message: `name must be a valid IP address: ${name}`, doc: d });
        if (str(d.value.link) === "") out.push({ message: "link must be specified", doc: d });
        return out;
      }),
  },
  {
    id: "talos/link-config",
    description:
      "LinkConfig/VLANConfig/BondConfig: named, addresses are prefixes, route gateways are addresses",
    source: networkSource("link.go, vlan.go"),
    check: (c) =>
      c.docs
        .filter((d) => ["LinkConfig", "VLANConfig", "BondConfig"].includes(d.kind))
        .flatMap((d) => {
          const out: RuleHit[] = [];
          if (str(d.value.name) === "") out.push({ message: "name must be specified", doc: d });
          arr(d.value.addresses).forEach((a, i) => {
            const addr = str(obj(a)?.address);
            const [ip, prefix] = addr.split("/");
            if (addr === "") out.push({ message: `address ${i} must be specified`, doc: d });
            else if (prefix === undefined || !isIp(ip ?? "") || !/^\d+$/.test(prefix))
              out.push({ message: `address ${i} must be a valid IP prefix`, doc: d });
          });
          arr(d.value.routes).forEach((r, i) => {
            const gw = str(obj(r)?.gateway);
            if (gw !== "" && !isIp(gw))
              out.push({ message: `route ${i} gateway must be a valid IP address`, doc: d });
          });
          if (d.kind === "VLANConfig") {
            const id = Number(d.value.vlanID ?? 0);
            if (!(id >= 1 && id <= 4094))
              out.push({ message: "vlanID must be specified and between 1 and 4094", doc: d });
            if (str(d.value.parent) === "") out.push({ message: "parent must be specified", doc: d });
          }
          return out;
        }),
  },
  // ---------------------------------------------------------------- homeops completeness rules
  {
    id: "homeops-talos/worker-no-private-keys",
    description: "a worker config holds no private key material (CA keys, aggregator, service account)",
    source: "homeops",
    check: (c) => {
      if (c.role !== "worker") return [];
      const out: RuleHit[] = [];
      const keyPaths: [unknown, string][] = [
        [obj(c.machine?.ca)?.key, "machine.ca.key"],
        [obj(c.cluster?.ca)?.key, "cluster.ca.key"],
        [obj(c.cluster?.aggregatorCA)?.key, "cluster.aggregatorCA.key"],
        [obj(c.cluster?.serviceAccount)?.key, "cluster.serviceAccount.key"],
        [obj(obj(c.cluster?.etcd)?.ca)?.key, "cluster.etcd.ca.key"],
      ];
      for (const [v, p] of keyPaths)
        if (str(v) !== "") out.push({ message: `private key material in a worker config (${p})`, path: p });
      for (const p of [
        "aggregatorCA",
        "serviceAccount",
        "secretboxEncryptionSecret",
        "aescbcEncryptionSecret",
      ])
        if (c.cluster?.[p] !== undefined)
          out.push({ message: `cluster.${p} does not belong in a worker config`, path: `cluster.${p}` });
      return out;
    },
  },
  {
    id: "homeops-talos/worker-no-etcd",
    description: "a worker config has no etcd section",
    source: "homeops",
    check: (c) =>
      c.role === "worker" && c.cluster?.etcd !== undefined
        ? hit("etcd section in a worker config", "cluster.etcd")
        : [],
  },
  {
    id: "homeops-talos/worker-no-vip",
    description: "a worker announces no VIP",
    source: "homeops",
    check: (c) =>
      c.role === "worker"
        ? typed(c, "Layer2VIPConfig").map((d) => ({
            message: `worker config announces the VIP ${str(d.value.name)}`,
            doc: d,
          }))
        : [],
  },
  {
    id: "homeops-talos/controller-vip",
    description: "every controller announces the API VIP on a link it configures",
    source: "homeops",
    check: (c) => {
      if (!isControlPlane(c.role) || !c.expect?.apiVip) return [];
      const vip = typed(c, "Layer2VIPConfig").find((d) => d.value.name === c.expect?.apiVip);
      if (!vip) return hit(`controller config has no Layer2VIPConfig for the API VIP ${c.expect.apiVip}`);
      const links = c.docs
        .filter((d) => ["LinkConfig", "VLANConfig", "BondConfig", "LinkAliasConfig"].includes(d.kind))
        .map((d) => str(d.value.name));
      return links.includes(str(vip.value.link))
        ? []
        : [
            {
              message: `the VIP's link "${str(vip.value.link)}" is not configured (links: ${links.join(", ") || "none"})`,
              doc: vip,
            },
          ];
    },
  },
  {
    id: "homeops-talos/endpoint-vip",
    description: "the control plane endpoint is the API VIP",
    source: "homeops",
    check: (c) => {
      const endpoint = str(obj(c.cluster?.controlPlane)?.endpoint);
      return c.expect?.endpoint && endpoint !== c.expect.endpoint
        ? hit(
            `control plane endpoint ${endpoint || "(none)"} is not ${c.expect.endpoint}`,
            "cluster.controlPlane.endpoint",
          )
        : [];
    },
  },
  {
    id: "homeops-talos/hostname-once",
    description: "the hostname is set exactly once (HostnameConfig or machine.network.hostname)",
    source: "homeops",
    check: (c) => {
      if (!c.machine) return [];
      const legacy = str(obj(c.machine.network)?.hostname) !== "";
      const docs = typed(c, "HostnameConfig").filter(
        (d) => str(d.value.hostname) !== "" || d.value.auto !== undefined,
      );
      const count = (legacy ? 1 : 0) + docs.length;
      return count === 1
        ? []
        : hit(count === 0 ? "no hostname is set" : `the hostname is set ${count} times`);
    },
  },
];

let loadedAjv2020: typeof Ajv2020Type | undefined;

/**
 * Loads ajv ahead of a synchronous validation with a schema. Callers that can await do so: an `import()`
 * is what a bundle (the `homeops` executable) carries along; the synchronous `require` above is the
 * fallback for direct callers of `validateMachineConfig`.
 */
export async function preloadSchemaValidator(): Promise<void> {
  loadedAjv2020 ??= (await import("ajv/dist/2020.js")).Ajv2020;
}

/** Per-kind schema validators over Talos' published JSON Schema (compiled once per schema object). */
const compiled = new WeakMap<object, Map<string, ValidateFunction>>();

function validatorFor(schema: object, def: string): ValidateFunction | undefined {
  let byDef = compiled.get(schema);
  if (!byDef) {
    byDef = new Map();
    compiled.set(schema, byDef);
  }
  const cached = byDef.get(def);
  if (cached) return cached;
  const defs = (schema as { $defs?: Record<string, unknown> }).$defs ?? {};
  if (!(def in defs)) return undefined;
  // ajv only when a schema is given (it is not needed to generate)
  const Ajv2020 =
    loadedAjv2020 ??
    (createRequire(import.meta.url)("ajv/dist/2020.js") as { Ajv2020: typeof Ajv2020Type }).Ajv2020;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const fn = ajv.compile({ $defs: defs, $ref: `#/$defs/${def}` });
  byDef.set(def, fn);
  return fn;
}

/** Line numbers of the text being validated (set per validateMachineConfig call; validation is synchronous). */
let lineCounter = new LineCounter();
const lineAt = (node: Node | undefined): number | undefined =>
  node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

function lineOfPath(node: Node, path: string): number | undefined {
  let cur: Node | undefined = node;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
    if (cur && isMap(cur))
      cur = cur.items.find((p) => String((p.key as { value?: unknown })?.value) === part)?.value as
        | Node
        | undefined;
    else if (cur && isSeq(cur)) cur = cur.items[Number(part)] as Node | undefined;
    else return undefined;
  }
  return lineAt(cur);
}

export interface ValidateMachineConfigOptions {
  /** file name for findings */
  file: string;
  /** Talos' published JSON Schema of the machine config; absent = schema validation reported as skipped */
  schema?: object;
  /** homeops' expectations for completeness rules */
  expect?: ValidateExpectations;
  /** rules to run (default: all) */
  rules?: readonly TalosRule[];
}

export interface MachineConfigVerdict {
  file: string;
  status: "valid" | "invalid" | "error";
  /** whether Talos' JSON Schema was applied */
  schema: "checked" | "skipped";
  findings: Finding[];
}

/** Fields Talos' own generator writes that its published schema leaves out (docgen:nodoc). */
const generatorHiddenFields = new Set(["persist"]);

/** Is `field` a real field of the Go type at `path` (the published schema omits hidden/deprecated ones)? */
function isHiddenTalosField(doc: Doc, path: string[], field: string): boolean {
  let t: GoType;
  try {
    t = doc.kind === "v1alpha1" ? documentType("", "v1alpha1") : documentType("v1alpha1", doc.kind);
  } catch {
    return false;
  }
  const deref = (x: GoType): GoType => (x.k === "ptr" ? deref(x.of) : x);
  const findField = (x: GoType, name: string): GoType | undefined => {
    const s = deref(x);
    if (s.k !== "struct") return undefined;
    for (const f of s.fields) {
      if (f.inline) {
        const inner = findField(f.type, name);
        if (inner) return inner;
      } else if (f.name === name) return f.type;
    }
    return undefined;
  };
  for (const seg of path) {
    const cur = deref(t);
    if (cur.k === "slice" && /^\d+$/.test(seg)) t = cur.of;
    else if (cur.k === "map") t = cur.of;
    else {
      const next = findField(cur, seg);
      if (!next) return false;
      t = next;
    }
  }
  return findField(t, field) !== undefined;
}

function schemaMessage(e: ErrorObject): string {
  const where = e.instancePath === "" ? "(document)" : e.instancePath.slice(1).replaceAll("/", ".");
  if (e.keyword === "additionalProperties")
    return `${where}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === "enum")
    return `${where}: must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  return `${where}: ${e.message ?? e.keyword}`;
}

/** Validate one generated (or hand-written) machine config: Talos' JSON Schema, Talos' metal rules, completeness. */
export function validateMachineConfig(
  text: string,
  options: ValidateMachineConfigOptions,
): MachineConfigVerdict {
  const findings: Finding[] = [];
  const file = options.file;
  lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter });
  const docs: Doc[] = [];
  for (const d of Array.isArray(parsed) ? parsed : [parsed]) {
    if (d.errors.length > 0) {
      return {
        file,
        status: "error",
        schema: "skipped",
        findings: [
          { ruleId: "talos/yaml", severity: "error", message: d.errors[0]?.message ?? "YAML error", file },
        ],
      };
    }
    if (!d.contents) continue;
    const value = obj(d.toJS()) ?? {};
    const kind = typeof value.kind === "string" ? value.kind : "v1alpha1";
    const def = kind === "v1alpha1" ? "v1alpha1.Config" : documentKinds[kind];
    docs.push({ kind, def, value, node: d.contents, line: lineAt(d.contents) ?? 1 });
  }
  if (options.schema) {
    for (const doc of docs) {
      const validate = doc.def ? validatorFor(options.schema, doc.def) : undefined;
      if (!validate) {
        findings.push({
          ruleId: "talos/schema",
          severity: "error",
          message: `unknown document kind ${doc.kind}`,
          file,
          line: doc.line,
        });
        continue;
      }
      if (!validate(doc.value)) {
        for (const e of validate.errors ?? []) {
          const path = e.instancePath.slice(1).replaceAll("/", ".");
          if (e.keyword === "additionalProperties") {
            const field = (e.params as { additionalProperty: string }).additionalProperty;
            const segments = path === "" ? [] : path.split(".");
            if (isHiddenTalosField(doc, segments, field)) {
              if (segments.length === 0 && generatorHiddenFields.has(field)) continue;
              findings.push({
                ruleId: "talos/schema-hidden-field",
                severity: "warning",
                message: `${doc.kind}: ${[...segments, field].join(".")} is a real Talos field that the published schema leaves out (deprecated or hidden)`,
                file,
                line: lineOfPath(doc.node, [...segments, field].join(".")) ?? doc.line,
                path: [...segments, field].join("."),
              });
              continue;
            }
          }
          findings.push({
            ruleId: "talos/schema",
            severity: "error",
            message: `${doc.kind}: ${schemaMessage(e)}`,
            file,
            line: lineOfPath(doc.node, path) ?? doc.line,
            ...(path ? { path } : {}),
          });
        }
      }
    }
  }
  const config = docs.find((d) => d.kind === "v1alpha1");
  const machine = obj(config?.value.machine);
  const ctx: RuleContext = {
    docs,
    config: config?.value,
    machine,
    cluster: obj(config?.value.cluster),
    role: str(machine?.type),
    ...(options.expect ? { expect: options.expect } : {}),
  };
  for (const rule of options.rules ?? talosRules) {
    for (const h of rule.check(ctx)) {
      const doc = h.doc ?? config;
      const line = (doc && h.path ? lineOfPath(doc.node, h.path) : undefined) ?? doc?.line ?? 1;
      findings.push({
        ruleId: rule.id,
        severity: "error",
        message: h.doc && h.doc.kind !== "v1alpha1" ? `${h.doc.kind}: ${h.message}` : h.message,
        file,
        ...(line !== undefined ? { line } : {}),
        ...(h.path ? { path: h.path } : {}),
      });
    }
  }
  return {
    file,
    status: findings.length > 0 ? "invalid" : "valid",
    schema: options.schema ? "checked" : "skipped",
    findings,
  };
}
