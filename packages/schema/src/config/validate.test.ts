import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Finding, UserError } from "@homeops/core";
import { describe, expect, test } from "vitest";
import { type ConfigMigration, migrateConfig } from "./migrations.js";
import { loadClusterConfig, validateClusterConfig } from "./validate.js";

const sample = readFileSync(new URL("../../../../bootstrap/config.sample.yaml", import.meta.url), "utf8");
const check = (text: string) => validateClusterConfig(text, { file: "config.yaml" });
const only = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("files that cannot be validated throw one UserError with a location", () => {
  test("malformed YAML", () => {
    const text = "version: 1\ncluster:\n  name: [home\n";
    expect(() => check(text)).toThrow(UserError);
    try {
      check(text);
    } catch (error) {
      expect(error).toMatchObject({
        code: "YAML_SYNTAX",
        location: { file: "config.yaml", line: expect.any(Number) },
      });
      expect((error as Error).message).toMatch(/^invalid YAML: \S/);
      expect((error as { location: { column?: number } }).location.column).toEqual(expect.any(Number));
    }
  });

  test("duplicate keys are a YAML error", () => {
    expect(() => check("version: 1\nversion: 1\n")).toThrow(expect.objectContaining({ code: "YAML_SYNTAX" }));
  });

  test.each([
    ["empty", ""],
    ["whitespace", "\n\n"],
    ["comments only", "# nothing here\n"],
    ["a bare document marker", "---\n"],
  ])("%s file", (_, text) => {
    expect(() => check(text)).toThrow(
      expect.objectContaining({ code: "YAML_EMPTY", location: { file: "config.yaml", line: 1, column: 1 } }),
    );
  });

  test("missing file", async () => {
    await expect(
      loadClusterConfig("/nonexistent/config.yaml", { file: "bootstrap/config.yaml" }),
    ).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
      message: "bootstrap/config.yaml: no such file",
    });
  });
});

describe("loadClusterConfig", () => {
  test("reads a file and names it as asked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-config-"));
    writeFileSync(join(dir, "config.yaml"), sample.replace("apiVip: 10.10.0.20", "apiVip: 10.10.0.11"));
    const result = await loadClusterConfig(join(dir, "config.yaml"), { file: "bootstrap/config.yaml" });
    expect(result.ok).toBe(false);
    expect(result.findings).toEqual([
      {
        ruleId: "config/duplicate-address",
        severity: "error",
        message: "kubernetes.apiVip 10.10.0.11 equals nodes[1].address",
        file: "bootstrap/config.yaml",
        line: lineOf(sample, "apiVip:"),
        column: 11,
        path: "kubernetes.apiVip",
      },
    ]);
  });
});

describe("messages", () => {
  test("every finding is reported at once", () => {
    const text = sample
      .replace("nodeCidr: 10.10.0.0/24", "nodeCidr: 10.10.0.7/24")
      .replace("timezone: Europe/Amsterdam", "timezone: europe/amsterdam")
      .replace("provider: cloudflare", "provider: route53")
      .replace("name: k8s-3", "name: k8s-2");
    const { findings, ok } = check(text);
    expect(ok).toBe(false);
    expect(findings.map((f) => f.ruleId).sort()).toEqual([
      "config/cidr-host-bits",
      "config/duplicate-node-name",
      "config/invalid-enum",
      "config/invalid-timezone",
    ]);
    expect(only(findings, "config/cidr-host-bits")[0]!.message).toBe(
      "'10.10.0.7/24' has host bits set — did you mean 10.10.0.0/24?",
    );
    expect(only(findings, "config/invalid-timezone")[0]!.message).toContain("did you mean Europe/Amsterdam?");
    expect(only(findings, "config/invalid-enum")[0]!.message).toBe(
      'dns.provider must be one of cloudflare, rfc2136, none, got the string "route53"',
    );
  });

  test("unknown keys get a did-you-mean hint at every level", () => {
    const text = sample
      .replace("  nodeCidr:", "  node_cidr:")
      .replace("    controller: false", "    controler: false")
      .replace("cluster:", "clustr:");
    const messages = only(check(text).findings, "config/unknown-key").map((f) => `${f.path}: ${f.message}`);
    expect(messages).toEqual([
      'clustr: unknown key "clustr" in the config — did you mean cluster?',
      'network.node_cidr: unknown key "node_cidr" in network — did you mean nodeCidr?',
      'nodes[3].controler: unknown key "controler" in nodes[3] — did you mean controller?',
    ]);
  });

  test("derived keys are rejected with a clear message", () => {
    const text = sample
      .replace("  mtu: 1500", "  mtu: 1500\n  coreDnsAddress: 10.43.0.10")
      .concat("derived: {}\n");
    expect(check(text).findings.map((f) => f.message)).toEqual([
      "network.coreDnsAddress is derived by homeops (see ClusterConfig.derived) and cannot be set; remove it",
      "derived is derived by homeops (see ClusterConfig.derived) and cannot be set; remove it",
    ]);
  });

  test("wrong types at any depth name the path, the expected and the given type", () => {
    const text = sample
      .replace("  mtu: 1500", "  mtu: [1500]")
      .replace("    controller: false", "    controller: 'no'")
      .replace("      topology.kubernetes.io/zone: rack-b", "      topology.kubernetes.io/zone: 3");
    expect(check(text).findings.map((f) => `${f.line} ${f.message}`)).toEqual([
      `${lineOf(sample, "  mtu: 1500")} network.mtu must be a number, got a list`,
      `${lineOf(sample, "topology.kubernetes.io/zone")} nodes[2].labels["topology.kubernetes.io/zone"] must be a string, got number 3`,
      `${lineOf(sample, "    controller: false")} nodes[3].controller must be true or false, got the string "no"`,
    ]);
  });

  test("a CIDR overlap names both sides, defaults included", () => {
    const text = sample
      .replace("  podCidr: 10.42.0.0/16\n", "")
      .replace("nodeCidr: 10.10.0.0/24", "nodeCidr: 10.42.1.0/24");
    const [finding] = only(check(text).findings, "config/cidr-overlap");
    expect(finding?.message).toBe(
      "network.nodeCidr 10.42.1.0/24 is inside network.podCidr (default) 10.42.0.0/16; the node, pod and service CIDRs must be disjoint",
    );
  });

  test("BGP lists the missing fields", () => {
    const text = sample.replace("# bgp:\n#   routerAddress: 10.10.0.1", "bgp:\n  routerAddress: 10.10.0.1");
    expect(only(check(text).findings, "config/bgp-incomplete")[0]?.message).toBe(
      "bgp is incomplete: missing bgp.routerAsn, bgp.nodeAsn (set all three or remove bgp)",
    );
  });

  test("with complete BGP the gateways may leave the node CIDR", () => {
    const bgp = sample
      .replace(
        "# bgp:\n#   routerAddress: 10.10.0.1\n#   routerAsn: 64513\n#   nodeAsn: 64514",
        "bgp:\n  routerAddress: 10.10.0.1\n  routerAsn: 64513\n  nodeAsn: 64514",
      )
      .replace("internal: 10.10.0.21", "internal: 10.99.0.21");
    expect(check(bgp).findings).toEqual([]);
    const noBgp = sample.replace("internal: 10.10.0.21", "internal: 10.99.0.21");
    expect(only(check(noBgp).findings, "config/address-outside-node-cidr")[0]?.message).toBe(
      "gateways.internal 10.99.0.21 is outside network.nodeCidr 10.10.0.0/24 (gateways may lie outside only with bgp)",
    );
  });
});

describe("the resolved config", () => {
  const result = check(sample);
  if (!result.ok) throw new Error("the sample must be valid");
  const config = result.value;

  test("derived values", () => {
    expect(config.network.defaultGateway).toBe("10.10.0.1");
    expect(config.derived.coreDnsAddress).toBe("10.43.0.10");
    expect(config.derived.controllers).toEqual(["k8s-0", "k8s-1", "k8s-2"]);
    expect(config.derived.controllerCount).toBe(3);
    expect(config.derived.apiCertSans).toEqual([
      "10.10.0.20",
      "k8s.internal",
      "10.10.0.10",
      "10.10.0.11",
      "10.10.0.12",
    ]);
  });

  test("per-node defaults", () => {
    const [k0, k1, k2, k3] = config.nodes;
    expect(k0?.installDisk).toBe("/dev/nvme0n1");
    expect(k1 && "installDisk" in k1).toBe(false);
    expect(k2?.installDisk).toBe("/dev/sda");
    expect(k3?.mtu).toBe(9000);
    expect(k2?.mtu).toBe(1500);
    expect(new Set(config.nodes.map((n) => n.schematicId))).toEqual(new Set([config.talos.schematicId]));
  });

  test("placeholders and literals", () => {
    expect(config.derived.placeholders.map((p) => p.variable)).toEqual([
      "SECRET_DOMAIN",
      "VAULT_ADDR",
      "NFS_SERVER",
      "NFS_MEDIA_PATH",
      "NFS_BACKUP_PATH",
      "BACKUP_REPOSITORY",
    ]);
    const literal = check(sample.replace("domain: ${SECRET_DOMAIN}", "domain: example.com"));
    expect(literal.ok && literal.value.derived.literals).toEqual([
      { path: "cluster.domain", value: "example.com" },
    ]);
  });

  test("the same text resolves to the same config", () => {
    expect(JSON.stringify(check(sample))).toBe(JSON.stringify(result));
  });
});

describe("migrations", () => {
  const step = (from: number, mark: string): ConfigMigration => ({
    from,
    to: from + 1,
    description: mark,
    up: (raw) => ({ ...raw, trail: [...((raw.trail as string[]) ?? []), mark], version: from + 1 }),
    sourcePath: (path) => path.map((s) => (typeof s === "string" ? `${s}@${from}` : s)),
  });

  test("run in order from the file's version, whatever the registry order", () => {
    const registry = [step(2, "c"), step(0, "a"), step(1, "b")];
    const outcome = migrateConfig({ version: 1 }, 1, registry);
    expect(outcome.value).toEqual({ version: 3, trail: ["b", "c"] });
    expect(outcome.applied.map((m) => m.description)).toEqual(["b", "c"]);
    // mapped back newest step first: v3 → v2 (step 2), then v2 → v1 (step 1)
    expect(outcome.sourcePath(["x", 0])).toEqual(["x@2@1", 0]);
  });

  test("v0 → v1 renames keys but not user map keys", () => {
    const outcome = migrateConfig(
      {
        version: 0,
        network: { node_cidr: "10.0.0.0/24" },
        nodes: [{ name: "a", labels: { my_label: "x" } }],
      },
      0,
    );
    expect(outcome.value).toEqual({
      version: 1,
      network: { nodeCidr: "10.0.0.0/24" },
      nodes: [{ name: "a", labels: { my_label: "x" } }],
    });
    expect(outcome.sourcePath(["nodes", 0, "labels", "myKey"])).toEqual(["nodes", 0, "labels", "myKey"]);
    expect(outcome.sourcePath(["network", "nodeCidr"])).toEqual(["network", "node_cidr"]);
  });

  test("a newer version than homeops knows is refused", () => {
    const { findings, ok } = check(sample.replace("version: 1", "version: 7"));
    expect(ok).toBe(false);
    expect(findings.map((f) => f.message)).toEqual([
      "version 7 is newer than this homeops understands (1); upgrade homeops",
    ]);
  });
});
