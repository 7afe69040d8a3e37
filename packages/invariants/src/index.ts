export {
  BASELINE_FILE,
  type Baseline,
  type BaselinedFinding,
  type BaselineEntry,
  type BaselineState,
  baselineEntry,
  compareWithBaseline,
  createBaseline,
  formatBaseline,
  parseBaseline,
} from "./baseline.js";
export {
  type CheckInvariantsInput,
  type CheckInvariantsOptions,
  checkInvariants,
  HOMEOPS_CONFIG_FILE,
  type InvariantsReport,
  type SuppressedFinding,
} from "./check.js";
export { forbiddenLiteralsFromConfig } from "./config-literals.js";
export { ENGINE_RULES, findRule, listRules, RULES } from "./registry.js";
export {
  type ReadRepoFilesOptions,
  RepoFiles,
  type RepoFilesOptions,
  type RepoYamlParser,
  readRepoFiles,
} from "./repo-files.js";
export type { ForbiddenLiteral, Rule, RuleContext, RuleHit, RuleKind, RuleSeverity } from "./rule.js";
export { findCycles } from "./rules/flux-wiring.js";
export {
  DEFAULT_EXCLUDE,
  defaultSettings,
  type IgnoreEntry,
  type InvariantsSettings,
  parseInvariantsSettings,
  SETTINGS_FILE,
} from "./settings.js";
export { findInlineSuppressions, type InlineSuppression } from "./suppressions.js";
