import { copyFile, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkRepo,
  copyFixture,
  edit,
  FIXTURES,
  graphBuilder,
  removeDir,
  summarize,
  write,
} from "./fixture.js";

/** `file:line:col` of the first occurrence of `needle` in a file of the repo. */
async function at(root: string, file: string, needle: string): Promise<string> {
  const lines = (await readFile(join(root, file), "utf8")).split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  return `${file}:${line + 1}:${lines[line]!.indexOf(needle) + 1}`;
}

/**
 * The patterns real home-ops repos use must not produce findings. Each case shows the pattern is really
 * exercised (the rule ran and saw it) and, where it makes sense, that the same rule fires once the pattern
 * is broken — so the clean result is not a rule that never looks.
 */

const hasGraph = (await graphBuilder()) !== undefined;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeDir));
});
async function fixture(): Promise<string> {
  const root = await copyFixture("repo");
  dirs.push(root);
  return root;
}

const ROMM = "kubernetes/apps/games/romm";
const HR = `${ROMM}/app/helmrelease.yaml`;

/** Adds `deployment.yaml` to the romm app: `documents` first, then a Deployment romm-worker with `containers`. */
async function addWorker(root: string, containers: string[], documents: string[] = []): Promise<void> {
  const deployment = [
    "---",
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: romm-worker",
    "spec:",
    "  selector:",
    "    matchLabels: {app: romm-worker}",
    "  template:",
    "    metadata:",
    "      labels: {app: romm-worker}",
    "    spec:",
    "      containers:",
  ];
  await write(
    root,
    `${ROMM}/app/deployment.yaml`,
    [...documents, ...deployment, ...containers, ""].join("\n"),
  );
  await edit(
    root,
    `${ROMM}/app/kustomization.yaml`,
    "  - ./helmrelease.yaml\n",
    "  - ./helmrelease.yaml\n  - ./deployment.yaml\n",
  );
}

describe.skipIf(!hasGraph)("no false positives", () => {
  it("a component that creates the PVC from ${APP} (with ${VOLSYNC_CLAIM:-${APP}} and ${VOLSYNC_CAPACITY:=5Gi})", async () => {
    const root = await fixture();
    const report = await checkRepo(root);
    expect(summarize(report.findings)).toEqual([]);
    expect(report.rulesRun).toEqual(
      expect.arrayContaining(["storage/missing-claim", "placeholder/undefined-variable"]),
    );
    // the claim romm exists only after build + substitution of the component
    const build = (await graphBuilder())!;
    const graph = await build(root, { strict: false });
    const pvc = graph.objects.find((o) => o.kind === "PersistentVolumeClaim");
    expect(pvc).toMatchObject({
      name: "romm",
      namespace: "games",
      provenance: { file: "kubernetes/components/volsync/pvc.yaml" },
    });
    expect(
      (pvc!.object as { spec: { resources: { requests: { storage: string } } } }).spec.resources.requests
        .storage,
    ).toBe("20Gi");
  });

  it("an empty existingClaim (a chart's value left blank) names no claim", async () => {
    const root = await fixture();
    await edit(root, HR, "existingClaim: romm\n", 'existingClaim: ""\n');
    const report = await checkRepo(root);
    expect(report.rulesRun).toContain("storage/missing-claim");
    expect(summarize(report.findings).filter((f) => f.includes("storage/missing-claim"))).toEqual([]);
    // and a name that no PVC has is still reported
    await edit(root, HR, 'existingClaim: ""\n', "existingClaim: romm-data\n");
    expect(summarize((await checkRepo(root)).findings).some((f) => f.includes("storage/missing-claim"))).toBe(
      true,
    );
  });

  it("ExternalSecrets with dataFrom.extract produce their target Secret for consumers", async () => {
    const root = await fixture();
    await addWorker(root, [
      "        - name: worker",
      "          image: ghcr.io/rommapp/romm:4.1.0",
      "          envFrom:",
      "            - secretRef:",
      "                name: cluster-secrets",
      "          env:",
      "            - name: DB_PASSWD",
      "              valueFrom:",
      "                secretKeyRef:",
      "                  name: romm-secret",
      "                  key: DB_PASSWD",
    ]);
    expect(summarize((await checkRepo(root)).findings)).toEqual([]);
    await edit(root, `${ROMM}/app/deployment.yaml`, "name: cluster-secrets", "name: cluster-secret");
    expect(summarize((await checkRepo(root)).findings)).toEqual([
      `${await at(root, `${ROMM}/app/deployment.yaml`, "cluster-secret")} externalsecret/missing-secret`,
    ]);
  });

  it("secretKeyRef keys: checked only where every key of the Secret is written down", async () => {
    const root = await fixture();
    const es = (name: string, spec: string) =>
      `---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: ${name}\nspec:\n  secretStoreRef: {kind: ClusterSecretStore, name: vault}\n${spec}`;
    const ref = (name: string, key: string, extra = "") =>
      `            - {name: ${key}, valueFrom: {secretKeyRef: {name: ${name}, key: ${key}${extra}}}}`;
    await addWorker(
      root,
      [
        "        - name: worker",
        "          image: ghcr.io/rommapp/romm:4.1.0",
        "          env:",
        ref("romm-secret", "DB_PASSWD"),
        ref("romm-secret", "NOT_THERE", ", optional: true"),
        ref("romm-extra", "ANY_KEY"),
        ref("romm-merged", "OTHER_KEY"),
      ],
      [
        es("romm-extra", "  target: {name: romm-extra}\n  dataFrom:\n    - extract: {key: romm}\n"),
        es(
          "romm-merged",
          "  target: {name: romm-merged, creationPolicy: Merge}\n  data:\n    - {secretKey: A, remoteRef: {key: romm}}\n",
        ),
      ],
    );
    expect(summarize((await checkRepo(root)).findings)).toEqual([]);
    await edit(root, `${ROMM}/app/deployment.yaml`, "key: DB_PASSWD", "key: DB_PASSWORD");
    expect(summarize((await checkRepo(root)).findings)).toEqual([
      `${await at(root, `${ROMM}/app/deployment.yaml`, "DB_PASSWORD}")} externalsecret/missing-key`,
    ]);
  });

  it("a finding reached through a YAML alias (envFrom: *envFrom) is located at the alias", async () => {
    const root = await fixture();
    await addWorker(root, [
      "        - name: worker",
      "          image: ghcr.io/rommapp/romm:4.1.0",
      "          envFrom: &envFrom",
      "            - secretRef:",
      "                name: cluster-secrets",
      "        - name: sidecar",
      "          image: ghcr.io/rommapp/romm:4.1.0",
      "          envFrom: *envFrom",
    ]);
    expect(summarize((await checkRepo(root)).findings)).toEqual([]);
    await edit(root, `${ROMM}/app/deployment.yaml`, "name: cluster-secrets", "name: cluster-secret");
    expect(summarize((await checkRepo(root)).findings)).toEqual([
      `${await at(root, `${ROMM}/app/deployment.yaml`, "cluster-secret")} externalsecret/missing-secret`,
      `${await at(root, `${ROMM}/app/deployment.yaml`, "*envFrom")} externalsecret/missing-secret`,
    ]);
  });

  it("Secrets that operators write: a CloudNativePG cluster's -app secret, a cert-manager Certificate's secret", async () => {
    const root = await fixture();
    await write(
      root,
      `${ROMM}/app/database.yaml`,
      [
        "---",
        "apiVersion: postgresql.cnpg.io/v1",
        "kind: Cluster",
        "metadata:",
        "  name: romm-db",
        "spec:",
        "  instances: 1",
        "  storage:",
        "    size: 5Gi",
        "---",
        "apiVersion: cert-manager.io/v1",
        "kind: Certificate",
        "metadata:",
        "  name: romm-tls",
        "spec:",
        "  secretName: romm-tls",
        "  dnsNames: [romm.internal]",
        "  issuerRef: {kind: ClusterIssuer, name: internal}",
        "",
      ].join("\n"),
    );
    await edit(
      root,
      `${ROMM}/app/kustomization.yaml`,
      "  - ./helmrelease.yaml\n",
      "  - ./helmrelease.yaml\n  - ./database.yaml\n",
    );
    await edit(
      root,
      HR,
      "              - secretRef:\n                  name: romm-igdb\n",
      "              - secretRef:\n                  name: romm-igdb\n              - secretRef:\n                  name: romm-db-app\n",
    );
    await edit(
      root,
      HR,
      "      tmp:\n",
      "      tls:\n        type: secret\n        name: romm-tls\n      tmp:\n",
    );
    expect(summarize((await checkRepo(root)).findings)).toEqual([]);
    await edit(root, HR, "name: romm-db-app", "name: romm-db-application");
    expect(summarize((await checkRepo(root)).findings)).toEqual([
      `${await at(root, HR, "romm-db-application")} externalsecret/missing-secret`,
    ]);
  });

  it("Helm and ExternalSecret {{ }} templates pass through untouched", async () => {
    const root = await fixture();
    await edit(
      root,
      HR,
      "    persistence:\n",
      '    secrets:\n      existingSecret: "{{ .Release.Name }}-secret"\n    persistence:\n',
    );
    const report = await checkRepo(root);
    expect(summarize(report.findings)).toEqual([]);
  });

  it("SOPS-encrypted cluster-secrets: their keys are readable and count as variables", async () => {
    const root = await fixture();
    await rm(join(root, "kubernetes/components/common/cluster-secrets.yaml"));
    await copyFile(
      join(FIXTURES, "sops-cluster-secrets/cluster-secrets.sops.yaml"),
      join(root, "kubernetes/components/common/cluster-secrets.sops.yaml"),
    );
    await edit(
      root,
      "kubernetes/components/common/kustomization.yaml",
      "./cluster-secrets.yaml",
      "./cluster-secrets.sops.yaml",
    );
    // the store itself no longer needs a dependency from cluster-apps, and ${SECRET_DOMAIN} is a declared key
    expect(summarize((await checkRepo(root)).findings)).toEqual([]);
    // with declared keys (not an open-ended ExternalSecret) a typo is caught
    await edit(
      root,
      HR,
      "ROMM_BASE_URL: https://romm.${SECRET_DOMAIN}",
      "ROMM_BASE_URL: https://romm.${SECRET_DOMAINS}",
    );
    expect(summarize((await checkRepo(root)).findings)).toEqual([
      `${await at(root, HR, "${SECRET_DOMAINS}")} placeholder/undefined-variable`,
    ]);
  });

  it("parent-patched child Kustomizations: sourceRef namespace and substituteFrom come from cluster-apps' patches", async () => {
    const root = await fixture();
    const build = (await graphBuilder())!;
    const graph = await build(root, { strict: false });
    const romm = graph.kustomizations.find((k) => k.name === "romm")!;
    expect(romm.sourceRef).toEqual({ kind: "GitRepository", name: "flux-system", namespace: "flux-system" });
    expect(JSON.stringify(romm.spec)).toContain("cluster-settings");
    expect(summarize((await checkRepo(root)).findings)).toEqual([]);
    // without the parent's patch the child has no substituteFrom: ${TIMEZONE} is then undefined
    await edit(
      root,
      "kubernetes/flux/cluster/ks.yaml",
      "              - kind: ConfigMap\n                name: cluster-settings\n",
      "",
    );
    const broken = summarize((await checkRepo(root)).findings);
    expect(broken).toContain(`${await at(root, HR, "${TIMEZONE}")} placeholder/undefined-variable`);
    expect(broken.every((f) => f.endsWith("placeholder/undefined-variable"))).toBe(true);
  });
});
