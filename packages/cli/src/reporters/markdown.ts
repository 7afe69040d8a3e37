import { findingLocation, sortFindings } from "@homeops/core";
import { type DiffRepositoryData, describeChanges, type ObjectDiff } from "@homeops/repo";
import type { Reporter, ReporterOptions } from "./index.js";

/** GitHub refuses comments over 65,536 characters; the default leaves room for a header the workflow adds. */
export const DEFAULT_MARKDOWN_BUDGET = 60_000;

/** The first line of every diff comment: what a workflow looks for to update its one sticky comment. */
export const DIFF_COMMENT_MARKER = "<!-- homeops-diff -->";

function code(text: string): string {
  const ticks = text.includes("`") ? "``" : "`";
  return `${ticks}${ticks === "``" ? " " : ""}${text}${ticks === "``" ? " " : ""}${ticks}`;
}

function fence(text: string, lang: string): string {
  let ticks = "```";
  while (text.includes(ticks)) ticks += "`";
  return `${ticks}${lang}\n${text.replace(/\n$/, "")}\n${ticks}\n`;
}

function objectId(o: ObjectDiff): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

const SIGN = { added: "➕", removed: "➖", changed: "✏️" } as const;

/**
 * `homeops diff` as a pull-request comment within `budget` characters: the counts per Kustomization
 * always, then each object's field changes, then the full unified diff collapsed in `<details>`; what does
 * not fit is left out whole (never cut mid-block) and the comment says how much.
 */
export function formatDiffMarkdown(
  data: DiffRepositoryData,
  summary: string,
  budget: number,
  warnings: readonly string[] = [],
): string {
  const head = `${DIFF_COMMENT_MARKER}\n### homeops diff\n\n**${summary}**\n${warnings.map((w) => `\n> ⚠️ ${w}\n`).join("")}`;
  if (!data.differs) return head;
  const rows = data.kustomizations.map(
    (k) =>
      `| ${code(k.kustomization)} | ${k.action} | ${k.counts.added} | ${k.counts.removed} | ${k.counts.changed} |\n`,
  );
  const tableHead = "\n| Kustomization | | added | removed | changed |\n|---|---|--:|--:|--:|\n";
  const note = (n: number, what: string) =>
    `\n_${n} ${what} left out to stay within ${budget} characters: run \`homeops diff\` locally for all of it._\n`;
  const reserve = 200; // room for the notes
  let out = head + tableHead;
  let left = 0;
  for (const row of rows) {
    if (left > 0 || out.length + row.length + reserve > budget) left++;
    else out += row;
  }
  if (left > 0) return out + note(left, "Kustomization rows");

  const sections = data.kustomizations.map((k) => {
    let s = `\n#### ${code(k.kustomization)} (${k.action})\n\n`;
    for (const o of k.objects) {
      s += `- ${SIGN[o.action]} **${o.kind}** ${code(`${o.namespace ? `${o.namespace}/` : ""}${o.name}`)} — ${code(`${o.file}:${o.line}`)}\n`;
      for (const line of describeChanges(o)) s += `  - ${code(line)}\n`;
    }
    return s;
  });
  for (const s of sections) {
    if (left > 0 || out.length + s.length + reserve > budget) left++;
    else out += s;
  }
  if (left > 0) return out + note(left, "Kustomization sections");

  const open = "\n<details><summary>Full diff</summary>\n\n";
  const close = "</details>\n";
  const blocks = data.kustomizations.flatMap((k) =>
    k.objects.map((o) => `${code(`${k.kustomization}: ${objectId(o)}`)}\n\n${fence(o.diff, "diff")}\n`),
  );
  let details = "";
  for (const b of blocks) {
    if (left > 0 || out.length + open.length + details.length + b.length + close.length + reserve > budget)
      left++;
    else details += b;
  }
  if (details === "") return out + note(left, "object diffs");
  return out + open + details + (left > 0 ? note(left, "object diffs") : "") + close;
}

/** Markdown of any report: the summary and the findings (the diff report gets `formatDiffMarkdown`). */
export function markdownReporter(options: ReporterOptions = {}): Reporter {
  return {
    format: "markdown",
    write(ctx, report) {
      const data = report.data as DiffRepositoryData | undefined;
      if (report.command === "diff" && data?.kustomizations) {
        const warnings = sortFindings(report.findings)
          .filter((f) => f.severity !== "info")
          .map((f) => `${f.message}${f.hint ? ` (${f.hint})` : ""}`);
        const budget = options.budget ?? DEFAULT_MARKDOWN_BUDGET;
        ctx.stdout.write(formatDiffMarkdown(data, report.summary ?? "", budget, warnings));
        return;
      }
      let text = `### homeops ${report.command}\n\n${report.summary ? `**${report.summary}**\n\n` : ""}`;
      for (const f of sortFindings(report.findings)) {
        const where = findingLocation(f);
        text += `- **${f.severity}** ${where ? `${code(where)} ` : ""}${f.message} (${code(f.ruleId)})\n`;
      }
      ctx.stdout.write(text);
    },
  };
}
