import { type Finding, sortFindings } from "@homeops/core";
import type { ParsedFile, RepoGraph } from "@homeops/manifests";
import type { ClusterConfig } from "@homeops/schema";
import picomatch from "picomatch";
import { forbiddenLiteralsFromConfig } from "./config-literals.js";
import { listRules, RULES } from "./registry.js";
import { RepoFiles, type RepoYamlParser } from "./repo-files.js";
import type { ForbiddenLiteral, Rule, RuleContext } from "./rule.js";
import { defaultSettings, type InvariantsSettings } from "./settings.js";
import { findInlineSuppressions, type InlineSuppression } from "./suppressions.js";

/** A repository with this file is rendered by homeops, so its conventions apply by default. */
export const HOMEOPS_CONFIG_FILE = "bootstrap/config.yaml";

/** Files where `# …` (or `<!-- … -->` in Markdown) is a comment, so a `homeops-ignore` in them is one. */
const COMMENTED = /\.(ya?ml|sh|bash|zsh|md|env)$|(^|\/)(Makefile|justfile|Taskfile)$/;

export interface CheckInvariantsInput {
  /** The repository's text files (repo-relative posix path → text), e.g. from `readRepoFiles`. */
  files: ReadonlyMap<string, string>;
  /** The built repository; without it only file-level rules run (graph rules are listed as skipped). */
  graph?: RepoGraph;
  /**
   * More parsed files to reuse after the graph's own (e.g. the other clusters' graphs of the same
   * repository): a file no build of this graph reads is then parsed once, not once per cluster.
   */
  parsed?: readonly ReadonlyMap<string, ParsedFile>[];
  /**
   * How a file no build read is parsed (default: core's YAML parse). The repo layer passes the build's own
   * parser (manifests' `parseRepoYaml`: yaml.v3's rules, the parse cache), so a warm check parses nothing.
   */
  parse?: RepoYamlParser;
  /** The validated cluster config: its literal placeholder-capable values must not appear in manifests. */
  config?: Pick<ClusterConfig, "derived">;
  /** More literals that must not appear in manifests (added to those of `config`). */
  forbiddenLiterals?: readonly ForbiddenLiteral[];
  /** Repo-level settings (`parseInvariantsSettings`). Default: {@link defaultSettings}. */
  settings?: InvariantsSettings;
}

export interface CheckInvariantsOptions {
  /** Run only these rule ids. Default: every rule. */
  only?: readonly string[];
  /** Include the RepoGraph's build findings in the result. Default true. */
  includeBuildFindings?: boolean;
}

/** A finding a suppression hid, with what hid it. */
export interface SuppressedFinding {
  finding: Finding;
  /** `file:line` of the inline comment or of the ignore entry in the settings file. */
  by: string;
  reason: string;
}

export interface InvariantsReport {
  /** Unsuppressed findings, sorted. */
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** Ids of the rules that ran. */
  rulesRun: string[];
  /** Rules that did not run, with why. */
  rulesSkipped: { id: string; reason: string }[];
  /** Number of files the file-level rules looked at. */
  filesChecked: number;
  /** YAML files the rules parsed themselves because no build read them (the rest reuse the build's parse). */
  filesParsedOutsideBuild: string[];
}

/**
 * Runs every rule over the repository files and (when given) the RepoGraph, then applies inline and
 * repo-level suppressions. Pure: no I/O, no logging.
 */
export function checkInvariants(
  input: CheckInvariantsInput,
  options: CheckInvariantsOptions = {},
): InvariantsReport {
  const settings = input.settings ?? defaultSettings();
  const excluded = settings.exclude.length > 0 ? picomatch(settings.exclude, { dot: true }) : () => false;
  const texts = new Map([...input.files].filter(([path]) => !excluded(path)));
  const files = new RepoFiles(texts, {
    shared: [input.graph?.files, ...(input.parsed ?? [])],
    ...(input.parse ? { parse: input.parse } : {}),
  });
  const context: RuleContext = {
    files,
    ...(input.graph ? { graph: input.graph } : {}),
    forbiddenLiterals: [
      ...(input.config ? forbiddenLiteralsFromConfig(input.config) : []),
      ...(input.forbiddenLiterals ?? []),
    ],
    settings,
    ruleIds: new Set(listRules().map((r) => r.id)),
  };
  // homeops' own conventions apply to repositories homeops renders, elsewhere only when turned on
  const conventions =
    settings.conventions ?? (input.config !== undefined || input.files.has(HOMEOPS_CONFIG_FILE));
  const rulesRun: string[] = [];
  const rulesSkipped: { id: string; reason: string }[] = [];
  let findings: Finding[] = [];
  for (const rule of RULES) {
    const level = settings.rules[rule.id];
    if (options.only && !options.only.includes(rule.id)) continue;
    if (level === "off") {
      rulesSkipped.push({ id: rule.id, reason: `turned off in ${settings.file ?? "settings"}` });
      continue;
    }
    if (rule.kind === "convention" && !conventions && level === undefined && !options.only) {
      rulesSkipped.push({
        id: rule.id,
        reason: `a homeops convention: runs where ${HOMEOPS_CONFIG_FILE} exists, or with \`conventions: true\` (or a severity under rules:) in ${settings.file ?? ".homeops/invariants.yaml"}`,
      });
      continue;
    }
    if (rule.needs === "graph" && !input.graph) {
      rulesSkipped.push({ id: rule.id, reason: "needs the built repository (RepoGraph)" });
      continue;
    }
    rulesRun.push(rule.id);
    findings.push(...runRule(rule, context, level));
  }
  findings = findings.filter((f) => f.file === undefined || !excluded(f.file));
  if (input.graph && options.includeBuildFindings !== false) {
    // a rule that explains a build failure at the same place says it better than the build does
    const ruled = new Set(findings.map((f) => `${f.file}:${f.line}`));
    // each build finding id has one owner: the rule that declares it reports the class (with the cause's location)
    const owners = new Map(RULES.flatMap((r) => (r.owns ?? []).map((id) => [id, r.id] as const)));
    const reported = new Set(findings.map((f) => f.ruleId));
    const superseded = new Set([...owners].filter(([, rule]) => reported.has(rule)).map(([id]) => id));
    for (const f of input.graph.findings) {
      // info-level build notes (e.g. a patch that matches nothing) are the build's business, not an invariant
      if (superseded.has(f.ruleId) || f.severity === "info") continue;
      if (f.file !== undefined && (excluded(f.file) || ruled.has(`${f.file}:${f.line}`))) continue;
      findings.push(f);
    }
  }
  const applied = applySuppressions(findings, files, settings, new Set(rulesRun));
  return {
    findings: sortFindings(applied.findings),
    suppressed: applied.suppressed,
    rulesRun,
    rulesSkipped,
    filesChecked: texts.size,
    filesParsedOutsideBuild: [...files.parsedLocally()].sort(),
  };
}

function runRule(rule: Rule, context: RuleContext, level: Finding["severity"] | undefined): Finding[] {
  try {
    return rule.check(context).map((hit) => ({
      ruleId: rule.id,
      severity: level ?? hit.severity ?? rule.severity,
      message: hit.message,
      hint: hit.hint ?? rule.hint,
      file: hit.file,
      line: hit.line,
      column: hit.column,
      ...(hit.path === undefined ? {} : { path: hit.path }),
    }));
  } catch (error) {
    return [
      {
        ruleId: "homeops/rule-failed",
        severity: "error",
        message: `rule ${rule.id} failed: ${error instanceof Error ? error.message : String(error)}`,
        hint: "this is a bug in homeops; the other rules still ran",
      },
    ];
  }
}

function applySuppressions(
  findings: Finding[],
  files: RepoFiles,
  settings: InvariantsSettings,
  ran: ReadonlySet<string>,
): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  const known = new Set([...listRules().map((r) => r.id), ...findings.map((f) => f.ruleId)]);
  const inline: InlineSuppression[] = [];
  const out: Finding[] = [];
  for (const file of files.paths()) {
    if (!COMMENTED.test(file)) continue;
    for (const s of findInlineSuppressions(file, files.text(file) ?? "")) {
      const problem =
        s.rule === ""
          ? "homeops-ignore needs a rule id: `# homeops-ignore <rule-id>: <reason>`"
          : !known.has(s.rule)
            ? `homeops-ignore names unknown rule '${s.rule}'`
            : s.reason.trim() === ""
              ? `homeops-ignore ${s.rule} has no reason: say why the rule does not apply here`
              : undefined;
      if (problem) {
        out.push({
          ruleId: "homeops/invalid-suppression",
          severity: "error",
          message: problem,
          hint: "write `# homeops-ignore <rule-id>: <reason>`",
          file,
          line: s.line,
          column: s.column,
        });
      } else inline.push(s);
    }
  }
  const used = new Set<InlineSuppression>();
  const usedIgnores = new Set<number>();
  const matchers = settings.ignore.map((entry) => picomatch(entry.paths, { dot: true }));
  const suppressed: SuppressedFinding[] = [];
  for (const finding of findings) {
    const wholeFile = finding.line === 1 && finding.column === 1;
    const byInline = inline.find(
      (s) =>
        s.rule === finding.ruleId &&
        s.file === finding.file &&
        (s.appliesTo === finding.line || (wholeFile && s.header)),
    );
    if (byInline) {
      used.add(byInline);
      suppressed.push({ finding, by: `${byInline.file}:${byInline.line}`, reason: byInline.reason });
      continue;
    }
    const index = settings.ignore.findIndex(
      (entry, i) => entry.rule === finding.ruleId && finding.file !== undefined && matchers[i]!(finding.file),
    );
    if (index !== -1) {
      const entry = settings.ignore[index]!;
      usedIgnores.add(index);
      suppressed.push({ finding, by: `${settings.file ?? "settings"}:${entry.line}`, reason: entry.reason });
      continue;
    }
    out.push(finding);
  }
  for (const s of inline) {
    if (used.has(s) || !ran.has(s.rule)) continue;
    out.push({
      ruleId: "homeops/unused-suppression",
      severity: "warning",
      message: `homeops-ignore ${s.rule} suppresses nothing`,
      hint: "remove the stale suppression",
      file: s.file,
      line: s.line,
      column: s.column,
    });
  }
  settings.ignore.forEach((entry, i) => {
    if (usedIgnores.has(i) || !ran.has(entry.rule)) return;
    out.push({
      ruleId: "homeops/unused-suppression",
      severity: "warning",
      message: `ignore entry for ${entry.rule} (${entry.paths.join(", ")}) suppresses nothing`,
      hint: "remove the stale ignore entry",
      ...(settings.file ? { file: settings.file } : {}),
      line: entry.line,
      column: entry.column,
    });
  });
  return { findings: out, suppressed };
}
