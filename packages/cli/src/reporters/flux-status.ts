import type { StatusRow, StatusScope } from "@homeops/flux-bridge";
import type { CliContext } from "../io.js";

/** `flux get`'s table: NAMESPACE NAME REVISION SUSPENDED READY MESSAGE. */
export function printStatusRows(ctx: CliContext, rows: StatusRow[], scope: StatusScope): void {
  const qualified = scope === "all" || scope === "sources";
  const table = rows.map((r) => [
    r.namespace,
    qualified ? `${r.kind.toLowerCase()}/${r.name}` : r.name,
    r.revision,
    r.suspended ? "True" : "False",
    r.state === "stalled" ? "False" : r.ready,
    r.message.replaceAll("\n", " "),
  ]);
  const header = ["NAMESPACE", "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  ctx.stdout.write(`${line(header)}\n`);
  for (const row of table) ctx.stdout.write(`${line(row)}\n`);
}

/** The `--watch` progress line: how many are Ready, and the first few still waiting. */
export function watchProgress(rows: StatusRow[]): string {
  const waiting = rows.filter((x) => !x.suspended && x.state !== "ready");
  return `${rows.length - waiting.length}/${rows.length} Ready${
    waiting.length
      ? `; waiting for ${waiting
          .slice(0, 3)
          .map((w) => `${w.kind} ${w.namespace}/${w.name}`)
          .join(", ")}${waiting.length > 3 ? ", …" : ""}`
      : ""
  }`;
}
