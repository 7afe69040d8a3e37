import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { edit, write } from "./fixture.js";

/** The cluster config literal the fixture repos must keep as a placeholder. */
export const LITERALS = [{ name: "cluster.domain", value: "example.dev", placeholder: "${SECRET_DOMAIN}" }];

/** 1-based line of the first line of `file` that contains `text`. */
export async function lineOf(root: string, file: string, text: string): Promise<number> {
  const lines = (await readFile(join(root, file), "utf8")).split("\n");
  const index = lines.findIndex((l) => l.includes(text));
  if (index === -1) throw new Error(`${file}: no line contains ${text}`);
  return index + 1;
}

export interface Mutation {
  rule: string;
  graph: boolean;
  mutate(root: string): Promise<void>;
  /** Where the finding must be: file and the text of its line. */
  at: { file: string; line: string };
  /** How many findings (all of `rule`); default 1. */
  count?: number;
}

const ROMM = "kubernetes/apps/games/romm";
const HR = `${ROMM}/app/helmrelease.yaml`;
const KS = `${ROMM}/ks.yaml`;

/** One seeded violation per rule of the fixture repo (shaped like the sample). */
export const mutations: Mutation[] = [
  {
    rule: "flux/unwired-app",
    graph: false,
    mutate: (r) => edit(r, "kubernetes/apps/games/kustomization.yaml", "  - ./romm/ks.yaml\n", ""),
    at: { file: "kubernetes/apps/games/kustomization.yaml", line: "resources:" },
  },
  {
    rule: "kustomize/missing-entry",
    graph: false,
    mutate: (r) =>
      edit(
        r,
        `${ROMM}/app/kustomization.yaml`,
        "  - ./secret.sops.yaml\n",
        "  - ./secret.sops.yaml\n  - ./missing.yaml\n",
      ),
    at: { file: `${ROMM}/app/kustomization.yaml`, line: "./missing.yaml" },
  },
  {
    rule: "flux/unreferenced-file",
    graph: false,
    mutate: (r) =>
      write(
        r,
        `${ROMM}/app/configmap.yaml`,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: romm-extra\n",
      ),
    at: { file: `${ROMM}/app/configmap.yaml`, line: "---" },
  },
  {
    rule: "secrets/plaintext-secret",
    graph: false,
    mutate: async (r) => {
      await write(
        r,
        `${ROMM}/app/secret.yaml`,
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: romm-plain\nstringData:\n  TOKEN: hunter2\n",
      );
      await edit(
        r,
        `${ROMM}/app/kustomization.yaml`,
        "  - ./secret.sops.yaml\n",
        "  - ./secret.sops.yaml\n  - ./secret.yaml\n",
      );
    },
    at: { file: `${ROMM}/app/secret.yaml`, line: "stringData:" },
  },
  {
    rule: "secrets/sops-unencrypted",
    graph: false,
    mutate: async (r) => {
      await write(
        r,
        `${ROMM}/app/settings.sops.yaml`,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: romm-settings\ndata:\n  A: b\n",
      );
      await edit(
        r,
        `${ROMM}/app/kustomization.yaml`,
        "  - ./secret.sops.yaml\n",
        "  - ./secret.sops.yaml\n  - ./settings.sops.yaml\n",
      );
    },
    at: { file: `${ROMM}/app/settings.sops.yaml`, line: "---" },
  },
  {
    rule: "secrets/sops-no-creation-rule",
    graph: false,
    mutate: async (r) =>
      write(r, "bootstrap/github.sops.yaml", await readFile(join(r, `${ROMM}/app/secret.sops.yaml`), "utf8")),
    at: { file: "bootstrap/github.sops.yaml", line: "apiVersion" },
  },
  {
    rule: "secrets/leaked-key",
    graph: false,
    mutate: (r) =>
      edit(r, "Taskfile.yaml", "  check:\n", `  check:\n    # token: ${"ghp"}_${"a1B2".repeat(9)}\n`),
    at: { file: "Taskfile.yaml", line: "# token:" },
  },
  {
    rule: "placeholder/config-literal",
    graph: false,
    mutate: (r) => edit(r, HR, "          - romm.${SECRET_DOMAIN}", "          - romm.example.dev"),
    at: { file: HR, line: "- romm.example.dev" },
  },
  {
    rule: "storage/nfs-literal",
    graph: false,
    mutate: (r) => edit(r, HR, "server: ${NFS_SERVER}", "server: nas.internal"),
    at: { file: HR, line: "server: nas.internal" },
  },
  {
    rule: "gitops/kubectl-apply",
    graph: false,
    mutate: (r) =>
      edit(
        r,
        "Taskfile.yaml",
        "      - homeops check\n",
        "      - homeops check\n      - kubectl apply -f {{.KUBERNETES_DIR}}/apps/games/romm/app\n",
      ),
    at: { file: "Taskfile.yaml", line: "kubectl apply -f" },
  },
  {
    rule: "docs/stale-reference",
    graph: false,
    mutate: (r) =>
      edit(r, "docs/README.md", "`kubernetes/components/volsync`", "`kubernetes/components/volsinc`"),
    at: { file: "docs/README.md", line: "volsinc" },
  },
  {
    rule: "homeops/unused-suppression",
    graph: false,
    mutate: (r) =>
      edit(
        r,
        HR,
        "        server: ${NFS_SERVER}\n",
        "        # homeops-ignore storage/nfs-literal: the NAS name is fixed\n        server: ${NFS_SERVER}\n",
      ),
    at: { file: HR, line: "# homeops-ignore" },
  },
  {
    rule: "homeops/invalid-suppression",
    graph: false,
    mutate: (r) =>
      edit(
        r,
        HR,
        "        server: ${NFS_SERVER}\n",
        "        server: ${NFS_SERVER} # homeops-ignore storage/nfs-literal\n",
      ),
    at: { file: HR, line: "# homeops-ignore" },
  },
  {
    rule: "flux/path-invalid",
    graph: true,
    mutate: (r) =>
      edit(r, KS, "path: ./kubernetes/apps/games/romm/app", "path: ./kubernetes/apps/games/romm/application"),
    at: { file: KS, line: "path: ./kubernetes/apps/games/romm/application" },
  },
  {
    rule: "flux/missing-dependency",
    graph: true,
    mutate: (r) => edit(r, KS, "  dependsOn:\n", "  dependsOn:\n    - name: cert-manager\n"),
    at: { file: KS, line: "- name: cert-manager" },
  },
  {
    rule: "flux/dependency-cycle",
    graph: true,
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
    graph: true,
    mutate: (r) => edit(r, HR, "    name: app-template\n", "    name: app-templates\n"),
    at: { file: HR, line: "name: app-templates" },
  },
  {
    rule: "flux/duplicate-object",
    graph: true,
    mutate: async (r) => {
      await write(
        r,
        `${ROMM}/app/namespace.yaml`,
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: games\n",
      );
      await edit(
        r,
        `${ROMM}/app/kustomization.yaml`,
        "  - ./secret.sops.yaml\n",
        "  - ./secret.sops.yaml\n  - ./namespace.yaml\n",
      );
    },
    at: { file: `${ROMM}/app/namespace.yaml`, line: "apiVersion" },
  },
  {
    rule: "placeholder/undefined-variable",
    graph: true,
    mutate: (r) => edit(r, HR, "TZ: ${TIMEZONE}", "TZ: ${TIME_ZONE}"),
    at: { file: HR, line: "TZ: ${TIME_ZONE}" },
  },
  {
    rule: "placeholder/invalid-variable-name",
    graph: true,
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
    rule: "storage/missing-claim",
    graph: true,
    mutate: (r) => edit(r, HR, "existingClaim: romm\n", "existingClaim: romm-data\n"),
    at: { file: HR, line: "existingClaim: romm-data" },
  },
  {
    rule: "storage/unknown-mount-target",
    graph: true,
    mutate: (r) =>
      edit(r, HR, "              - path: /tmp\n", "            main:\n              - path: /tmp\n"),
    at: { file: HR, line: "main:" },
  },
  {
    rule: "storage/missing-storage-dependency",
    graph: true,
    mutate: (r) => edit(r, KS, "    - name: volsync\n      namespace: storage\n", ""),
    at: { file: KS, line: "- name: external-secrets-stores" },
  },
  {
    rule: "externalsecret/missing-store",
    graph: true,
    mutate: (r) => edit(r, `${ROMM}/app/externalsecret.yaml`, "name: vault", "name: vault-kv"),
    at: { file: `${ROMM}/app/externalsecret.yaml`, line: "name: vault-kv" },
  },
  {
    rule: "externalsecret/missing-secret",
    graph: true,
    mutate: (r) => edit(r, HR, "name: romm-secret\n", "name: romm-secrets\n"),
    at: { file: HR, line: "name: romm-secrets" },
  },
  {
    rule: "externalsecret/missing-key",
    graph: true,
    mutate: (r) =>
      edit(
        r,
        HR,
        "TZ: ${TIMEZONE}\n",
        "TZ: ${TIMEZONE}\n              DB: {valueFrom: {secretKeyRef: {name: romm-secret, key: DB_PASSWORD}}}\n",
      ),
    at: { file: HR, line: "key: DB_PASSWORD" },
  },
  {
    rule: "externalsecret/missing-store-dependency",
    graph: true,
    mutate: (r) =>
      edit(r, KS, "    - name: external-secrets-stores\n      namespace: external-secrets\n", ""),
    at: { file: KS, line: "- name: volsync" },
  },
  {
    rule: "gitops/unreachable-manifest",
    graph: true,
    mutate: (r) =>
      write(
        r,
        "kubernetes/bootstrap/extra.yaml",
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
      ),
    at: { file: "kubernetes/bootstrap/extra.yaml", line: "---" },
  },
];
