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

/**
 * true when a file's text was written by SOPS: its MAC is present and encrypted (`mac: ENC[…]` under
 * `sops:` in YAML, `"mac": "ENC[…"` in JSON, `sops_mac=ENC[…]` in dotenv, `mac = ENC[…]` under `[sops]` in
 * ini). The MAC, not just a `sops` key, is required: a plaintext file mistaken for an encrypted one would
 * stay in Git unencrypted.
 */
export function isSopsEncryptedText(text: string): boolean {
  if (/^sops:\s*$/m.test(text) && /^\s+mac: *["']?ENC\[/m.test(text)) return true;
  if (/"sops"\s*:\s*\{/.test(text) && /"mac"\s*:\s*"ENC\[/.test(text)) return true;
  if (/^\[sops\]\s*$/m.test(text) && /^mac\s*=\s*ENC\[/m.test(text)) return true;
  return /^sops_mac=ENC\[/m.test(text);
}

/** true for a parsed YAML/JSON document carrying SOPS metadata with an encrypted MAC. */
export function hasSopsMetadata(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const sops = (value as { sops?: unknown }).sops;
  if (typeof sops !== "object" || sops === null) return false;
  const mac = (sops as { mac?: unknown }).mac;
  return typeof mac === "string" && mac.startsWith("ENC[");
}
