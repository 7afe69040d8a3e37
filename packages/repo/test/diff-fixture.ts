import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Fixed identity and dates: the fixture's commits have the same ids on every run (stable snapshots). */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "homeops test",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "homeops test",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { env: GIT_ENV, encoding: "utf8" });
}

export type Tree = Record<string, string | null>;

/** Writes `files` (null deletes) under `dir`. */
export async function writeTree(dir: string, files: Tree): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(dir, rel);
    if (text === null) {
      await rm(abs, { recursive: true, force: true });
      continue;
    }
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, text);
  }
}

const app = (name: string, image: string, tag: string, extra = "") => ({
  [`kubernetes/apps/default/${name}/ks.yaml`]: `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/apps/default/${name}/app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: default
`,
  [`kubernetes/apps/default/${name}/app/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
components:
  - ../../../../components/app-defaults
resources:
  - ./helmrelease.yaml
`,
  [`kubernetes/apps/default/${name}/app/helmrelease.yaml`]: `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: app-template
    namespace: flux-system
  values:
    controllers:
      main:
        containers:
          - name: app
            image:
              repository: ${image}
              tag: ${tag}
          - name: sidecar
            image:
              repository: ghcr.io/example/sidecar
              tag: 1.0.0
${extra}`,
});

/** A small home-ops repository: a cluster root with a parent patch, two apps, a shared component, a Secret. */
export function baseTree(): Tree {
  return {
    "kubernetes/flux/cluster/ks.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  patches:
    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: _
        spec:
          timeout: 5m
      target:
        kind: Kustomization
`,
    "kubernetes/apps/default/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ./namespace.yaml
  - ./echo/ks.yaml
  - ./whoami/ks.yaml
  - ./secrets/ks.yaml
`,
    "kubernetes/apps/default/namespace.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: default
`,
    "kubernetes/components/app-defaults/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
labels:
  - pairs:
      app.kubernetes.io/part-of: home
`,
    ...app("echo", "ghcr.io/example/echo", "1.0.0"),
    ...app("whoami", "ghcr.io/example/whoami", "2.0.0"),
    "kubernetes/apps/default/secrets/ks.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: secrets
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/apps/default/secrets/app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: default
`,
    "kubernetes/apps/default/secrets/app/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ./secret.yaml
`,
    "kubernetes/apps/default/secrets/app/secret.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: api-token
type: Opaque
stringData:
  token: base-token-value-s3cr3t
  user: admin-user-value
`,
  };
}

export const changes = {
  helmValue: {
    "kubernetes/apps/default/echo/app/helmrelease.yaml": app("echo", "ghcr.io/example/echo", "1.1.0")[
      "kubernetes/apps/default/echo/app/helmrelease.yaml"
    ]!,
  },
  addedApp: {
    ...app("ping", "ghcr.io/example/ping", "0.1.0"),
    "kubernetes/apps/default/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ./namespace.yaml
  - ./echo/ks.yaml
  - ./whoami/ks.yaml
  - ./secrets/ks.yaml
  - ./ping/ks.yaml
`,
  },
  removedApp: {
    "kubernetes/apps/default/whoami": null,
    "kubernetes/apps/default/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ./namespace.yaml
  - ./echo/ks.yaml
  - ./secrets/ks.yaml
`,
  },
  parentPatch: {
    "kubernetes/flux/cluster/ks.yaml": baseTree()["kubernetes/flux/cluster/ks.yaml"]!.replace(
      "timeout: 5m",
      "timeout: 10m",
    ),
  },
  component: {
    "kubernetes/components/app-defaults/kustomization.yaml": baseTree()[
      "kubernetes/components/app-defaults/kustomization.yaml"
    ]!.replace("part-of: home", "part-of: homelab"),
  },
  secret: {
    "kubernetes/apps/default/secrets/app/secret.yaml": baseTree()
      ["kubernetes/apps/default/secrets/app/secret.yaml"]!.replace(
        "base-token-value-s3cr3t",
        "head-token-value-t0ps3cr3t",
      )
      .replace("  user: admin-user-value\n", "  user: admin-user-value\n  extra: added-value-hush\n"),
  },
} satisfies Record<string, Tree>;

/** Secret values of the fixture: no output may contain them. */
export const SECRET_VALUES = [
  "base-token-value-s3cr3t",
  "head-token-value-t0ps3cr3t",
  "admin-user-value",
  "added-value-hush",
];

/**
 * A Git repository with the base tree committed on `main`, a `pr` branch tracking it, and `change`
 * written to the work tree (uncommitted, or committed on `pr` with `commit`).
 */
export async function fixtureRepo(change: Tree, options: { commit?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-diff-test-"));
  git(dir, "init", "-q", "-b", "main");
  await writeTree(dir, baseTree());
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "base");
  git(dir, "checkout", "-q", "-b", "pr");
  await writeTree(dir, change);
  if (options.commit) {
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "change");
  }
  return dir;
}
