import type { KustomizationDiff } from "@homeops/flux-bridge";
import type { CliContext } from "../io.js";

/** `homeops flux diff`'s output: json, or one `► kind/ns/name action` line per change and a count per Kustomization. */
export function printFluxDiff(ctx: CliContext, output: string, diffs: KustomizationDiff[]): void {
  const changed = diffs.some((d) => d.changed);
  if (output === "json") {
    ctx.stdout.write(
      `${JSON.stringify({ command: "flux diff", changed, kustomizations: diffs }, null, 2)}\n`,
    );
  } else {
    const c = ctx.color;
    for (const d of diffs) {
      for (const e of d.entries) {
        if (e.action === "unchanged") continue;
        const what = `${e.kind}/${e.namespace ? `${e.namespace}/` : ""}${e.name}`;
        const where = e.file ? c.dim(`  ${e.file}:${e.line}`) : "";
        ctx.stdout.write(`► ${what} ${e.action}${e.reason ? ` (${e.reason})` : ""}${where}\n`);
        if (e.diff && e.action === "configured") ctx.stdout.write(`${e.diff.trimEnd()}\n`);
      }
      const counts = ["created", "configured", "pruned", "invalid", "unchanged", "skipped"]
        .map((a) => [a, d.entries.filter((e) => e.action === a).length] as const)
        .filter(([, n]) => n > 0)
        .map(([a, n]) => `${n} ${a}`);
      ctx.stdout.write(`Kustomization ${d.kustomization}: ${counts.join(", ") || "no objects"}\n`);
    }
  }
}
