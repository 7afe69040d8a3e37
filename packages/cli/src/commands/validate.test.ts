import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { createTestIo } from "../internal/test-io.js";
import { runCli } from "../main.js";

const sample = readFileSync(new URL("../../../../bootstrap/config.sample.yaml", import.meta.url), "utf8");

/** A repository with `bootstrap/config.yaml` holding `text` (no file when `undefined`). */
function repo(text: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "homeops-validate-"));
  mkdirSync(join(dir, "bootstrap"));
  if (text !== undefined) writeFileSync(join(dir, "bootstrap/config.yaml"), text);
  return dir;
}

async function run(...args: string[]) {
  const t = createTestIo({ env: { NO_COLOR: "1" } });
  const code = await runCli(args, t.io);
  return { code, out: t.stdout(), err: t.stderr() };
}

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);

describe("homeops validate config", () => {
  it("accepts the sample (exit 0)", async () => {
    const r = await run("-C", repo(sample), "validate", "config");
    expect(r).toMatchObject({ code: ExitCode.Clean, err: "" });
    expect(r.out).toBe("bootstrap/config.yaml: valid; 0 errors, 0 warnings\n");
  });

  it("prints the fully defaulted config with --output json", async () => {
    const r = await run("-C", repo(sample), "validate", "config", "--output", "json");
    expect(r.code).toBe(ExitCode.Clean);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ command: "validate config", ok: true, findings: [] });
    expect(report.data.file).toBe("bootstrap/config.yaml");
    expect(report.data.config.network.defaultGateway).toBe("10.10.0.1");
    expect(report.data.config.derived.coreDnsAddress).toBe("10.43.0.10");
    expect(report.data.config.nodes[3].schematicId).toBe(report.data.config.talos.schematicId);
  });

  it("reports every error at once, one per line, exit 1", async () => {
    const text = sample
      .replace("podCidr: 10.42.0.0/16", "podCidr: 10.10.0.0/16")
      .replace("internal: 10.10.0.21", "internal: 10.10.0.11")
      .replace('mac: "aa:bb:cc:00:00:13"', 'mac: "AA:BB:CC:00:00:13"')
      .replace("  mtu: 1500", "  mtu: 1500\n  mut: 1500");
    const r = await run("-C", repo(text), "validate", "config");
    expect(r.code).toBe(ExitCode.Findings);
    expect(r.err).toBe("");
    const lines = r.out.trimEnd().split("\n");
    const podLine = lineOf(text, "podCidr:");
    expect(lines).toEqual([
      `bootstrap/config.yaml:${podLine}:12  network.podCidr  network.podCidr 10.10.0.0/16 contains network.nodeCidr 10.10.0.0/24; the node, pod and service CIDRs must be disjoint (config/cidr-overlap)`,
      `bootstrap/config.yaml:${lineOf(text, "  mut:")}:3  network.mut  unknown key "mut" in network — did you mean mtu? (config/unknown-key)`,
      `bootstrap/config.yaml:${lineOf(text, "internal:")}:13  gateways.internal  gateways.internal 10.10.0.11 equals nodes[1].address (config/duplicate-address)`,
      `bootstrap/config.yaml:${lineOf(text, "AA:BB")}:10  nodes[3].mac  "AA:BB:CC:00:00:13" is not a lower-case colon-separated MAC address — did you mean aa:bb:cc:00:00:13? (config/invalid-mac)`,
      "bootstrap/config.yaml: invalid; 4 errors, 0 warnings",
    ]);
  });

  it("gives the findings, without a config, as JSON", async () => {
    const r = await run(
      "-C",
      repo(sample.replace("apiVip: 10.10.0.20", "apiVip: 10.20.0.20")),
      "validate",
      "config",
      "-o",
      "json",
    );
    expect(r.code).toBe(ExitCode.Findings);
    const report = JSON.parse(r.out);
    expect(report.ok).toBe(false);
    expect(report.data).toEqual({ file: "bootstrap/config.yaml" });
    expect(report.findings).toEqual([
      {
        ruleId: "config/address-outside-node-cidr",
        severity: "error",
        message: "kubernetes.apiVip 10.20.0.20 is outside network.nodeCidr 10.10.0.0/24",
        file: "bootstrap/config.yaml",
        line: lineOf(sample, "apiVip:"),
        column: 11,
        path: "kubernetes.apiVip",
      },
    ]);
  });

  it("takes a file argument relative to the working directory", async () => {
    const dir = repo(undefined);
    writeFileSync(join(dir, "other.yaml"), sample);
    const r = await run("-C", dir, "validate", "config", "other.yaml");
    expect(r.code).toBe(ExitCode.Clean);
    expect(r.out).toBe("other.yaml: valid; 0 errors, 0 warnings\n");
  });

  it("warnings alone pass (exit 0)", async () => {
    const r = await run(
      "-C",
      repo(sample.replace("    controller: false", "    controller: true")),
      "validate",
      "config",
    );
    expect(r.code).toBe(ExitCode.Clean);
    expect(r.out).toContain("  nodes  warning: 4 controllers");
    expect(r.out).toContain("0 errors, 1 warning");
  });
});

describe("homeops validate config: files it cannot check (exit 2, one message, no stack)", () => {
  it("a missing file", async () => {
    const r = await run("-C", repo(undefined), "validate", "config");
    expect(r.code).toBe(ExitCode.Operational);
    expect(r.out).toBe("");
    expect(r.err).toBe("error: bootstrap/config.yaml: no such file\n");
  });

  it("malformed YAML", async () => {
    const r = await run("-C", repo("version: 1\ncluster:\n  name: [home\n"), "validate", "config");
    expect(r.code).toBe(ExitCode.Operational);
    const [message, hint, ...rest] = r.err.trimEnd().split("\n");
    expect(message).toMatch(/^error: bootstrap\/config\.yaml:4:1: invalid YAML: Flow sequence/);
    expect(hint).toBe("hint: fix the YAML syntax at the position shown");
    expect(rest).toEqual([]);
    noStack(r.err);
  });

  it("an empty file", async () => {
    const r = await run("-C", repo("# only a comment\n"), "validate", "config");
    expect(r.code).toBe(ExitCode.Operational);
    expect(r.err).toBe(
      "error: bootstrap/config.yaml: the config is empty\nhint: start from bootstrap/config.sample.yaml\n",
    );
  });

  it("a wrong type deep inside is a finding with its location (exit 1)", async () => {
    const text = sample.replace("      serial: S4EVNF0M123456", "      serial: [S4EVNF0M123456]");
    const r = await run("-C", repo(text), "validate", "config");
    expect(r.code).toBe(ExitCode.Findings);
    expect(r.out.split("\n")[0]).toBe(
      `bootstrap/config.yaml:${lineOf(text, "serial:")}:15  nodes[1].diskSelector.serial  nodes[1].diskSelector.serial must be a string, got a list (config/invalid-type)`,
    );
    noStack(r.out + r.err);
  });

  it("usage mistakes", async () => {
    expect((await run("-C", repo(sample), "validate")).code).toBe(ExitCode.Operational);
    const bad = await run("-C", repo(sample), "validate", "config", "--output", "xml");
    expect(bad.code).toBe(ExitCode.Operational);
    expect(bad.err).toContain("use one of: text, json");
  });
});
