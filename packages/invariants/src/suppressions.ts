/** An inline `# homeops-ignore <rule-id>: <reason>` comment. */
export interface InlineSuppression {
  file: string;
  /** Line and column of the comment itself. */
  line: number;
  column: number;
  rule: string;
  /** Empty when the comment gave none (which is itself reported). */
  reason: string;
  /** The line the suppression applies to: its own line for a trailing comment, else the next code line. */
  appliesTo: number;
}

const MARKER = "homeops-ignore";
const COMMENT = /(^|\s)(#|<!--)\s*homeops-ignore\b(.*?)(-->\s*)?$/;
const BODY = /^\s+([^\s:]+)\s*(?::\s*(.*?))?\s*$/;

/**
 * Finds every `homeops-ignore` comment of a file (`# …` in YAML and scripts, `<!-- … -->` in Markdown).
 * A comment alone on its line applies to the next line that is not blank or a comment; a trailing
 * comment applies to its own line.
 */
export function findInlineSuppressions(file: string, text: string): InlineSuppression[] {
  if (!text.includes(MARKER)) return [];
  const lines = text.split("\n");
  const out: InlineSuppression[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const match = COMMENT.exec(line);
    if (!match) continue;
    const commentStart = match.index + match[1]!.length;
    const body = BODY.exec(match[3] ?? "");
    const alone = line.slice(0, commentStart).trim() === "";
    let appliesTo = i + 1;
    if (alone) {
      appliesTo = lines.length;
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!.trim();
        if (next === "" || next.startsWith("#") || next.startsWith("<!--")) continue;
        appliesTo = j + 1;
        break;
      }
    }
    out.push({
      file,
      line: i + 1,
      column: commentStart + 1,
      rule: body?.[1] ?? "",
      reason: body?.[2] ?? "",
      appliesTo,
    });
  }
  return out;
}
