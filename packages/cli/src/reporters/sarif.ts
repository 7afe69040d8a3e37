import { createRequire } from "node:module";
import { type Finding, type Report, type ReportRule, sortFindings } from "@homeops/core";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { Reporter } from "./index.js";

/** The CLI version (the source sits in src/reporters/, the bundle in dist/). */
function cliVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ["../package.json", "../../package.json"]) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === "@homeops/cli" && pkg.version) return pkg.version;
    } catch {
      // not this layout
    }
  }
  return "0.0.0";
}

const LEVEL: Record<Finding["severity"], Result.level> = { error: "error", warning: "warning", info: "note" };

/** Rule metadata for a SARIF `tool.driver.rules` entry: rules the report documents get their docs. */
function describeRule(
  id: string,
  severity: Finding["severity"],
  documented: readonly ReportRule[],
): ReportingDescriptor {
  const rule = documented.find((r) => r.id === id);
  if (!rule) return { id, name: id, defaultConfiguration: { level: LEVEL[severity] } };
  return {
    id,
    name: rule.title,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: {
      text: `${rule.hint}\n\n${rule.docs}`,
      markdown: `**Fix:** ${rule.hint}\n\n${rule.docs}\n\nMore: \`homeops explain ${id}\``,
    },
    defaultConfiguration: { level: LEVEL[rule.severity] },
  };
}

/** The report as a SARIF 2.1.0 log (one run) for GitHub code scanning and other SARIF consumers. */
export function toSarif(report: Report): Log {
  const findings = sortFindings(report.findings);
  const ruleIndex = new Map<string, number>();
  const rules: ReportingDescriptor[] = [];
  for (const f of findings) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push(describeRule(f.ruleId, f.severity, report.rules ?? []));
  }
  const results: Result[] = findings.map((f) => {
    const text = f.hint ? `${f.message}\nhint: ${f.hint}` : f.message;
    const result: Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text },
    };
    // set by `homeops check --baseline`: code scanning then shows only the new findings
    const state = (f as { baselineState?: "new" | "unchanged" }).baselineState;
    if (state) result.baselineState = state;
    if (f.file !== undefined) {
      result.locations = [
        {
          physicalLocation: {
            artifactLocation: { uri: encodeURI(f.file), uriBaseId: "%SRCROOT%" },
            ...(f.line === undefined
              ? {}
              : {
                  region: { startLine: f.line, ...(f.column === undefined ? {} : { startColumn: f.column }) },
                }),
          },
        },
      ];
    }
    return result;
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "homeops",
            semanticVersion: cliVersion(),
            rules,
          },
        },
        automationDetails: { id: `homeops/${report.command.replaceAll(" ", "-")}/` },
        columnKind: "unicodeCodePoints",
        results,
      },
    ],
  };
}

export const sarifReporter: Reporter = {
  format: "sarif",
  write(ctx, report) {
    ctx.stdout.write(`${JSON.stringify(toSarif(report), null, 2)}\n`);
  },
};
