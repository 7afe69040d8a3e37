import type { Finding, ReportCase, SourcePosition } from "@homeops/core";
import type { SchemaCatalog } from "./schema-catalog.js";
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
  violations: (SourcePosition & { path: string; message: string })[];
}

export interface ValidateObjectsResult {
  /** one per unit, in order */
  objects: ObjectReport[];
  /** one per unit, in order (junit/tap) */
  cases: ReportCase[];
  /** `kubeconform/invalid` per violation, `kubeconform/error`, `kubeconform/skipped` (info) */
  findings: Finding[];
  counts: Record<ObjectStatus, number>;
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
  for (const { origin, object } of units) {
    const verdict = await validateObject(catalog, object.object, {
      skipKinds,
      ignoreMissingSchemas: options.ignoreMissingSchemas ?? false,
    });
    counts[verdict.status]++;
    const label = `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
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
      source: `${object.provenance.file}:${object.provenance.line}`,
      status: verdict.status,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
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
          ? "add a schema with --schema-location, or pass --ignore-missing-schemas"
          : `built by ${origin}`,
      });
    }
    if (verdict.status === "skipped" && !skipKinds.includes(object.kind)) {
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
  return { objects, cases, findings, counts };
}
