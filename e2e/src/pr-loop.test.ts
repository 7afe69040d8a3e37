// The pull-request loop against the real tools: the workflow and the composite action pass actionlint and
// the GitHub schemas check-jsonschema vendors; Renovate itself (extract-only, offline) finds every version
// of the template repository and its validator accepts the config; the action's step scripts run in order
// on a temporary clone with a real base branch. The tools come from `scripts/setup.sh --oracles`: under
// CI=true a missing one fails, elsewhere the test is skipped naming it.
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYaml } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { findTool, repoRoot, requireBuiltCli, run } from "./tools.js";

const WORKFLOW = ".github/workflows/homeops.yaml";
const ACTION = "packages/cli/action/action.yml";

/** The tool, or: a failure under CI, a skip naming the tool elsewhere. */
function tool(name: string): string | undefined {
  const path = findTool(name);
  if (!path && process.env.CI === "true")
    throw new Error(`${name} is not installed: run \`bash scripts/setup.sh --oracles\``);
  return path;
}
const itWith = (name: string) => (tool(name) ? it : it.skip);

describe("workflow and composite action", () => {
  itWith("actionlint")("actionlint accepts the workflow and the local action it uses (actionlint)", () => {
    const r = run(tool("actionlint")!, ["-no-color", WORKFLOW]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  itWith("check-jsonschema")("the GitHub workflow and action schemas accept them (check-jsonschema)", () => {
    const wf = run(tool("check-jsonschema")!, ["--builtin-schema", "vendor.github-workflows", WORKFLOW]);
    expect(wf.stdout + wf.stderr).toContain("ok -- validation done");
    expect(wf.code).toBe(0);
    const action = run(tool("check-jsonschema")!, ["--builtin-schema", "vendor.github-actions", ACTION]);
    expect(action.stdout + action.stderr).toContain("ok -- validation done");
    expect(action.code).toBe(0);
  });

  it("the action's step scripts run in order on a clone with a real base branch", async () => {
    const cli = requireBuiltCli();
    const action = parseYaml(await readFile(join(repoRoot, ACTION), "utf8"), { file: ACTION }).documents[0]!
      .value as {
      runs: { steps: { name: string; run?: string; env?: Record<string, string>; id?: string }[] };
    };
    const dir = await mkdtemp(join(tmpdir(), "homeops-workflow-"));
    try {
      const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" });
      execFileSync("git", ["clone", "-q", "--no-hardlinks", repoRoot, dir]);
      // the template repository as the pull request's base: origin/main is a real remote-tracking branch
      git("checkout", "-q", "-B", "main"); // whichever branch the clone starts on (main in CI)
      git("update-ref", "refs/remotes/origin/main", "HEAD");
      git("checkout", "-q", "-b", "renovate/grafana-10.x");
      const file = join(dir, "kubernetes/apps/observability/grafana/app/helmrelease.yaml");
      await writeFile(file, (await readFile(file, "utf8")).replace("version: 10.1.4", "version: 10.2.0"));
      git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam", "bump grafana");
      const homeops = join(dir, "homeops");
      await writeFile(homeops, `#!/bin/sh\nexec node "${cli}" "$@"\n`);
      await chmod(homeops, 0o755);
      const output = join(dir, "github-output");
      const ran: string[] = [];
      for (const step of action.runs.steps) {
        if (!step.run) continue; // uses: steps (upload, comment) talk to GitHub
        const env: Record<string, string> = {
          HOMEOPS: homeops,
          BASE: "origin/main",
          SETUP: "true",
          GITHUB_OUTPUT: output,
        };
        const r = run("bash", ["-e", "-c", step.run], { cwd: dir, env });
        ran.push(`${step.name}: ${r.code}`);
        if (step.name === "homeops talos validate")
          // the template repository commits no secrets bundle: the stage says it did not run
          expect(r.stdout).toContain("::notice::homeops talos validate not run");
        if (step.name === "Fail on check findings") continue;
        expect(r.code, `${step.name}\n${r.stdout}\n${r.stderr}`).toBe(0);
      }
      expect(ran.map((s) => s.split(":")[0])).toEqual([
        "Set up homeops",
        "homeops kubeconform",
        "homeops check",
        "homeops diff",
        "homeops talos validate",
        "Fail on check findings",
      ]);
      const sarif = JSON.parse(await readFile(join(dir, "homeops.sarif"), "utf8")) as { version: string };
      expect(sarif.version).toBe("2.1.0");
      const comment = await readFile(join(dir, "homeops-diff.md"), "utf8");
      expect(comment.startsWith("<!-- homeops-diff -->\n")).toBe(true);
      expect(comment).toContain('spec.chart.spec.version: "10.1.4" → "10.2.0"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

/** [manager, file, datasource, depName, currentValue] of every dependency a user expects Renovate to find. */
const EXPECTED: string[] = [
  // eta templates' versions, as annotated data
  "regex bootstrap/templates/versions.yaml helm grafana 10.1.4",
  "regex bootstrap/templates/versions.yaml docker ghcr.io/prometheus-community/charts/kube-prometheus-stack 79.7.1",
  "regex bootstrap/templates/versions.yaml helm external-dns 1.19.0",
  "regex bootstrap/templates/versions.yaml helm k8s-gateway 3.2.8",
  "regex bootstrap/templates/versions.yaml helm openebs 4.3.3",
  "regex bootstrap/templates/versions.yaml helm metrics-server 3.13.0",
  "regex bootstrap/templates/versions.yaml docker ghcr.io/bjw-s-labs/helm/app-template 4.4.1",
  "regex bootstrap/templates/versions.yaml docker ghcr.io/rommapp/romm 4.4.1",
  // Talos and Kubernetes in the config (and its sample)
  "regex bootstrap/config.yaml docker ghcr.io/siderolabs/installer v1.13.2",
  "regex bootstrap/config.yaml docker ghcr.io/siderolabs/kubelet v1.35.1",
  "regex bootstrap/config.sample.yaml docker ghcr.io/siderolabs/installer v1.13.2",
  "regex bootstrap/config.sample.yaml docker ghcr.io/siderolabs/kubelet v1.35.1",
  // tools
  "regex scripts/setup.sh go github.com/go-task/task/v3 v3.54.0",
  "regex scripts/setup.sh go github.com/yannh/kubeconform v0.8.0",
  "regex scripts/setup.sh go sigs.k8s.io/kustomize/kustomize/v5 v5.8.2",
  "regex scripts/setup.sh go github.com/getsops/sops/v3 v3.13.3",
  "regex scripts/setup.sh go github.com/rhysd/actionlint v1.7.7",
  "regex scripts/setup.sh pypi check-jsonschema 0.33.0",
  "regex scripts/setup.sh npm renovate 44.121.2",
  "github-actions .github/workflows/homeops.yaml github-tags actions/checkout v4",
  "github-actions .github/workflows/homeops.yaml github-tags actions/setup-node v4",
  "github-actions .github/workflows/homeops.yaml github-tags actions/setup-go v5",
];

/** Charts in the plain templates and in the rendered tree: the same chart in both places. */
const CHARTS: string[] = [
  "docker quay.io/jetstack/charts/cert-manager v1.19.1",
  "docker ghcr.io/external-secrets/charts/external-secrets 1.1.0",
  "docker ghcr.io/controlplaneio-fluxcd/charts/flux-instance 0.59.0",
  "docker ghcr.io/controlplaneio-fluxcd/charts/flux-operator 0.59.0",
  "docker ghcr.io/home-operations/charts-mirror/cilium 1.18.4",
  "docker ghcr.io/coredns/charts/coredns 1.45.0",
  "docker ghcr.io/stakater/charts/reloader 2.2.5",
  "docker mirror.gcr.io/envoyproxy/gateway-helm v1.6.0",
  "helm volsync 0.14.0",
];
/** Only rendered (their template is eta: the version comes from versions.yaml). */
const RENDERED_ONLY: string[] = [
  "helm grafana 10.1.4",
  "docker ghcr.io/prometheus-community/charts/kube-prometheus-stack 79.7.1",
  "helm external-dns 1.19.0",
  "helm k8s-gateway 3.2.8",
  "helm openebs 4.3.3",
  "helm metrics-server 3.13.0",
  "docker ghcr.io/bjw-s-labs/helm/app-template 4.4.1",
  "docker ghcr.io/rommapp/romm 4.4.1",
];

describe("Renovate (the real one, extract-only, offline)", () => {
  itWith("renovate-config-validator")("renovate-config-validator accepts .renovaterc.json5", () => {
    const r = run(tool("renovate-config-validator")!, ["--strict", ".renovaterc.json5"], {
      env: { RENOVATE_X_IGNORE_NODE_WARN: "true" },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  itWith("renovate")(
    "finds every chart, image, Talos/Kubernetes and tool version, template and rendered alike (renovate)",
    async () => {
      const base = await mkdtemp(join(tmpdir(), "homeops-renovate-"));
      try {
        const report = join(base, "report.json");
        const r = run(
          tool("renovate")!,
          [
            "--platform=local",
            "--dry-run=extract",
            "--onboarding=false",
            "--report-type=file",
            `--report-path=${report}`,
          ],
          { env: { RENOVATE_BASE_DIR: base, LOG_LEVEL: "warn", RENOVATE_X_IGNORE_NODE_WARN: "true" } },
        );
        expect(r.code, r.stdout + r.stderr).toBe(0);
        const data = JSON.parse(await readFile(report, "utf8")) as {
          repositories: Record<
            string,
            {
              packageFiles: Record<
                string,
                {
                  packageFile: string;
                  deps: { datasource?: string; depName?: string; currentValue?: string }[];
                }[]
              >;
            }
          >;
        };
        const found = new Set<string>();
        for (const repo of Object.values(data.repositories))
          for (const [manager, files] of Object.entries(repo.packageFiles))
            for (const f of files)
              for (const d of f.deps)
                found.add(`${manager} ${f.packageFile} ${d.datasource} ${d.depName} ${d.currentValue}`);
        const missing = EXPECTED.filter((e) => !found.has(e));
        expect(missing).toEqual([]);
        const where = (dep: string, prefix: string) =>
          [...found].some(
            (f) => f.startsWith("flux ") && f.split(" ")[1]!.startsWith(prefix) && f.endsWith(` ${dep}`),
          );
        // a template bump and its rendered file's: same datasource and depName, so one Renovate branch
        expect(CHARTS.filter((c) => !where(c, "bootstrap/templates/") || !where(c, "kubernetes/"))).toEqual(
          [],
        );
        expect(RENDERED_ONLY.filter((c) => !where(c, "kubernetes/"))).toEqual([]);
        for (const c of RENDERED_ONLY)
          expect(found.has(`regex bootstrap/templates/versions.yaml ${c}`), c).toBe(true);
        // no manager reads eta
        expect([...found].filter((f) => f.split(" ")[1]!.endsWith(".eta"))).toEqual([]);
      } finally {
        await rm(base, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
