import type { Finding, ReportCase, SourcePosition } from "@homeops/core";
import { type SchemaCatalog, type SchemaOrigin, saveValidatorCodeCache } from "./schema-catalog.js";
import {
  formatPath,
  type ObjectStatus,
  type ValidateObjectOptions,
  validateObject,
} from "./validate-object.js";

/** A built object that knows where it and each of its fields came from (a manifests `BuiltObject` is one). */
export interface LocatedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** the plain object to validate */
  object: Record<string, unknown>;
  /** the source document, and what built it (outermost first) */
  provenance: SourcePosition & { chain: readonly string[] };
  /** source position of a field */
  locate(path: readonly (string | number)[]): SourcePosition;
}

/** One object to validate and the build it came from. */
export interface ValidationUnit {
  /** `Kustomization flux-system/cluster-apps` or `kustomize <dir>` */
  origin: string;
  object: LocatedObject;
  /** schemas the object's file names for it (`# yaml-language-server: $schema=<url>`), see `validateObject` */
  documentSchemas?: readonly string[];
}

/** Per-object result, as the json output prints it. */
export interface ObjectReport {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  origin: string;
  /** `file:line` of the object's source document */
  source: string;
  status: ObjectStatus;
  reason?: string;
  /** the schema used (file, URL or `file:line` of a repository CRD) */
  schema?: string;
  schemaOrigin?: SchemaOrigin;
  documentSchemas?: string[];
  violations: (SourcePosition & { path: string; message: string })[];
}

/** Objects skipped for want of a schema, per kind. */
export interface MissingSchema {
  /** `apiVersion Kind` */
  kind: string;
  count: number;
  /** `file:line` of the first such object */
  first: string;
}

export interface ValidateObjectsResult {
  /** one per unit, in order */
  objects: ObjectReport[];
  /** one per unit, in order (junit/tap) */
  cases: ReportCase[];
  /** `kubeconform/invalid` per violation, `kubeconform/error`, `kubeconform/skipped` (info) */
  findings: Finding[];
  counts: Record<ObjectStatus, number>;
  /** kinds skipped for want of a schema, most objects first */
  noSchema: MissingSchema[];
}

const CASE_STATUS: Record<ObjectStatus, ReportCase["status"]> = {
  valid: "passed",
  invalid: "failed",
  error: "error",
  skipped: "skipped",
};

/**
 * Validates each object against the catalog and maps every verdict to its per-object status, its case
 * and its findings located in the source (as kubeconform's validator returns results its output
 * package prints unchanged).
 */
export async function validateObjects(
  catalog: SchemaCatalog,
  units: readonly ValidationUnit[],
  options: ValidateObjectOptions = {},
): Promise<ValidateObjectsResult> {
  const skipKinds = options.skipKinds ?? ["Secret"];
  const objects: ObjectReport[] = [];
  const cases: ReportCase[] = [];
  const findings: Finding[] = [];
  const counts: Record<ObjectStatus, number> = { valid: 0, invalid: 0, error: 0, skipped: 0 };
  const missing = new Map<string, MissingSchema>();
  for (const { origin, object, documentSchemas } of units) {
    const verdict = await validateObject(catalog, object.object, {
      ...options,
      skipKinds,
      ...(documentSchemas ? { documentSchemas } : {}),
    });
    counts[verdict.status]++;
    const label = `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
    const source = `${object.provenance.file}:${object.provenance.line}`;
    if (verdict.missingSchema) {
      const key = `${object.apiVersion} ${object.kind}`;
      const entry = missing.get(key) ?? { kind: key, count: 0, first: source };
      entry.count++;
      missing.set(key, entry);
    }
    for (const w of verdict.warnings ?? []) {
      const at = object.locate(w.path);
      findings.push({
        ruleId: "kubeconform/pruned-field",
        severity: "warning",
        message: `${label}: ${formatPath(w.path)}: not in the CRD schema (${verdict.schema ?? "catalog"})`,
        file: at.file,
        line: at.line,
        column: at.column,
        path: formatPath(w.path),
        hint: "Flux's server-side apply rejects it if the cluster's CRD is this one (a create/update would drop it); the cluster may run a newer version or a fork: vendor its CRD in the repository to check exactly (--strict makes this an error)",
      });
    }
    for (const d of verdict.deferred ?? []) {
      const at = object.locate(d.path);
      findings.push({
        ruleId: "kubeconform/unresolved-variable",
        severity: "info",
        message: `${label}: ${formatPath(d.path)}: ${d.message} (the value holds a variable the offline build could not resolve)`,
        file: at.file,
        line: at.line,
        column: at.column,
        path: formatPath(d.path),
        hint: "its value comes from a Secret or ConfigMap the build cannot read; --strict checks it as written",
      });
    }
    for (const problem of verdict.documentSchemaProblems ?? []) {
      findings.push({
        ruleId: "kubeconform/document-schema-unusable",
        severity: "warning",
        message: `${label}: ${problem}`,
        file: object.provenance.file,
        line: object.provenance.line,
        hint: "the schema its `$schema=` comment names is cached but cannot be used; `homeops schemas pull` fetches its references too",
      });
    }
    const violations = verdict.violations.map((v) => {
      const at = object.locate(v.path);
      return {
        path: formatPath(v.path),
        message: v.message,
        file: at.file,
        line: at.line,
        column: at.column,
      };
    });
    objects.push({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.name,
      ...(object.namespace ? { namespace: object.namespace } : {}),
      origin,
      source,
      status: verdict.status,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
      ...(verdict.schema ? { schema: verdict.schema } : {}),
      ...(verdict.origin ? { schemaOrigin: verdict.origin } : {}),
      ...(verdict.documentSchemas ? { documentSchemas: verdict.documentSchemas } : {}),
      violations,
    });
    for (const v of violations) {
      findings.push({
        ruleId: "kubeconform/invalid",
        severity: "error",
        message: `${label}: ${v.message}`,
        file: v.file,
        line: v.line,
        column: v.column,
        ...(v.path ? { path: v.path } : {}),
        hint: `built by ${object.provenance.chain.length > 0 ? object.provenance.chain.join(" → ") : origin}`,
      });
    }
    if (verdict.status === "error") {
      findings.push({
        ruleId: "kubeconform/error",
        severity: "error",
        message: `${label}: ${verdict.reason ?? "error"}`,
        file: object.provenance.file,
        line: object.provenance.line,
        hint: verdict.reason?.startsWith("could not find schema")
          ? "add the kind's CRD to the repository, run `homeops schemas pull`, or point --schema-location at a schema; without --require-schemas it is skipped"
          : `built by ${origin}`,
      });
    }
    if (verdict.status === "skipped" && !verdict.missingSchema && !skipKinds.includes(object.kind)) {
      findings.push({
        ruleId: "kubeconform/skipped",
        severity: "info",
        message: `${label}: skipped (${verdict.reason ?? "skipped"})`,
        file: object.provenance.file,
        line: object.provenance.line,
      });
    }
    cases.push({
      suite: origin,
      name: label,
      classname: `${object.apiVersion} ${object.kind}`,
      status: CASE_STATUS[verdict.status],
      messages:
        verdict.status === "invalid"
          ? violations.map((v) => `${v.file}:${v.line}:${v.column}: ${v.path}: ${v.message}`)
          : verdict.reason
            ? [verdict.reason]
            : [],
    });
  }
  const noSchema = [...missing.values()].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  for (const { kind, count, first } of noSchema) {
    const at = first.lastIndexOf(":");
    findings.push({
      ruleId: "kubeconform/no-schema",
      severity: "warning",
      message: `${kind}: no schema, ${count} object${count === 1 ? "" : "s"} skipped`,
      file: first.slice(0, at),
      line: Number(first.slice(at + 1)),
      hint: "add the kind's CRD to the repository, run `homeops schemas pull` (uses the repository's `$schema=` comments and --schema-location), or point --schema-location at a schema",
    });
  }
  saveValidatorCodeCache();
  return { objects, cases, findings, counts, noSchema };
}
