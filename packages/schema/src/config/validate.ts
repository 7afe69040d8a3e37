import {
  type Finding,
  failed,
  formatYamlPath,
  hasErrors,
  loadYamlFile,
  ok,
  parseYaml,
  type Result,
  sortFindings,
  UserError,
  type YamlDocument,
  type YamlFile,
  type YamlPath,
  type YamlPosition,
} from "@homeops/core";
import { checkCrossFieldRules } from "./cross-field.js";
import { CONFIG_VERSION } from "./defaults.js";
import { type ConfigIssue, isPlainObject, valueAt } from "./internal/issue.js";
import { issuesFromZod } from "./issues.js";
import { configMigrations, migrateConfig, oldestSupportedVersion } from "./migrations.js";
import { resolveClusterConfig } from "./resolve.js";
import { configRule } from "./rules.js";
import { configSchema, configSections } from "./schema.js";
import type { ClusterConfig } from "./types.js";

export interface ValidateClusterConfigOptions {
  /** the path shown in findings and errors (usually relative to the repo root) */
  file: string;
}

export interface LoadClusterConfigOptions {
  /** the path shown in findings and errors; default: `path` as given */
  file?: string;
}

/**
 * Reads, parses (with source positions), validates, defaults and derives `bootstrap/config.yaml`.
 * Every problem of content is a finding with file:line:column; a missing, unreadable, non-YAML or
 * empty file throws a `UserError` (`FILE_NOT_FOUND`, `FILE_UNREADABLE`, `YAML_SYNTAX`, `YAML_EMPTY`).
 */
export async function loadClusterConfig(
  path: string,
  options: LoadClusterConfigOptions = {},
): Promise<Result<ClusterConfig>> {
  const file = await loadYamlFile(path, { file: options.file ?? path });
  return validateYamlFile(file);
}

/** `loadClusterConfig` for a text already in memory. */
export function validateClusterConfig(
  text: string,
  options: ValidateClusterConfigOptions,
): Result<ClusterConfig> {
  return validateYamlFile(parseYaml(text, { file: options.file }));
}

function validateYamlFile(yaml: YamlFile): Result<ClusterConfig> {
  const [doc, ...extra] = yaml.documents;
  if (doc === undefined || doc.value === null || doc.value === undefined) {
    throw new UserError("YAML_EMPTY", `${yaml.file}: the config is empty`, {
      location: { file: yaml.file, line: 1, column: 1 },
      hint: "start from bootstrap/config.sample.yaml",
    });
  }
  const findings: Finding[] = [];
  const second = extra[0];
  if (second) {
    findings.push(
      toFinding(
        second,
        {
          ruleId: "config/multiple-documents",
          path: [],
          message: `the config is one YAML document; found ${yaml.documents.length} (remove the --- separators)`,
        },
        (p) => p,
        second.start(),
      ),
    );
  }
  const result = validateDocument(doc, findings);
  return { ...result, findings: sortFindings(result.findings) };
}

function validateDocument(doc: YamlDocument, findings: Finding[]): Result<ClusterConfig> {
  let sourcePath = (path: YamlPath): YamlPath => path;
  const report = (issue: ConfigIssue) => findings.push(toFinding(doc, issue, sourcePath));
  const raw = doc.value;
  if (!isPlainObject(raw)) {
    report({
      ruleId: "config/invalid-type",
      path: [],
      message: `the config must be a mapping of sections (version, cluster, network, …), got ${Array.isArray(raw) ? "a list" : `${typeof raw} ${JSON.stringify(raw)}`}`,
    });
    return failed(findings);
  }

  // version and migrations
  let value: Record<string, unknown> = raw;
  let sourceVersion = CONFIG_VERSION;
  const version = raw.version;
  if (version === undefined) {
    report({
      ruleId: "config/missing-field",
      path: ["version"],
      at: "key",
      message: `version is required (add \`version: ${CONFIG_VERSION}\`)`,
    });
    value = { version: CONFIG_VERSION, ...raw };
  } else if (typeof version === "number" && Number.isInteger(version) && version !== CONFIG_VERSION) {
    const oldest = oldestSupportedVersion(configMigrations);
    if (version > CONFIG_VERSION || version < oldest) {
      report({
        ruleId: "config/unsupported-version",
        path: ["version"],
        message:
          version > CONFIG_VERSION
            ? `version ${version} is newer than this homeops understands (${CONFIG_VERSION}); upgrade homeops`
            : `version ${version} is older than any migration (oldest: ${oldest})`,
      });
      return failed(findings);
    }
    const migrated = migrateConfig(raw, version, configMigrations);
    value = migrated.value;
    sourceVersion = version;
    sourcePath = migrated.sourcePath;
    report({
      ruleId: "config/migrated-version",
      path: ["version"],
      message: `version ${version} was migrated in memory to ${CONFIG_VERSION} (${migrated.applied.map((m) => m.description).join("; ")}); update the file`,
    });
  }

  // field rules
  const parsed = configSchema.safeParse(value);
  if (!parsed.success)
    for (const issue of issuesFromZod(parsed.error.issues, configSchema, value)) report(issue);

  // cross-field rules over each section that passed (with its defaults) or raw
  const view: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(configSections)) {
    const section = (schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(
      value[key],
    );
    view[key] = section.success ? section.data : value[key];
  }
  const written = (path: YamlPath) => valueAt(value, path) !== undefined;
  for (const issue of checkCrossFieldRules({ view, written })) report(issue);

  if (!parsed.success || hasErrors(findings)) return failed(findings);
  return ok(resolveClusterConfig(parsed.data, sourceVersion), findings);
}

function toFinding(
  doc: YamlDocument,
  issue: ConfigIssue,
  sourcePath: (path: YamlPath) => YamlPath,
  position?: YamlPosition,
): Finding {
  const path = sourcePath(issue.path);
  const where = position ?? locateIssue(doc, path, issue.at ?? "value");
  const finding: Finding = {
    ruleId: issue.ruleId,
    severity: configRule(issue.ruleId).severity,
    message: issue.message,
    file: doc.file,
    line: where.line,
    column: where.column,
  };
  if (path.length > 0) finding.path = formatYamlPath(path);
  return finding;
}

/** The value (or key) at `path`; for a path that is not written, the key of its nearest written ancestor. */
function locateIssue(doc: YamlDocument, path: YamlPath, at: "key" | "value"): YamlPosition {
  const found = at === "key" && path.length > 0 ? doc.locateKey(path) : doc.locate(path);
  if (found.exact) return found;
  for (let n = path.length - 1; n > 0; n--) {
    const ancestor = doc.locateKey(path.slice(0, n));
    if (ancestor.exact) return ancestor;
  }
  return doc.start();
}
