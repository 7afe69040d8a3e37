import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkInvariants } from "../src/check.js";
import { readRepoFiles } from "../src/repo-files.js";
import { checkRepo, edit, FIXTURES, graphBuilder, removeDir, summarize, write } from "./fixture.js";

/**
 * Mutation tests on the sample repository itself (kubernetes/ at the root of this repo, rendered from
 * bootstrap/config.sample.yaml): a copy is changed in one way per rule, and the check must report exactly
 * that rule at the mutated file:line and nothing else.
 */

const REPO = new URL("../../../", import.meta.url).pathname;
const hasSample =
  existsSync(join(REPO, "kubernetes/flux")) && existsSync(join(REPO, "kubernetes/apps/games/romm/ks.yaml"));
const hasGraph = (await graphBuilder()) !== undefined;
if (!hasSample && process.env.CI)
  throw new Error(
    "the sample repo (kubernetes/apps/games/romm) is missing: cannot run the sample mutation tests",
  );

const LITERALS = [{ name: "cluster.domain", value: "home.example.dev", placeholder: "${SECRET_DOMAIN}" }];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeDir));
});

async function sample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-sample-"));
  dirs.push(dir);
  // bootstrap/config.yaml marks the repository as rendered by homeops: its conventions run
  for (const entry of ["kubernetes", ".sops.yaml", "Taskfile.yaml", ".taskfiles", "bootstrap/config.yaml"]) {
    if (existsSync(join(REPO, entry))) await cp(join(REPO, entry), join(dir, entry), { recursive: true });
  }
  return dir;
}

async function lineOf(root: string, file: string, text: string): Promise<number> {
  const lines = (await readFile(join(root, file), "utf8")).split("\n");
  const index = lines.findIndex((l) => l.includes(text));
  if (index === -1) throw new Error(`${file}: no line contains ${text}`);
  return index + 1;
}

const ROMM = "kubernetes/apps/games/romm";
const HR = `${ROMM}/app/helmrelease.yaml`;
const KS = `${ROMM}/ks.yaml`;
const APP_K = `${ROMM}/app/kustomization.yaml`;
const addResource = (r: string, entry: string) =>
  edit(r, APP_K, "  - ./helmrelease.yaml\n", `  - ./helmrelease.yaml\n  - ${entry}\n`);

interface Mutation {
  rule: string;
  mutate(root: string): Promise<void>;
  at: { file: string; line: string };
  count?: number;
}

const mutations: Mutation[] = [
  {
    rule: "flux/unwired-app",
    mutate: (r) => edit(r, "kubernetes/apps/games/kustomization.yaml", "  - ./romm/ks.yaml\n", ""),
    at: { file: "kubernetes/apps/games/kustomization.yaml", line: "resources:" },
  },
  {
    rule: "kustomize/missing-entry",
    mutate: (r) => addResource(r, "./missing.yaml"),
    at: { file: APP_K, line: "./missing.yaml" },
  },
  {
    rule: "flux/unreferenced-file",
    mutate: (r) =>
      write(
        r,
        `${ROMM}/app/configmap.yaml`,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: romm-extra\n",
      ),
    at: { file: `${ROMM}/app/configmap.yaml`, line: "---" },
  },
  {
    rule: "flux/path-invalid",
    mutate: (r) =>
      edit(r, KS, "path: ./kubernetes/apps/games/romm/app", "path: ./kubernetes/apps/games/romm/application"),
    at: { file: KS, line: "romm/application" },
  },
  {
    rule: "flux/missing-dependency",
    mutate: (r) => edit(r, KS, "  dependsOn:\n", "  dependsOn:\n    - name: postgres\n"),
    at: { file: KS, line: "- name: postgres" },
  },
  {
    rule: "flux/dependency-cycle",
    mutate: (r) =>
      edit(
        r,
        "kubernetes/apps/storage/volsync/ks.yaml",
        "spec:\n",
        "spec:\n  dependsOn:\n    - name: romm\n      namespace: games\n",
      ),
    at: { file: "kubernetes/apps/storage/volsync/ks.yaml", line: "- name: romm" },
    count: 2,
  },
  {
    rule: "flux/missing-source",
    mutate: (r) =>
      edit(
        r,
        HR,
        "    kind: OCIRepository\n    name: romm\n",
        "    kind: OCIRepository\n    name: romm-chart\n",
      ),
    at: { file: HR, line: "name: romm-chart" },
  },
  {
    rule: "flux/duplicate-object",
    mutate: async (r) => {
      await write(
        r,
        `${ROMM}/app/namespace.yaml`,
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: games\n",
      );
      await addResource(r, "./namespace.yaml");
    },
    at: { file: `${ROMM}/app/namespace.yaml`, line: "apiVersion" },
  },
  {
    rule: "placeholder/undefined-variable",
    mutate: (r) => edit(r, HR, "TZ: ${TIMEZONE}", "TZ: ${TIME_ZONE}"),
    at: { file: HR, line: "${TIME_ZONE}" },
  },
  {
    rule: "placeholder/invalid-variable-name",
    mutate: (r) =>
      edit(
        r,
        "kubernetes/components/common/cluster-settings.yaml",
        "\ndata:\n",
        "\ndata:\n  cluster-name: home\n",
      ),
    at: { file: "kubernetes/components/common/cluster-settings.yaml", line: "cluster-name: home" },
  },
  {
    rule: "secrets/plaintext-secret",
    mutate: async (r) => {
      await write(
        r,
        `${ROMM}/app/secret.yaml`,
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: romm-plain\nstringData:\n  TOKEN: hunter2\n",
      );
      await addResource(r, "./secret.yaml");
    },
    at: { file: `${ROMM}/app/secret.yaml`, line: "stringData:" },
  },
  {
    rule: "secrets/sops-unencrypted",
    mutate: async (r) => {
      await write(
        r,
        `${ROMM}/app/settings.sops.yaml`,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: romm-settings\ndata:\n  A: b\n",
      );
      await addResource(r, "./settings.sops.yaml");
    },
    at: { file: `${ROMM}/app/settings.sops.yaml`, line: "---" },
  },
  {
    rule: "secrets/sops-no-creation-rule",
    mutate: async (r) =>
      write(
        r,
        "secrets/github.sops.yaml",
        await readFile(join(FIXTURES, "repo/kubernetes/apps/games/romm/app/secret.sops.yaml"), "utf8"),
      ),
    at: { file: "secrets/github.sops.yaml", line: "apiVersion" },
  },
  {
    rule: "secrets/leaked-key",
    mutate: (r) =>
      edit(r, HR, "  interval: 1h\n", `  interval: 1h\n  # token: ${"ghp"}_${"a1B2".repeat(9)}\n`),
    at: { file: HR, line: "# token:" },
  },
  {
    rule: "placeholder/config-literal",
    mutate: (r) =>
      edit(r, HR, '"{{ .Release.Name }}.${SECRET_DOMAIN}"', '"{{ .Release.Name }}.home.example.dev"'),
    at: { file: HR, line: "home.example.dev" },
  },
  {
    rule: "storage/missing-claim",
    mutate: (r) => edit(r, HR, "existingClaim: romm\n", "existingClaim: romm-data\n"),
    at: { file: HR, line: "existingClaim: romm-data" },
  },
  {
    rule: "storage/unknown-mount-target",
    mutate: (r) =>
      edit(
        r,
        HR,
        "          romm:\n            app:\n              - path: /tmp\n",
        "          romm:\n            main:\n              - path: /tmp\n",
      ),
    at: { file: HR, line: "main:" },
  },
  {
    rule: "storage/nfs-literal",
    mutate: (r) => edit(r, HR, "server: ${NFS_SERVER}", "server: nas.internal"),
    at: { file: HR, line: "server: nas.internal" },
  },
  {
    rule: "storage/missing-storage-dependency",
    mutate: (r) =>
      edit(
        r,
        KS,
        "    - name: openebs\n      namespace: storage\n    - name: volsync\n      namespace: storage\n",
        "",
      ),
    at: { file: KS, line: "- name: external-secrets-stores" },
  },
  {
    rule: "externalsecret/missing-store",
    mutate: (r) => edit(r, `${ROMM}/app/externalsecret.yaml`, "name: vault", "name: vault-kv"),
    at: { file: `${ROMM}/app/externalsecret.yaml`, line: "name: vault-kv" },
  },
  {
    rule: "externalsecret/missing-secret",
    mutate: (r) => edit(r, HR, "name: romm-secret\n", "name: romm-secrets\n"),
    at: { file: HR, line: "name: romm-secrets" },
  },
  {
    rule: "externalsecret/missing-key",
    mutate: (r) =>
      edit(
        r,
        "kubernetes/apps/network/external-dns/app/helmrelease.yaml",
        "key: CF_API_TOKEN",
        "key: CF_TOKEN",
      ),
    at: { file: "kubernetes/apps/network/external-dns/app/helmrelease.yaml", line: "key: CF_TOKEN" },
  },
  {
    rule: "externalsecret/missing-store-dependency",
    mutate: (r) =>
      edit(r, KS, "    - name: external-secrets-stores\n      namespace: external-secrets\n", ""),
    at: { file: KS, line: "- name: openebs" },
  },
  {
    rule: "gitops/unreachable-manifest",
    mutate: (r) =>
      write(
        r,
        "kubernetes/bootstrap/extra.yaml",
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
      ),
    at: { file: "kubernetes/bootstrap/extra.yaml", line: "---" },
  },
  {
    rule: "gitops/kubectl-apply",
    mutate: (r) =>
      write(r, "scripts/apply-romm.sh", "#!/bin/sh\nkubectl apply -k kubernetes/apps/games/romm/app\n"),
    at: { file: "scripts/apply-romm.sh", line: "kubectl apply" },
  },
  {
    rule: "docs/stale-reference",
    mutate: (r) =>
      write(
        r,
        "docs/romm.md",
        "# romm\n\nWired in `kubernetes/apps/games/romm/ks.yaml`; values in `kubernetes/apps/games/romm/app/values.yaml`.\n",
      ),
    at: { file: "docs/romm.md", line: "values.yaml" },
  },
  {
    rule: "homeops/unused-suppression",
    mutate: (r) =>
      edit(
        r,
        HR,
        "        server: ${NFS_SERVER}\n",
        "        # homeops-ignore storage/nfs-literal: the NAS has a fixed name\n        server: ${NFS_SERVER}\n",
      ),
    at: { file: HR, line: "# homeops-ignore" },
  },
  {
    rule: "homeops/invalid-suppression",
    mutate: (r) =>
      edit(
        r,
        HR,
        "        server: ${NFS_SERVER}\n",
        "        server: ${NFS_SERVER} # homeops-ignore storage/nfs-literal\n",
      ),
    at: { file: HR, line: "# homeops-ignore" },
  },
];

describe.skipIf(!hasSample || !hasGraph)("the sample repo", () => {
  it("is clean as a whole (every tracked file, the real build): no findings, no suppressions", async () => {
    let paths: string[] | undefined;
    try {
      paths = execFileSync(
        "git",
        ["-C", REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        { encoding: "utf8" },
      )
        .split("\0")
        .filter((p) => p !== "");
    } catch {
      paths = undefined;
    }
    const files = await readRepoFiles(REPO, paths ? { paths } : {});
    const graph = await (await graphBuilder())!(REPO, { strict: false });
    const report = checkInvariants({ files, graph });
    expect(summarize(report.findings)).toEqual([]);
    expect(report.suppressed).toEqual([]);
    expect(report.rulesSkipped).toEqual([]);
  });

  it("copied, is clean", async () => {
    const report = await checkRepo(await sample(), { forbiddenLiterals: LITERALS });
    expect(summarize(report.findings)).toEqual([]);
  });

  for (const m of mutations) {
    it(`${m.rule}: one mutation, exactly this rule at the mutated line`, async () => {
      const root = await sample();
      await m.mutate(root);
      const report = await checkRepo(root, { forbiddenLiterals: LITERALS });
      const line = await lineOf(root, m.at.file, m.at.line);
      expect(summarize(report.findings).map((s) => s.replace(/:\d+ /, " "))).toEqual(
        Array.from({ length: m.count ?? 1 }, () =>
          expect.stringMatching(new RegExp(` ${m.rule.replace("/", "\\/")}$`)),
        ),
      );
      expect(summarize(report.findings)).toContainEqual(
        expect.stringMatching(new RegExp(`^${m.at.file.replaceAll(".", "\\.")}:${line}:`)),
      );
    });
  }

  it("covers every rule", async () => {
    const { listRules } = await import("../src/registry.js");
    const covered = new Set(mutations.map((m) => m.rule));
    expect(
      listRules().filter(
        (r) => !covered.has(r.id) && !["homeops/invalid-config", "homeops/rule-failed"].includes(r.id),
      ),
    ).toEqual([]);
  });
});
