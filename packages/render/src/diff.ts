import { createTwoFilesPatch } from "diff";
import type { PlanEntry } from "./plan.js";

function isText(content: Buffer | null): boolean {
  return content === null || !content.includes(0);
}

/**
 * A unified diff of one plan entry (current → rendered), or a one-line note where a diff would
 * mislead: encrypted files (the ciphertext always differs) and binary files.
 */
export function formatPlanDiff(entry: PlanEntry): string {
  if (entry.action === "unchanged") return "";
  const desired = entry.rendered?.content ?? null;
  if (entry.sops && entry.current !== null && entry.action !== "delete") {
    return `--- ${entry.path} (sops-encrypted: content changed; diff not shown)\n`;
  }
  if (!isText(entry.current) || !isText(desired)) return `Binary file ${entry.path} differs\n`;
  const from = entry.current === null ? "/dev/null" : `a/${entry.path}`;
  const to = desired === null ? "/dev/null" : `b/${entry.path}`;
  return createTwoFilesPatch(
    from,
    to,
    entry.current?.toString("utf8") ?? "",
    desired?.toString("utf8") ?? "",
    "",
    "",
    {
      context: 3,
    },
  )
    .split("\n")
    .filter((line) => !line.startsWith("==="))
    .join("\n");
}
