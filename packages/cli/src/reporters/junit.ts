import type { ReportCase } from "@homeops/core";
import { casesOf } from "./cases.js";
import type { Reporter } from "./index.js";

function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

function count(cases: readonly ReportCase[], status: ReportCase["status"]): number {
  return cases.filter((c) => c.status === status).length;
}

/** JUnit XML: one testsuite per group (Flux Kustomization / directory), one testcase per object. */
export const junitReporter: Reporter = {
  format: "junit",
  write(ctx, report) {
    const cases = casesOf(report);
    const suites = new Map<string, ReportCase[]>();
    for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
    const attrs = (list: readonly ReportCase[]) =>
      `tests="${list.length}" failures="${count(list, "failed")}" errors="${count(list, "error")}" skipped="${count(list, "skipped")}"`;
    const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
    out.push(`<testsuites name="homeops ${escapeXml(report.command)}" ${attrs(cases)}>`);
    let id = 0;
    for (const [suite, list] of suites) {
      out.push(`  <testsuite name="${escapeXml(suite)}" id="${id++}" ${attrs(list)}>`);
      for (const c of list) {
        const classname = c.classname === undefined ? "" : ` classname="${escapeXml(c.classname)}"`;
        const head = `    <testcase name="${escapeXml(c.name)}"${classname}`;
        const body = escapeXml(c.messages.join("\n"));
        const first = escapeXml(c.messages[0] ?? "");
        if (c.status === "passed") out.push(`${head}></testcase>`);
        else if (c.status === "skipped")
          out.push(`${head}>\n      <skipped message="${first}"></skipped>\n    </testcase>`);
        else {
          const tag = c.status === "failed" ? "failure" : "error";
          out.push(
            `${head}>\n      <${tag} message="${first}" type="${c.status}">${body}</${tag}>\n    </testcase>`,
          );
        }
      }
      out.push("  </testsuite>");
    }
    out.push("</testsuites>");
    ctx.stdout.write(`${out.join("\n")}\n`);
  },
};
