import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import AjvDraft04Module from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { createTestIo } from "../internal/test-io.js";
import { runCli } from "../main.js";

// a CommonJS module: under NodeNext its class is `.default`; vite's interop may hand over the class itself
type AjvClass = typeof AjvDraft04Module.default;
const Ajv: AjvClass =
  (AjvDraft04Module as unknown as { default?: AjvClass }).default ??
  (AjvDraft04Module as unknown as AjvClass);

const FIXTURE = new URL("../../test/fixtures/check-repo/", import.meta.url).pathname;
const HR = "kubernetes/apps/games/romm/app/helmrelease.yaml";

/** A copy of the fixture repo, optionally with one replacement in one file. */
function repo(edit?: { file: string; from: string; to: string }): string {
  const dir = mkdtempSync(join(tmpdir(), "homeops-check-"));
  cpSync(FIXTURE, dir, { recursive: true });
  if (edit) {
    const path = join(dir, edit.file);
    const text = readFileSync(path, "utf8");
    if (!text.includes(edit.from)) throw new Error(`${edit.file} has no ${edit.from}`);
    writeFileSync(path, text.replace(edit.from, edit.to));
  }
  return dir;
}

async function run(...args: string[]) {
  const t = createTestIo({ env: { NO_COLOR: "1" } });
  const code = await runCli(args, t.io);
  return { code, out: t.stdout(), err: t.stderr() };
}

const lineOf = (dir: string, file: string, needle: string) =>
  readFileSync(join(dir, file), "utf8")
    .split("\n")
    .findIndex((l) => l.includes(needle)) + 1;

const missingClaim = { file: HR, from: "existingClaim: romm\n", to: "existingClaim: romm-data\n" };
const nfsLiteral = { file: HR, from: "server: ${NFS_SERVER}", to: "server: nas.internal" };

describe("homeops check --baseline", () => {
  it("records the findings, reports only new ones, and marks SARIF results new or unchanged", async () => {
    const dir = repo(missingClaim);
    const wrote = await run("check", "--write-baseline", dir);
    expect(wrote.code).toBe(ExitCode.Clean);
    expect(wrote.out + wrote.err).toContain("wrote 1 findings to .homeops/baseline.json");
    const baseline = JSON.parse(readFileSync(join(dir, ".homeops/baseline.json"), "utf8"));
    expect(baseline.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(["storage/missing-claim"]);

    // an unrelated edit moves the finding's line: still in the baseline
    writeFileSync(join(dir, HR), `# moved down\n${readFileSync(join(dir, HR), "utf8")}`);
    const same = await run("check", "--baseline", ".homeops/baseline.json", dir);
    expect(same.code).toBe(ExitCode.Clean);
    expect(same.out).toContain("0 new, 1 in the baseline");

    // one more violation: exactly one new finding, exit 1
    const text = readFileSync(join(dir, HR), "utf8").replace("server: ${NFS_SERVER}", "server: nas.internal");
    writeFileSync(join(dir, HR), text);
    const added = await run("check", "--output", "json", "--baseline", ".homeops/baseline.json", dir);
    const json = JSON.parse(added.out);
    expect(json.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(["storage/nfs-literal"]);
    const sarif = JSON.parse(
      (await run("check", "--output", "sarif", "--baseline", ".homeops/baseline.json", dir)).out,
    );
    const states = sarif.runs[0].results.map(
      (r: { ruleId: string; baselineState: string }) => `${r.ruleId} ${r.baselineState}`,
    );
    expect(states.sort()).toEqual(["storage/missing-claim unchanged", "storage/nfs-literal new"]);
  });

  it("exits 2 when the baseline file is missing or malformed", async () => {
    const dir = repo();
    expect((await run("check", "--baseline", "nope.json", dir)).code).toBe(ExitCode.Operational);
    writeFileSync(join(dir, "bad.json"), "{}");
    const bad = await run("check", "--baseline", "bad.json", dir);
    expect(bad.code).toBe(ExitCode.Operational);
    expect(bad.err).toContain("bad.json: not a homeops baseline");
  });
});

describe("homeops check", () => {
  it("exits 0 on a clean repository", async () => {
    const r = await run("-C", repo(), "check");
    expect(r.err).toBe("");
    expect(r.code).toBe(ExitCode.Clean);
    expect(r.out).toMatch(
      /^0 errors, 0 warnings \(26 rules over \d+ files and 6 Flux Kustomizations; Flux root: kubernetes\/flux \(the conventional root\)\)\n$/,
    );
  });

  it("reports an error grouped by file as file:line:col  severity  id  message, with the hint; exit 1", async () => {
    const dir = repo(missingClaim);
    const r = await run("-C", dir, "check");
    expect(r.code).toBe(ExitCode.Findings);
    const line = lineOf(dir, HR, "existingClaim: romm-data");
    expect(r.out.split("\n").slice(0, 3)).toEqual([
      HR,
      `  ${HR}:${line}:24  error  storage/missing-claim  HelmRelease games/romm uses PVC 'romm-data', but no PersistentVolumeClaim games/romm-data is declared`,
      expect.stringMatching(/^ {4}hint: declare the PVC/),
    ]);
    expect(r.out).toMatch(/1 error, 0 warnings in 1 file/);
  });

  it("exits 0 on warnings only, 1 with --strict", async () => {
    const dir = repo(nfsLiteral);
    const lenient = await run("-C", dir, "check");
    expect(lenient.code).toBe(ExitCode.Clean);
    expect(lenient.out).toContain("warning  storage/nfs-literal");
    const strict = await run("-C", dir, "check", "--strict");
    expect(strict.code).toBe(ExitCode.Findings);
  });

  it("prints json with rules run, suppressions and timings", async () => {
    const dir = repo({
      file: HR,
      from: "        server: ${NFS_SERVER}\n",
      to: "        # homeops-ignore storage/nfs-literal: the NAS has a fixed name\n        server: nas.internal\n",
    });
    const r = await run("-C", dir, "check", "--output", "json");
    expect(r.code).toBe(ExitCode.Clean);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ command: "check", ok: true, findings: [] });
    expect(report.data.rulesRun).toHaveLength(26);
    expect(report.data.suppressed).toEqual([
      expect.objectContaining({
        ruleId: "storage/nfs-literal",
        file: HR,
        reason: "the NAS has a fixed name",
      }),
    ]);
    expect(report.data.timingsMs.total).toBeGreaterThanOrEqual(report.data.timingsMs.rules);
  });

  it("prints GitHub workflow annotations", async () => {
    const dir = repo(missingClaim);
    const r = await run("-C", dir, "check", "--output", "github");
    expect(r.code).toBe(ExitCode.Findings);
    const line = lineOf(dir, HR, "existingClaim: romm-data");
    expect(r.out.split("\n")[0]).toBe(
      `::error file=${HR},line=${line},col=24,title=storage/missing-claim::HelmRelease games/romm uses PVC 'romm-data', but no PersistentVolumeClaim games/romm-data is declared%0Ahint: declare the PVC (usually through the backup component with APP set to the claim name) or fix the claim name`,
    );
  });

  it("prints SARIF 2.1.0 that validates against the official schema", async () => {
    const require = createRequire(import.meta.url);
    const schemaPath = join(
      dirname(require.resolve("@microsoft/jest-sarif/package.json")),
      "lib/schemas/sarif-2.1.0-rtm.5.json",
    );
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    for (const edit of [missingClaim, nfsLiteral, undefined]) {
      const r = await run("-C", repo(edit), "check", "--output", "sarif");
      const log = JSON.parse(r.out);
      const valid = validate(log);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      expect(log.version).toBe("2.1.0");
    }
    const r = await run("-C", repo(missingClaim), "check", "--output", "sarif");
    const result = JSON.parse(r.out).runs[0].results[0];
    expect(result).toMatchObject({ ruleId: "storage/missing-claim", level: "error" });
    expect(result.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: HR },
      region: { startColumn: 24 },
    });
    // the schema really rejects broken logs (the test can fail)
    expect(validate({ version: "2.1.0", runs: [{ tool: {} }] })).toBe(false);
  });

  it("reads bootstrap/config.yaml: a domain written literally there must not appear in manifests", async () => {
    const sample = readFileSync(new URL("../../../../bootstrap/config.sample.yaml", import.meta.url), "utf8");
    const clean = repo();
    mkdirSync(join(clean, "bootstrap"));
    writeFileSync(join(clean, "bootstrap/config.yaml"), sample);
    expect((await run("-C", clean, "check")).code).toBe(ExitCode.Clean);

    const dir = repo({
      file: HR,
      from: "          - romm.${SECRET_DOMAIN}",
      to: "          - romm.home.example.dev",
    });
    mkdirSync(join(dir, "bootstrap"));
    writeFileSync(
      join(dir, "bootstrap/config.yaml"),
      sample.replace("domain: ${SECRET_DOMAIN}", "domain: home.example.dev"),
    );
    const r = await run("-C", dir, "check", "--output", "json");
    expect(r.code).toBe(ExitCode.Findings);
    expect(JSON.parse(r.out).findings).toEqual([
      expect.objectContaining({
        ruleId: "placeholder/config-literal",
        file: HR,
        line: lineOf(dir, HR, "romm.home.example.dev"),
        hint: "use ${SECRET_DOMAIN} instead",
      }),
    ]);
  });

  it("fails with exit 2 outside a repository", async () => {
    const r = await run("-C", mkdtempSync(join(tmpdir(), "homeops-empty-")), "check");
    expect(r.code).toBe(ExitCode.Operational);
    expect(r.err).toContain("no Flux root found in the repository");
    expect(r.err).toContain("looked for a FluxInstance");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("rejects an unknown --rule", async () => {
    const r = await run("-C", repo(), "check", "--rule", "flux/nope");
    expect(r.code).toBe(ExitCode.Operational);
    expect(r.err).toContain("unknown rule id: flux/nope");
  });
});

describe("homeops explain", () => {
  it("explains a rule", async () => {
    const r = await run("explain", "flux/unwired-app");
    expect(r.code).toBe(ExitCode.Clean);
    expect(r.out).toContain("flux/unwired-app  warning");
    expect(r.out).toContain("kind: invariant");
    expect(r.out).toContain("Flux only applies the ks.yaml files");
    expect(r.out).toContain("# homeops-ignore flux/unwired-app: <reason>");
  });

  it("lists every rule", async () => {
    const r = await run("explain", "--list");
    expect(r.code).toBe(ExitCode.Clean);
    expect(r.out.trim().split("\n")).toHaveLength(30);
    expect(r.out).toContain("storage/nfs-literal");
  });

  it("exits 2 on an unknown id, with suggestions", async () => {
    const r = await run("explain", "unwired-app");
    expect(r.code).toBe(ExitCode.Operational);
    expect(r.err).toContain("unknown rule id 'unwired-app'");
    expect(r.err).toContain("did you mean flux/unwired-app?");
  });
});
