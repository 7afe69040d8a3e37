import { type Finding, sortFindings } from "@homeops/core";
import type { Reporter } from "./index.js";

const COMMAND: Record<Finding["severity"], string> = { error: "error", warning: "warning", info: "notice" };

/** Escaping of workflow command data (the message). */
function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escaping of workflow command property values (file, title). */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** One GitHub Actions workflow command for a finding, e.g. `::error file=a.yaml,line=3,col=5,title=…::msg`. */
export function toGithubAnnotation(f: Finding): string {
  const props: string[] = [];
  if (f.file !== undefined) {
    props.push(`file=${escapeProperty(f.file)}`);
    if (f.line !== undefined) props.push(`line=${f.line}`);
    if (f.column !== undefined) props.push(`col=${f.column}`);
  }
  props.push(`title=${escapeProperty(f.ruleId)}`);
  const message = f.hint ? `${f.message}\nhint: ${f.hint}` : f.message;
  return `::${COMMAND[f.severity]} ${props.join(",")}::${escapeData(message)}`;
}

/** GitHub Actions annotations: one workflow command per finding, then a plain summary line. */
export const githubReporter: Reporter = {
  format: "github",
  write(ctx, report) {
    const findings = sortFindings(report.findings);
    for (const f of findings) ctx.stdout.write(`${toGithubAnnotation(f)}\n`);
    const errors = findings.filter((f) => f.severity === "error").length;
    const warnings = findings.filter((f) => f.severity === "warning").length;
    ctx.stdout.write(`homeops ${report.command}: ${errors} error(s), ${warnings} warning(s)\n`);
  },
};
