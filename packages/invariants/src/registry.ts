import type { Rule } from "./rule.js";
import { staleReference } from "./rules/docs.js";
import {
  missingSecret,
  missingSecretKey,
  missingStore,
  missingStoreDependency,
} from "./rules/external-secrets.js";
import {
  dependencyCycle,
  duplicateObject,
  missingDependency,
  missingEntry,
  missingSource,
  pathInvalid,
  unreferencedFile,
  unwiredApp,
} from "./rules/flux-wiring.js";
import { kubectlApply, unreachableManifest } from "./rules/gitops.js";
import { configLiteral, invalidVariableName, undefinedVariable } from "./rules/placeholders.js";
import { leakedKey, plaintextSecret, sopsNoCreationRule, sopsUnencrypted } from "./rules/secrets.js";
import {
  backupWithoutStorageDependency,
  missingClaim,
  nfsLiteral,
  unknownMountTarget,
} from "./rules/storage.js";

/** Every rule, in documentation order. */
export const RULES: readonly Rule[] = [
  unwiredApp,
  missingEntry,
  pathInvalid,
  missingDependency,
  dependencyCycle,
  missingSource,
  unreferencedFile,
  duplicateObject,
  undefinedVariable,
  invalidVariableName,
  plaintextSecret,
  sopsUnencrypted,
  sopsNoCreationRule,
  leakedKey,
  configLiteral,
  missingClaim,
  unknownMountTarget,
  nfsLiteral,
  backupWithoutStorageDependency,
  missingStore,
  missingSecret,
  missingSecretKey,
  missingStoreDependency,
  unreachableManifest,
  kubectlApply,
  staleReference,
];

const engine = (rule: Omit<Rule, "needs" | "kind" | "check">): Rule => ({
  ...rule,
  needs: "files",
  kind: "invariant",
  check: () => [],
});

/** Findings the check itself reports (suppressions, settings, rule failures). Documented like rules. */
export const ENGINE_RULES: readonly Rule[] = [
  engine({
    id: "homeops/unused-suppression",
    title: "Suppression that suppresses nothing",
    severity: "warning",
    rationale:
      "A stale `homeops-ignore` hides nothing today but would silently hide a real problem tomorrow.",
    hint: "remove the suppression",
    docs: `Reported for an inline \`# homeops-ignore <id>: <reason>\` comment, or an \`ignore:\` entry of
.homeops/invariants.yaml, that matched no finding of a rule that ran.`,
  }),
  engine({
    id: "homeops/invalid-suppression",
    title: "Suppression without a reason or with an unknown rule id",
    severity: "error",
    rationale: "Every exception to an invariant must say why; a typo in the rule id would suppress nothing.",
    hint: "write `# homeops-ignore <rule-id>: <why this is fine>` with an id from `homeops explain --list`",
    docs: `Inline suppressions are YAML/shell comments \`# homeops-ignore <rule-id>: <reason>\` (in Markdown
\`<!-- homeops-ignore <rule-id>: <reason> -->\`). Alone on a line, the comment applies to the next line that is
not blank, \`---\` or a comment; at the end of a line, to that line; among a file's leading comments it also
covers findings about the whole file (reported at 1:1). The reason is required.`,
  }),
  engine({
    id: "homeops/invalid-config",
    title: "Invalid .homeops/invariants.yaml",
    severity: "error",
    rationale: "A mistyped setting would silently change what is checked.",
    hint: "fix the setting at the position shown",
    docs: `.homeops/invariants.yaml (optional) configures the check for a repository:

    kubernetesDir: kubernetes          # where the Flux manifests live
    exclude:                           # globs no rule looks at (default: **/test/fixtures/**, **/testdata/**)
      - "**/test/fixtures/**"
    rules:                             # per-rule severity: off | warning | error
      docs/stale-reference: error
    ignore:                            # repo-level suppressions; a reason is required
      - rule: storage/nfs-literal
        paths: ["kubernetes/apps/media/**"]
        reason: the media NAS is addressed by a fixed name on purpose
    storageKustomizations: [volsync]   # Kustomizations that provide storage (name or namespace/name)
    openSecretVariables: "^SECRET_"    # variables assumed to come from an ExternalSecret using dataFrom`,
  }),
  engine({
    id: "homeops/rule-failed",
    title: "A rule crashed",
    severity: "error",
    rationale: "A rule that fails checks nothing; the run must not look clean.",
    hint: "report this as a bug in homeops with the message shown",
    docs: "Reported when a rule throws instead of returning findings. The other rules still run.",
  }),
];

/** Every documented id: the rules and the engine's own findings. */
export function listRules(): readonly Rule[] {
  return [...RULES, ...ENGINE_RULES];
}

/** The rule (or engine finding) with this id. */
export function findRule(id: string): Rule | undefined {
  return listRules().find((r) => r.id === id);
}
