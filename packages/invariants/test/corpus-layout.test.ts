import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareWithBaseline, createBaseline, formatBaseline, parseBaseline } from "../src/baseline.js";
import { findRule } from "../src/registry.js";
import { checkRepo, copyFixture, edit, graphBuilder, removeDir, summarize, write } from "./fixture.js";
import { LITERALS, lineOf, mutations } from "./mutations.js";

/**
 * The fixture repo reshaped like the development corpus' repositories (cluster-template lineage, not
 * rendered by homeops): no bootstrap/config.yaml, a helmfile bootstrap that installs the secret store's
 * credentials with 1Password references, non-manifest files beside the manifests, a disabled app whose entry
 * is commented out, operator-created Secrets and PVCs, a PEM header in a script. It must be clean, and every
 * seeded violation of an invariant (the rules that run in every repository) must still be found.
 */

const hasGraph = (await graphBuilder()) !== undefined;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeDir));
});

const GAMES = "kubernetes/apps/games";
const APP = `${GAMES}/romm/app`;

async function corpusShaped(): Promise<string> {
  const root = await copyFixture("repo");
  dirs.push(root);
  await rm(join(root, "bootstrap/config.yaml"));
  await write(
    root,
    "bootstrap/helmfile.yaml",
    "releases:\n  - name: cilium\n    namespace: kube-system\n    chart: oci://ghcr.io/home-operations/charts-mirror/cilium\n",
  );
  await write(
    root,
    "bootstrap/resources.yaml.j2",
    [
      "---",
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: onepassword-secret",
      "  namespace: external-secrets",
      "stringData:",
      "  token: op://kubernetes/1password/OP_CONNECT_TOKEN",
      "",
    ].join("\n"),
  );
  await write(
    root,
    "scripts/check-key.sh",
    `#!/bin/sh\ngrep -q "-----BEGIN ${"OPENSSH"} PRIVATE KEY-----" "$1"\n`,
  );
  // a disabled app: its entry is commented out
  await edit(
    root,
    `${GAMES}/kustomization.yaml`,
    "  - ./romm/ks.yaml\n",
    "  - ./romm/ks.yaml\n  # - ./retired/ks.yaml\n",
  );
  await write(
    root,
    `${GAMES}/retired/ks.yaml`,
    "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: retired\nspec:\n  interval: 1h\n  path: ./kubernetes/apps/games/retired/app\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
  );
  // inputs of other tools beside the manifests
  await write(root, `${APP}/values.yaml`, "image:\n  tag: 1.0.0\n");
  await write(root, `${APP}/config/app.yml`, "server:\n  port: 8080\n");
  await write(root, `${APP}/prometheusrule_test.yaml`, "rule_files: [prometheusrule.yaml]\ntests: []\n");
  await write(root, `${APP}/repair.sh`, "#!/bin/sh\necho repair\n");
  return root;
}

/**
 * Secrets and PVCs that operators create at runtime: known producers count as present, an unknown operator's
 * custom resource of a matching name makes the finding an `info` "cannot tell".
 */
async function withRuntimeProducers(root: string): Promise<void> {
  await write(
    root,
    `${APP}/runtime.yaml`,
    [
      "---",
      "apiVersion: talos.dev/v1alpha1",
      "kind: ServiceAccount",
      "metadata:",
      "  name: romm-talos",
      "spec:",
      "  roles: [os:reader]",
      "---",
      "apiVersion: objectbucket.io/v1alpha1",
      "kind: ObjectBucketClaim",
      "metadata:",
      "  name: romm-bucket",
      "spec:",
      "  bucketName: romm",
      "---",
      "apiVersion: grafana.integreatly.org/v1beta1",
      "kind: Grafana",
      "metadata:",
      "  name: romm-grafana",
      "spec:",
      "  persistentVolumeClaim:",
      "    spec:",
      "      resources: {requests: {storage: 1Gi}}",
      "---",
      "apiVersion: pgmqtt.io/v1alpha1",
      "kind: User",
      "metadata:",
      "  name: romm-mqtt",
      "",
    ].join("\n"),
  );
  await edit(
    root,
    `${APP}/kustomization.yaml`,
    "  - ./secret.sops.yaml\n",
    "  - ./secret.sops.yaml\n  - ./runtime.yaml\n",
  );
  await edit(
    root,
    `${APP}/helmrelease.yaml`,
    "    persistence:\n",
    [
      "    persistence:",
      "      talos:",
      "        type: secret",
      "        name: romm-talos",
      "      bucket:",
      "        type: secret",
      "        name: romm-bucket",
      "      dashboards:",
      "        existingClaim: romm-grafana-pvc",
      "      mqtt:",
      "        type: secret",
      "        name: romm-mqtt-credentials",
      "",
    ].join("\n"),
  );
}

describe("a repository shaped like the corpus' (not rendered by homeops)", () => {
  it.skipIf(!hasGraph)("is clean, and the homeops conventions do not run", async () => {
    const root = await corpusShaped();
    const report = await checkRepo(root, { forbiddenLiterals: LITERALS });
    expect(summarize(report.findings)).toEqual([]);
    expect(report.rulesSkipped.map((r) => r.id)).toEqual(
      expect.arrayContaining(["storage/nfs-literal", "externalsecret/missing-store-dependency"]),
    );
  });

  it.skipIf(!hasGraph)(
    "knows what operators create at runtime, and says 'cannot tell' for unknown ones",
    async () => {
      const root = await corpusShaped();
      await withRuntimeProducers(root);
      const report = await checkRepo(root, { forbiddenLiterals: LITERALS });
      expect(report.findings.map((f) => `${f.severity} ${f.ruleId} ${f.message.slice(-14)}`)).toEqual([
        "info externalsecret/missing-secret ): cannot tell",
      ]);
      expect(report.findings[0]?.message).toContain("User games/romm-mqtt may");
    },
  );

  it.skipIf(!hasGraph)(
    "a Secret another release's chart may write (its values name it, not as a reference) is 'cannot tell', not an error",
    async () => {
      const root = await corpusShaped();
      await write(
        root,
        `${APP}/cronjob.yaml`,
        [
          "---",
          "apiVersion: batch/v1",
          "kind: CronJob",
          "metadata:",
          "  name: access-policy",
          "spec:",
          "  schedule: '@daily'",
          "  jobTemplate:",
          "    spec:",
          "      template:",
          "        spec:",
          "          restartPolicy: OnFailure",
          "          containers:",
          "            - name: apply",
          "              image: busybox:1.37",
          "          volumes:",
          "            - name: sa",
          "              secret:",
          "                secretName: romm-admin-sa",
          "",
        ].join("\n"),
      );
      await edit(
        root,
        `${APP}/kustomization.yaml`,
        "  - ./secret.sops.yaml\n",
        "  - ./secret.sops.yaml\n  - ./cronjob.yaml\n",
      );
      const errorBefore = await checkRepo(root, { forbiddenLiterals: LITERALS });
      expect(errorBefore.findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual([
        "error externalsecret/missing-secret",
      ]);
      // the release's chart creates a machine user's Secret named after a value (zitadel's Machine.Username)
      await edit(
        root,
        `${APP}/helmrelease.yaml`,
        "    persistence:\n",
        "    admin:\n      Username: romm-admin-sa\n    persistence:\n",
      );
      const report = await checkRepo(root, { forbiddenLiterals: LITERALS });
      expect(report.findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual([
        "info externalsecret/missing-secret",
      ]);
      expect(report.findings[0]?.message).toMatch(/HelmRelease games\/romm may .*cannot tell/);
    },
  );

  const invariants = mutations.filter(
    (m) => findRule(m.rule)?.kind === "invariant" && !m.rule.startsWith("homeops/"),
  );
  for (const m of invariants) {
    it.skipIf(m.graph && !hasGraph)(
      `${m.rule}: one mutation, exactly this rule at the mutated line`,
      async () => {
        const root = await corpusShaped();
        await m.mutate(root);
        const report = await checkRepo(root, { forbiddenLiterals: LITERALS });
        const line = await lineOf(root, m.at.file, m.at.line);
        expect(summarize(report.findings).map((s) => s.replace(/:\d+ /, " "))).toEqual(
          Array.from({ length: m.count ?? 1 }, () =>
            expect.stringMatching(new RegExp(` ${m.rule.replace("/", "\\/")}$`)),
          ),
        );
        expect(report.findings.some((f) => f.file === m.at.file && f.line === line)).toBe(true);
      },
    );
  }

  it("runs the mutation of every invariant", () => {
    expect(invariants.length).toBeGreaterThanOrEqual(15);
  });
});

describe("baseline round trip", () => {
  it.skipIf(!hasGraph)("write, edit unrelated files: 0 new; add one violation: exactly 1 new", async () => {
    const root = await corpusShaped();
    // the repository adopts homeops with findings it cannot fix today
    await write(
      root,
      `${APP}/stray.yaml`,
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n",
    );
    await edit(
      root,
      `${APP}/kustomization.yaml`,
      "  - ./secret.sops.yaml\n",
      "  - ./secret.sops.yaml\n  - ./missing.yaml\n",
    );
    const before = await checkRepo(root, { forbiddenLiterals: LITERALS });
    expect(before.findings.length).toBeGreaterThanOrEqual(2);
    const baseline = parseBaseline(formatBaseline(createBaseline(before.findings)));

    // unrelated edits: lines move above the findings, another file changes
    await edit(root, `${APP}/kustomization.yaml`, "resources:\n", "# reordered by hand\n\nresources:\n");
    await write(
      root,
      `${APP}/stray.yaml`,
      "# kept for later\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n",
    );
    await edit(root, "Taskfile.yaml", "  check:\n", "  lint:\n    cmds: [echo lint]\n  check:\n");
    const unrelated = compareWithBaseline(
      (await checkRepo(root, { forbiddenLiterals: LITERALS })).findings,
      baseline,
    );
    expect(unrelated.newCount).toBe(0);
    expect(unrelated.fixedCount).toBe(0);

    // one new violation
    await edit(
      root,
      `${APP}/kustomization.yaml`,
      "  - ./missing.yaml\n",
      "  - ./missing.yaml\n  - ./also-missing.yaml\n",
    );
    const after = compareWithBaseline(
      (await checkRepo(root, { forbiddenLiterals: LITERALS })).findings,
      baseline,
    );
    expect(after.newCount).toBe(1);
    expect(after.findings.filter((f) => f.baselineState === "new").map((f) => f.message)).toEqual([
      expect.stringContaining("also-missing.yaml"),
    ]);
  });
});
