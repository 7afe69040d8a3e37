import type { RepoGraph } from "@homeops/manifests";
import type { RepoFiles } from "./repo-files.js";
import type { InvariantsSettings, RuleSeverity } from "./settings.js";

// settings.ts owns the severity type; rule.ts only uses it (no rule.ts ↔ settings.ts type cycle)
export type { RuleSeverity };

/** What a rule encodes: see {@link Rule.kind}. */
export type RuleKind = "invariant" | "convention";

/** A value from the cluster config that must never appear literally in manifests. */
export interface ForbiddenLiteral {
  /** Config path it comes from, e.g. `cluster.domain`. */
  name: string;
  /** The literal value. */
  value: string;
  /** The placeholder manifests must use instead, e.g. `${SECRET_DOMAIN}`. */
  placeholder?: string;
}

/** Everything a rule may look at. Rules are pure functions of this. */
export interface RuleContext {
  /** The repository's text files (tracked files, minus excluded paths). */
  files: RepoFiles;
  /** The built model of what Flux applies; absent when only file-level rules run. */
  graph?: RepoGraph;
  /** Literal config values that must be placeholders in manifests (from the cluster config). */
  forbiddenLiterals: readonly ForbiddenLiteral[];
  settings: InvariantsSettings;
  /** Every documented rule id (so docs that name a rule, e.g. `docs/stale-reference`, are not read as paths). */
  ruleIds: ReadonlySet<string>;
}

/** One problem a rule found. The registry adds the rule id and severity. */
export interface RuleHit {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  message: string;
  /** A hint specific to this hit; default: the rule's `hint`. */
  hint?: string;
  /** Path of the offending value inside its document, e.g. `spec.dependsOn[0].name`. */
  path?: string;
  /**
   * The severity of this hit when it is lower than the rule's (e.g. an identical duplicate is a warning, a
   * conflicting one an error). A severity set in the settings wins.
   */
  severity?: RuleSeverity | "info";
}

/** A rule: identity and documentation, plus a pure check. */
export interface Rule {
  /** Stable id `<group>/<name>`, e.g. `flux/unwired-app`. Ids are API: never renamed. */
  id: string;
  title: string;
  severity: RuleSeverity;
  /** Why the rule exists: what breaks when it is violated. */
  rationale: string;
  /** How to fix a violation, in one or two sentences. */
  hint: string;
  /** Longer documentation for `homeops explain <id>`: what is checked, an example, false-positive notes. */
  docs: string;
  /** `files`: needs only the repository files; `graph`: needs the built RepoGraph (skipped without it). */
  needs: "files" | "graph";
  /**
   * `invariant`: decided from what the cluster does (Flux fails, skips or drops something, a secret is exposed,
   * a claim or secret cannot exist at runtime); runs everywhere. `convention`: a homeops convention (placeholders
   * for NFS values, dependsOn on the store and storage, docs evidence); runs by default only in repositories
   * homeops renders (bootstrap/config.yaml present), elsewhere when .homeops/invariants.yaml turns it on.
   */
  kind: RuleKind;
  /**
   * Build finding ids (of the RepoGraph) this rule owns: when the rule reports, those build findings are left
   * out, since the rule says the same at the cause's location (e.g. `kustomize/missing-entry` owns
   * `build/missing-resource`). Each build finding id has at most one owner.
   */
  owns?: readonly string[];
  check(context: RuleContext): RuleHit[];
}
