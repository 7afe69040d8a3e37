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
  /** true when the comment sits in the file's leading comments: it then also covers whole-file findings (1:1). */
  header: boolean;
}

const MARKER = "homeops-ignore";
const COMMENT = /(^|\s)(#|<!--)\s*homeops-ignore\b(.*?)(-->\s*)?$/;
const BODY = /^\s+([^\s:]+)\s*(?::\s*(.*?))?\s*$/;

/**
 * Finds every `homeops-ignore` comment of a file (`# …` in YAML and scripts, `<!-- … -->` in Markdown).
 * A comment alone on its line applies to the next line that is not blank, `---` or a comment; a trailing
 * comment applies to its own line. A comment among the file's leading comments also covers findings about
 * the whole file (reported at 1:1, e.g. an unreferenced file).
 */
export function findInlineSuppressions(file: string, text: string): InlineSuppression[] {
  if (!text.includes(MARKER)) return [];
  const lines = text.split("\n");
  const out: InlineSuppression[] = [];
  let codeSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const match = COMMENT.exec(line);
    const trimmed = line.trim();
    if (!match) {
      if (trimmed !== "" && !trimmed.startsWith("#") && !trimmed.startsWith("<!--") && trimmed !== "---")
        codeSeen = true;
      continue;
    }
    const commentStart = match.index + match[1]!.length;
    const body = BODY.exec(match[3] ?? "");
    const alone = line.slice(0, commentStart).trim() === "";
    let appliesTo = i + 1;
    if (alone) {
      appliesTo = lines.length;
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!.trim();
        if (next === "" || next === "---" || next.startsWith("#") || next.startsWith("<!--")) continue;
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
      header: alone && !codeSeen,
    });
    if (!alone) codeSeen = true;
  }
  return out;
}
