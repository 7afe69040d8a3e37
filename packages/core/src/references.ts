// Names and patterns several packages must agree on: one definition each, so their rules cannot drift.

/** The file names kustomize reads as a directory's kustomization, in the order it tries them. */
export const KUSTOMIZATION_FILES: readonly string[] = [
  "kustomization.yaml",
  "kustomization.yml",
  "Kustomization",
];

/**
 * true for a kustomize entry that is not a local path: an http(s) URL, a go-getter (`git::`, `gh:`),
 * an ssh/scp-style git address, or a `github.com/…`-style repository (kustomize's remote forms).
 */
export function isRemoteReference(entry: string): boolean {
  return /^(https?:\/\/|git::|gh:|ssh:\/\/|git@|github\.com[:/]|gitlab\.com[:/]|bitbucket\.org[:/])/i.test(
    entry,
  );
}

/**
 * true for a file SOPS encrypts: `<name>.sops.yaml|yml|json|env|ini` (a template such as
 * `secret.sops.yaml.eta` is not one; its output is).
 */
export function isSopsPath(path: string): boolean {
  return /(^|\/)[^/]+\.sops\.(ya?ml|json|env|ini)$/.test(path);
}
