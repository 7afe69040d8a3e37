import { posix } from "node:path";
import { hasSopsMetadata, isEncryptedValue, isSopsEncryptedText, isSopsPath } from "../internal/sops.js";
import { entries, field, isRecord, list, positionAt, str } from "../internal/text.js";
import type { RepoFiles } from "../repo-files.js";
import type { Rule, RuleHit } from "../rule.js";

const yamlFiles = (files: RepoFiles) => files.paths().filter((p) => /\.ya?ml$/.test(p));

/**
 * Values that expose nothing: empty, a secret-manager reference resolved elsewhere (1Password `op://`,
 * Vault `vault:`/`<path:…>`, vals `ref+…`, AWS/GCP/Azure/Bitwarden/Doppler URIs), a `${VAR}` placeholder
 * or a `{{ }}` template.
 */
const REFERENCE =
  /^\s*(op:\/\/|vault:|<path:|ref\+[a-z0-9]+:\/\/|awssm:|gcpsm:|azkv:|bw:|doppler:|\$\{[^}]+\}\s*$|\{\{.*\}\}\s*$)/;

function isReference(value: unknown, section: string): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (typeof value !== "string") return false;
  const text = section === "data" ? decodeBase64(value) : value;
  return text.trim() === "" || REFERENCE.test(text);
}

function decodeBase64(value: string): string {
  return /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, "base64").toString("utf8") : value;
}

export const plaintextSecret: Rule = {
  id: "secrets/plaintext-secret",
  title: "Secret with data/stringData that is not SOPS-encrypted",
  severity: "error",
  needs: "files",
  kind: "invariant",
  rationale:
    "A Secret committed in plaintext leaks its values to everyone who can read the repository, forever (Git keeps history).",
  hint: "move the values to the secret store and use an ExternalSecret, or encrypt the file with SOPS (name it *.sops.yaml)",
  docs: `Checks every YAML document of kind Secret (core v1) in the repository: when it has non-empty \`data\` or
\`stringData\`, the document must carry SOPS metadata (\`sops:\`) and every value must be an \`ENC[…]\`
ciphertext. Secrets without values (e.g. a service-account token Secret) pass, and so do empty values,
\`\${VAR}\` placeholders, \`{{ }}\` templates and secret-manager references resolved at apply time
(1Password \`op://…\`, Vault \`vault:…\` / \`<path:…>\`, vals \`ref+…://\`, \`awssm:\`, \`gcpsm:\`, \`azkv:\`, \`bw:\`, \`doppler:\`).`,
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const file of yamlFiles(ctx.files)) {
      const text = ctx.files.text(file);
      if (!text || !/^kind:\s*Secret\s*$/m.test(text)) continue;
      for (const doc of ctx.files.yaml(file)?.documents ?? []) {
        const v = doc.value;
        if (!isRecord(v) || v.kind !== "Secret" || v.apiVersion !== "v1") continue;
        const encrypted = hasSopsMetadata(v);
        for (const section of ["data", "stringData"]) {
          const values = entries(v[section]);
          const plain = values.find(([, value]) => !isEncryptedValue(value) && !isReference(value, section));
          if (!plain) continue;
          const at = encrypted ? doc.locate([section, plain[0]]) : doc.locateKey([section]);
          hits.push({
            file,
            line: at.line,
            column: at.column,
            message: encrypted
              ? `Secret ${str(field(v, "metadata", "name")) ?? ""}: ${section}.${plain[0]} is not encrypted`
              : `Secret ${str(field(v, "metadata", "name")) ?? ""} has ${section} in plaintext (no SOPS encryption)`,
            path: encrypted ? `${section}.${plain[0]}` : section,
          });
          break;
        }
      }
    }
    return hits;
  },
};

export const sopsUnencrypted: Rule = {
  id: "secrets/sops-unencrypted",
  title: "*.sops.* file that is not encrypted",
  severity: "error",
  needs: "files",
  kind: "invariant",
  rationale: "A file named *.sops.* promises encryption; committed unencrypted it leaks its secrets.",
  hint: "encrypt it in place: `sops --encrypt --in-place <file>` (task configure does this for rendered files)",
  docs: `Every \`*.sops.yaml\`, \`*.sops.yml\`, \`*.sops.json\`, \`*.sops.env\` and \`*.sops.ini\` must carry SOPS
metadata (\`sops:\` with a MAC in YAML/JSON, \`sops_*\` keys in dotenv, a \`[sops]\` section in ini).`,
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const file of ctx.files.paths()) {
      if (!isSopsPath(file)) continue;
      const text = ctx.files.text(file) ?? "";
      let encrypted: boolean;
      if (/\.ya?ml$/.test(file)) {
        const docs = ctx.files.yaml(file)?.documents ?? [];
        encrypted = docs.length > 0 && docs.every((d) => hasSopsMetadata(d.value));
      } else if (file.endsWith(".json")) {
        try {
          encrypted = hasSopsMetadata(JSON.parse(text));
        } catch {
          encrypted = false;
        }
      } else encrypted = isSopsEncryptedText(text);
      if (!encrypted)
        hits.push({
          file,
          line: 1,
          column: 1,
          message: `${file} is named *.sops.* but is not SOPS-encrypted`,
        });
    }
    return hits;
  },
};

interface CreationRule {
  regex: RegExp | undefined;
}

/** Go RE2 → JS: the inline `(?i)` flag is the one difference real .sops.yaml files use. */
function compileGoRegex(source: string): RegExp | undefined {
  let flags = "";
  let body = source;
  if (body.startsWith("(?i)")) {
    flags = "i";
    body = body.slice(4);
  }
  try {
    return new RegExp(body, flags);
  } catch {
    return undefined;
  }
}

export const sopsNoCreationRule: Rule = {
  id: "secrets/sops-no-creation-rule",
  title: "*.sops.* file that no .sops.yaml creation rule matches",
  severity: "warning",
  needs: "files",
  kind: "invariant",
  rationale:
    "sops picks keys from the first .sops.yaml creation rule whose path_regex matches. A file no rule matches cannot be (re-)encrypted by `task configure` or by sops without extra flags. Decryption still works (the file carries its own recipients), so it is a warning.",
  hint: "add a creation rule whose path_regex matches the file (or rename the file to fit an existing rule)",
  docs: `For each \`*.sops.*\` file, the nearest \`.sops.yaml\` in its directory or above must have a
\`creation_rules\` entry whose \`path_regex\` matches the file's path relative to that \`.sops.yaml\` (a rule
without path_regex matches everything).`,
  check(ctx) {
    const hits: RuleHit[] = [];
    const configs = new Map<string, CreationRule[] | null>();
    const rulesIn = (dir: string): CreationRule[] | null | undefined => {
      const path = dir === "." ? ".sops.yaml" : `${dir}/.sops.yaml`;
      if (configs.has(path)) return configs.get(path);
      if (!ctx.files.hasFile(path)) return undefined;
      const parsed = ctx.files.yaml(path);
      const rules: CreationRule[] | null = parsed
        ? list(field(parsed.documents[0]?.value, "creation_rules")).map((r) => {
            const regex = str(field(r, "path_regex"));
            return { regex: regex === undefined ? undefined : (compileGoRegex(regex) ?? /$^/) };
          })
        : null;
      configs.set(path, rules);
      return rules;
    };
    for (const file of ctx.files.paths()) {
      if (!isSopsPath(file)) continue;
      let dir = posix.dirname(file);
      let rules: CreationRule[] | null | undefined;
      for (;;) {
        rules = rulesIn(dir);
        if (rules !== undefined || dir === ".") break;
        dir = posix.dirname(dir);
      }
      if (rules === null) continue; // a broken .sops.yaml is sops' own error
      const relative = dir === "." ? file : file.slice(dir.length + 1);
      const matched = rules?.some((r) => r.regex === undefined || r.regex.test(relative));
      if (matched) continue;
      hits.push({
        file,
        line: 1,
        column: 1,
        message: rules
          ? `no creation rule of ${dir === "." ? "" : `${dir}/`}.sops.yaml matches ${relative}`
          : `no .sops.yaml found for ${file}`,
      });
    }
    return hits;
  },
};

/**
 * Secret formats with a recognizable shape, each with `anchors`: strings every match contains, looked for
 * first (a fast substring search; most files hold none, and then the pattern is not run). Built from parts
 * so this file does not match itself.
 */
const PEM_LABELS = ["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", "ED25519 ", ""];
const TOKEN_PATTERNS: { name: string; anchors: string[]; regex: RegExp }[] = [
  {
    // a header alone (documentation, a placeholder `...`) is no key: require key material after it
    name: "PEM private key",
    anchors: [`${"PRIVATE"} KEY-----`],
    regex: new RegExp(
      `-{5}BEGIN (?:${PEM_LABELS.join("|")})PRIVATE KEY-{5}(?:\\\\n|\\s)+(?:[ \\t"'|>]*[A-Za-z0-9+/=]{40,}(?:\\\\n|\\s)+){2}`,
      "g",
    ),
  },
  {
    name: "PGP private key",
    anchors: [`PGP ${"PRIVATE"} KEY`],
    regex: new RegExp(`-{5}BEGIN PGP ${"PRIVATE"} KEY BLOCK-{5}`, "g"),
  },
  {
    name: "age secret key",
    anchors: [`${"AGE-SECRET"}-KEY-1`],
    regex: new RegExp(`${"AGE-SECRET"}-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}`, "g"),
  },
  {
    name: "GitHub token",
    anchors: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    regex: /\bgh[pousr]_[A-Za-z0-9]{36}\b/g,
  },
  { name: "GitHub fine-grained token", anchors: ["github_pat_"], regex: /\bgithub_pat_[A-Za-z0-9_]{82}\b/g },
  { name: "GitLab token", anchors: ["glpat-"], regex: /\bglpat-[A-Za-z0-9_-]{20}\b/g },
  { name: "AWS access key id", anchors: ["AKIA", "ASIA"], regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: "Slack token", anchors: ["xox"], regex: /\bxox[abprs]-[0-9A-Za-z-]{10,}\b/g },
  { name: "Google API key", anchors: ["AIza"], regex: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: "Stripe live key", anchors: ["k_live_"], regex: /\b[sr]k_live_[0-9A-Za-z]{24,}\b/g },
  { name: "OpenAI API key", anchors: ["sk-proj-"], regex: /\bsk-proj-[A-Za-z0-9_-]{40,}/g },
  { name: "Anthropic API key", anchors: ["sk-ant-"], regex: /\bsk-ant-[a-z0-9]+-[A-Za-z0-9_-]{40,}/g },
  {
    name: "Tailscale key",
    anchors: ["tskey-"],
    regex: /\btskey-(?:auth|api|client)-[A-Za-z0-9]{8,}-[A-Za-z0-9]{16,}/g,
  },
  { name: "npm token", anchors: ["npm_"], regex: /\bnpm_[A-Za-z0-9]{36}\b/g },
  {
    // base64 of a PEM private key header, as in kubeconfig/talosconfig `client-key-data`/`key`
    name: "base64-encoded PEM private key",
    // every label's header starts with "-----BEGI", whose base64 is the same 12 characters
    anchors: [Buffer.from("-----BEGI").toString("base64")],
    regex: new RegExp(
      PEM_LABELS.map((label) =>
        Buffer.from(`-----BEGIN ${label}PRIVATE KEY-----`)
          .toString("base64")
          .slice(0, 36)
          .replace(/[+/]/g, (c) => `\\${c}`),
      ).join("|"),
      "g",
    ),
  },
];

export const leakedKey: Rule = {
  id: "secrets/leaked-key",
  title: "Private key, age secret key or token in a tracked file",
  severity: "error",
  needs: "files",
  kind: "invariant",
  rationale:
    "A private key or API token in Git is compromised: anyone with read access (or a fork, or a backup) can use it.",
  hint: "remove it, rotate the key/token (it is in Git history), and keep it in the secret store or a SOPS-encrypted file",
  docs: `Scans every tracked text file for PEM private keys with key material (a header followed by base64 lines;
a header alone, as in documentation or a placeholder, is not a key; also base64-encoded, as in kubeconfig and talosconfig),
age secret keys, and well-known token formats (GitHub, GitLab, AWS access key ids, Slack, Google API keys,
Stripe live keys, OpenAI/Anthropic API keys, Tailscale and npm tokens). SOPS ciphertext never matches.
Public keys, certificates and age recipients (age1…) are fine. Files ignored by Git are not read.`,
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const file of ctx.files.paths()) {
      const text = ctx.files.text(file);
      if (!text) continue;
      for (const { name, anchors, regex } of TOKEN_PATTERNS) {
        if (!anchors.some((a) => text.includes(a))) continue;
        for (const match of text.matchAll(regex)) {
          const at = positionAt(text, match.index);
          hits.push({ file, ...at, message: `${name} in a tracked file` });
        }
      }
    }
    return hits;
  },
};
