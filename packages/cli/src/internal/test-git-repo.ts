import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Fixed identity and dates: the commits get the same ids on every run, so snapshots are stable. */
export const GIT_ENV = {
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
  return execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, ...GIT_ENV }, encoding: "utf8" });
}

/** repo-relative path → text; null removes it */
export type Tree = Record<string, string | null>;

export async function writeTree(dir: string, files: Tree): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(dir, rel);
    if (text === null) await rm(abs, { recursive: true, force: true });
    else {
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, text);
    }
  }
}

/** A git repository: `base` committed on `main`, then branch `pr` with `head` written (committed when asked). */
export async function gitRepo(base: Tree, head: Tree, options: { commit?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-cli-diff-"));
  git(dir, "init", "-q", "-b", "main");
  await writeTree(dir, base);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "base");
  git(dir, "checkout", "-q", "-b", "pr");
  await writeTree(dir, head);
  if (options.commit) {
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "change");
  }
  return dir;
}

const ks = (name: string, path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1h
  path: ${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: default
`;

const release = (name: string, tag: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
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
    image:
      repository: ghcr.io/example/${name}
      tag: ${tag}
`;

const app = (name: string, tag: string): Tree => ({
  [`kubernetes/apps/default/${name}/ks.yaml`]: ks(name, `./kubernetes/apps/default/${name}/app`),
  [`kubernetes/apps/default/${name}/app/kustomization.yaml`]:
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmrelease.yaml\n",
  [`kubernetes/apps/default/${name}/app/helmrelease.yaml`]: release(name, tag),
});

const list = (names: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${names.map((n) => `  - ./${n}/ks.yaml\n`).join("")}`;

const secret = (token: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-token\ntype: Opaque\nstringData:\n  token: ${token}\n`;

/** A small home-ops repository (cluster root, apps echo/whoami, a Secret). */
export const DIFF_BASE: Tree = {
  "kubernetes/flux/cluster/ks.yaml": ks("cluster-apps", "./kubernetes/apps").replace(
    "  targetNamespace: default\n",
    "",
  ),
  "kubernetes/apps/default/kustomization.yaml": list(["echo", "whoami", "secrets"]),
  ...app("echo", "1.0.0"),
  ...app("whoami", "2.0.0"),
  "kubernetes/apps/default/secrets/ks.yaml": ks("secrets", "./kubernetes/apps/default/secrets/app"),
  "kubernetes/apps/default/secrets/app/kustomization.yaml":
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./secret.yaml\n",
  "kubernetes/apps/default/secrets/app/secret.yaml": secret("base-secret-value"),
};

/** The pull request: echo's tag bumped, whoami removed, ping added, the Secret's token changed. */
export const DIFF_HEAD: Tree = {
  "kubernetes/apps/default/kustomization.yaml": list(["echo", "ping", "secrets"]),
  "kubernetes/apps/default/echo/app/helmrelease.yaml": release("echo", "1.1.0"),
  "kubernetes/apps/default/whoami": null,
  ...app("ping", "0.1.0"),
  "kubernetes/apps/default/secrets/app/secret.yaml": secret("head-secret-value"),
};

/** Many apps whose tags all change: a diff larger than any comment budget. */
export function manyApps(n: number, tag: string): Tree {
  const names = Array.from({ length: n }, (_, i) => `app${String(i).padStart(3, "0")}`);
  return {
    "kubernetes/apps/default/kustomization.yaml": list(names),
    ...Object.assign({}, ...names.map((name) => app(name, tag))),
  };
}
