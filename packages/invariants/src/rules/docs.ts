import { posix } from "node:path";
import type { Rule, RuleHit } from "../rule.js";

const CODE_PATH = /^(?:\.\/)?([\w.@-]+(?:\/[\w.@-]+)+)\/?(?::(\d+)(?:-(\d+))?)?$/;
const LINK = /\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;
const CODE = /`([^`\n]+)`/g;

/**
 * Files homeops itself defines (everything under `.homeops/`, and the cluster config): docs name them as
 * formats a repository may not have, not as references.
 */
const HOMEOPS_FILES = new Set([
  ".homeops/invariants.yaml",
  ".homeops/baseline.json",
  "bootstrap/config.yaml",
]);

export const staleReference: Rule = {
  id: "docs/stale-reference",
  title: "Docs reference a path or line range that does not exist",
  severity: "warning",
  needs: "files",
  kind: "convention",
  rationale:
    "Docs that point at files or lines that moved send readers (and reviewers checking evidence) nowhere.",
  hint: "update the path or line range, or remove the reference",
  docs: `Checks Markdown files (CHANGELOG.md excepted): relative link targets (\`[text](../kubernetes/apps)\`,
with \`#L10-L20\` line anchors) resolved against the Markdown file, and inline code spans that look like a
repository path (\`kubernetes/apps/games/romm/ks.yaml\`, \`packages/core/src/yaml.ts:10-20\`) whose first
segment is a top-level entry of the repository (rule ids such as \`docs/stale-reference\` and the files homeops
defines, \`.homeops/invariants.yaml\`, \`.homeops/baseline.json\`, \`bootstrap/config.yaml\`, are not references). Fenced code blocks, URLs and paths with glob or template
characters are not checked.`,
  check(ctx) {
    const hits: RuleHit[] = [];
    const top = new Set(ctx.files.paths().map((p) => p.split("/")[0]!));
    const lineCount = (file: string) => (ctx.files.text(file) ?? "").split("\n").length;
    for (const file of ctx.files.paths()) {
      if (!file.endsWith(".md") || posix.basename(file) === "CHANGELOG.md") continue;
      const lines = (ctx.files.text(file) ?? "").split("\n");
      let fenced = false;
      lines.forEach((line, i) => {
        if (/^\s*(```|~~~)/.test(line)) {
          fenced = !fenced;
          return;
        }
        if (fenced) return;
        const report = (column: number, message: string) => hits.push({ file, line: i + 1, column, message });
        const checkTarget = (
          target: string,
          first: number | undefined,
          last: number | undefined,
          column: number,
          shown: string,
        ) => {
          if (!ctx.files.exists(target)) return report(column, `${shown} does not exist`);
          if (first !== undefined && ctx.files.hasFile(target)) {
            const count = lineCount(target);
            if (first > count || (last ?? first) > count || (last !== undefined && last < first)) {
              report(column, `${shown}: ${target} has ${count} lines`);
            }
          }
        };
        for (const m of line.matchAll(LINK)) {
          const raw = m[1]!;
          if (/^([a-z][a-z0-9+.-]*:|#|\/|<)/i.test(raw) || /[*{}$<>]/.test(raw)) continue;
          const [pathPart, anchor] = raw.split("#", 2) as [string, string | undefined];
          const lines2 = anchor ? /^L(\d+)(?:-L(\d+))?$/.exec(anchor) : null;
          const target = posix
            .normalize(posix.join(posix.dirname(file), decodeURI(pathPart.split("?")[0]!)))
            .replace(/\/+$/, "");
          if (target.startsWith("..")) continue;
          checkTarget(
            target || ".",
            lines2 ? Number(lines2[1]) : undefined,
            lines2?.[2] ? Number(lines2[2]) : undefined,
            m.index + 3,
            `link target ${raw}`,
          );
        }
        for (const m of line.matchAll(CODE)) {
          const match = CODE_PATH.exec(m[1]!);
          if (!match || !top.has(match[1]!.split("/")[0]!) || ctx.ruleIds.has(match[1]!)) continue;
          if (HOMEOPS_FILES.has(match[1]!) || match[1]!.startsWith(".homeops/")) continue;
          checkTarget(
            match[1]!,
            match[2] ? Number(match[2]) : undefined,
            match[3] ? Number(match[3]) : undefined,
            m.index + 2,
            `\`${m[1]}\``,
          );
        }
      });
    }
    return hits;
  },
};
