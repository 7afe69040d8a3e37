import type { Finding } from "@homeops/core";
import { parseYaml, UserError } from "@homeops/core";
/** Severity a rule reports with (a repo config may lower or raise it). */
export type RuleSeverity = "error" | "warning";

/** The repo-level config file, relative to the repository root. */
export const SETTINGS_FILE = ".homeops/invariants.yaml";

/** Paths no rule looks at unless the repo config says otherwise: test data of tools kept in the repo. */
export const DEFAULT_EXCLUDE: readonly string[] = ["**/test/fixtures/**", "**/testdata/**"];

/** One repo-level suppression: a rule switched off for some paths, with a reason. */
export interface IgnoreEntry {
  rule: string;
  /** Globs (repo-relative, picomatch syntax). */
  paths: string[];
  reason: string;
  /** Line of the entry in the config file (for "unused" reports). */
  line: number;
  column: number;
}

/** The repo-level settings (`.homeops/invariants.yaml`), defaults applied. */
export interface InvariantsSettings {
  /** Where the Flux manifests live, repo-relative. Default `kubernetes`. */
  kubernetesDir: string;
  /** Globs of paths no rule looks at. Default {@link DEFAULT_EXCLUDE}. */
  exclude: string[];
  /** Severity overrides per rule id; `off` disables the rule. */
  rules: Record<string, RuleSeverity | "off">;
  /** Repo-level suppressions. */
  ignore: IgnoreEntry[];
  /**
   * Flux Kustomizations (`name` or `namespace/name`) that provide storage (CSI driver, backup operator).
   * Default: every Kustomization whose target namespace is `storage`, plus names matching common storage
   * and backup operators (volsync, kopia, k8up, openebs, rook-ceph, longhorn, democratic-csi, csi-driver-nfs).
   */
  storageKustomizations?: string[];
  /**
   * Variables an ExternalSecret with unknowable keys (`dataFrom` without a template) is assumed to provide
   * when it is a `substituteFrom` source. Default `^SECRET_` (the cluster-secrets convention).
   */
  openSecretVariables: string;
  /**
   * Whether the homeops conventions (rules of kind `convention`) run. Default: on when the repository is
   * rendered by homeops (bootstrap/config.yaml exists), off otherwise; a rule named under `rules:` with a
   * severity runs either way.
   */
  conventions?: boolean;
  /** The file the settings came from, when there was one. */
  file?: string;
}

export function defaultSettings(): InvariantsSettings {
  return {
    kubernetesDir: "kubernetes",
    exclude: [...DEFAULT_EXCLUDE],
    rules: {},
    ignore: [],
    openSecretVariables: "^SECRET_",
  };
}

const KEYS = new Set([
  "kubernetesDir",
  "exclude",
  "rules",
  "ignore",
  "storageKustomizations",
  "openSecretVariables",
  "conventions",
]);

/**
 * Parses `.homeops/invariants.yaml`. Problems become findings (`homeops/invalid-config`) with
 * file:line:col; the valid parts still apply.
 */
export function parseInvariantsSettings(
  text: string,
  file: string = SETTINGS_FILE,
): { settings: InvariantsSettings; findings: Finding[] } {
  const settings: InvariantsSettings = { ...defaultSettings(), file };
  const findings: Finding[] = [];
  let parsed: ReturnType<typeof parseYaml>;
  try {
    parsed = parseYaml(text, { file });
  } catch (error) {
    const location = error instanceof UserError ? error.location : undefined;
    findings.push({
      ruleId: "homeops/invalid-config",
      severity: "error",
      message: error instanceof Error ? error.message : String(error),
      file,
      ...(location?.line === undefined ? {} : { line: location.line }),
      ...(location?.column === undefined ? {} : { column: location.column }),
    });
    return { settings, findings };
  }
  const doc = parsed.documents[0];
  if (!doc || doc.value === null || doc.value === undefined) return { settings, findings };
  const problem = (path: (string | number)[], message: string, at = doc.locate(path)) => {
    findings.push({
      ruleId: "homeops/invalid-config",
      severity: "error",
      message,
      hint: `see \`homeops explain homeops/invalid-config\` for the format of ${SETTINGS_FILE}`,
      file,
      line: at.line,
      column: at.column,
    });
  };
  const value = doc.value;
  if (typeof value !== "object" || Array.isArray(value)) {
    problem([], "expected a map of settings");
    return { settings, findings };
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KEYS.has(key))
      problem([key], `unknown key '${key}' (known: ${[...KEYS].join(", ")})`, doc.locateKey([key]));
  }
  if (record.kubernetesDir !== undefined) {
    if (typeof record.kubernetesDir === "string" && record.kubernetesDir !== "") {
      settings.kubernetesDir = record.kubernetesDir.replace(/^\.\//, "").replace(/\/+$/, "");
    } else problem(["kubernetesDir"], "kubernetesDir must be a non-empty path");
  }
  const stringList = (key: string): string[] | undefined => {
    const v = record[key];
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
    problem([key], `${key} must be a list of strings`);
    return undefined;
  };
  if (record.openSecretVariables !== undefined) {
    const v = record.openSecretVariables;
    let valid = typeof v === "string";
    try {
      if (valid) new RegExp(v as string);
    } catch {
      valid = false;
    }
    if (valid) settings.openSecretVariables = v as string;
    else problem(["openSecretVariables"], "openSecretVariables must be a regular expression");
  }
  if (record.conventions !== undefined) {
    if (typeof record.conventions === "boolean") settings.conventions = record.conventions;
    else problem(["conventions"], "conventions must be true or false");
  }
  const exclude = stringList("exclude");
  if (exclude) settings.exclude = exclude;
  const storage = stringList("storageKustomizations");
  if (storage) settings.storageKustomizations = storage;
  if (record.rules !== undefined) {
    if (typeof record.rules === "object" && record.rules !== null && !Array.isArray(record.rules)) {
      for (const [id, level] of Object.entries(record.rules)) {
        if (level === "off" || level === "error" || level === "warning") settings.rules[id] = level;
        else problem(["rules", id], `rules.${id} must be off, warning or error`);
      }
    } else problem(["rules"], "rules must be a map of rule id to off | warning | error");
  }
  if (record.ignore !== undefined) {
    if (!Array.isArray(record.ignore)) problem(["ignore"], "ignore must be a list of {rule, paths, reason}");
    else {
      for (const [i, entry] of record.ignore.entries()) {
        const e = entry as Record<string, unknown> | null;
        const paths = e?.paths;
        const at = doc.locate(["ignore", i]);
        if (typeof e?.rule !== "string") {
          problem(["ignore", i], "ignore entry needs `rule: <id>`");
          continue;
        }
        if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === "string")) {
          problem(["ignore", i], "ignore entry needs `paths:` (a non-empty list of globs)");
          continue;
        }
        if (typeof e.reason !== "string" || e.reason.trim() === "") {
          problem(["ignore", i], "ignore entry needs a `reason:` (why the rule does not apply)");
          continue;
        }
        settings.ignore.push({
          rule: e.rule,
          paths: paths as string[],
          reason: e.reason,
          line: at.line,
          column: at.column,
        });
      }
    }
  }
  return { settings, findings };
}
