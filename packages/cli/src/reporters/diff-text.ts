import { findingLocation, sortFindings } from "@homeops/core";
import { type DiffAction, type DiffRepositoryData, describeChanges } from "@homeops/repo";
import type { Colors } from "../io.js";
import type { Reporter, ReporterOptions } from "./index.js";

const SIGN: Record<DiffAction, string> = { added: "+", removed: "-", changed: "~" };

function paint(c: Colors, action: DiffAction, text: string): string {
  return action === "added" ? c.green(text) : action === "removed" ? c.red(text) : c.yellow(text);
}

/** A unified diff with + lines green and - lines red. */
function paintDiff(c: Colors, diff: string): string {
  return diff
    .split("\n")
    .map((l) =>
      l.startsWith("+++") || l.startsWith("---")
        ? c.bold(l)
        : l.startsWith("+")
          ? c.green(l)
          : l.startsWith("-")
            ? c.red(l)
            : l.startsWith("@@")
              ? c.cyan(l)
              : l,
    )
    .join("\n");
}

/** `homeops diff` as text: per Kustomization, each object with its field changes (colours on a TTY). */
export function diffTextReporter(options: ReporterOptions = {}): Reporter {
  return {
    format: "text",
    write(ctx, report) {
      const c = ctx.color;
      const data = report.data as DiffRepositoryData | undefined;
      for (const ks of data?.kustomizations ?? []) {
        ctx.stdout.write(
          `${paint(c, ks.action, `${SIGN[ks.action]} Kustomization ${ks.kustomization}`)} ${c.dim(`(${ks.action}) ${ks.file}:${ks.line}`)}\n`,
        );
        for (const o of ks.objects) {
          const id = `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
          ctx.stdout.write(
            `  ${paint(c, o.action, `${SIGN[o.action]} ${id}`)}  ${c.dim(`${o.file}:${o.line}`)}\n`,
          );
          for (const line of describeChanges(o)) ctx.stdout.write(`      ${line}\n`);
          if (options.fullDiff) ctx.stdout.write(`${paintDiff(c, o.diff).replace(/^/gm, "    ")}\n`);
        }
      }
      for (const f of sortFindings(report.findings)) {
        if (f.severity === "info") continue; // the changes themselves, printed above
        const where = findingLocation(f);
        ctx.stdout.write(
          `${where ? `${c.bold(where)}  ` : ""}${f.severity === "error" ? c.red(f.message) : `${c.yellow("warning:")} ${f.message}`} ${c.dim(`(${f.ruleId})`)}\n`,
        );
        if (f.hint) ctx.stdout.write(`    ${c.dim("hint:")} ${f.hint}\n`);
      }
      const summary = report.summary ?? "";
      ctx.stdout.write(`${data?.differs ? c.yellow(summary) : c.green(summary)}\n`);
    },
  };
}
