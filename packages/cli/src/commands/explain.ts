import { UserError } from "@homeops/core";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";

export const explainCommand: CommandSpec = {
  name: "explain",
  register(program, run) {
    program
      .command("explain")
      .description("explain a rule of `homeops check`: why it exists, how to fix it, how to suppress it")
      .argument("[rule-id]", "e.g. flux/unwired-app")
      .option("-l, --list", "list every rule id with its severity and title", false)
      .action((id: string | undefined, options: { list: boolean }) =>
        run((ctx) => explainAction(ctx, id, options)),
      );
  },
};

async function explainAction(
  ctx: CliContext,
  id: string | undefined,
  options: { list: boolean },
): Promise<ExitCode> {
  const { listRules, findRule } = await import("@homeops/invariants");
  const c = ctx.color;
  if (options.list || id === undefined) {
    const rules = listRules();
    const width = Math.max(...rules.map((r) => r.id.length));
    for (const r of rules) {
      ctx.stdout.write(
        `${r.id.padEnd(width)}  ${(r.severity === "error" ? c.red : c.yellow)(r.severity.padEnd(7))}  ${r.kind.padEnd(10)}  ${r.title}\n`,
      );
    }
    return ExitCode.Clean;
  }
  const rule = findRule(id);
  if (!rule) {
    const near = listRules()
      .map((r) => r.id)
      .filter((r) => r.endsWith(`/${id}`) || r.includes(id));
    throw new UserError("USAGE", `unknown rule id '${id}'`, {
      hint:
        near.length > 0 ? `did you mean ${near.join(", ")}?` : "list the rules with `homeops explain --list`",
    });
  }
  ctx.stdout.write(
    `${c.bold(rule.id)}  ${rule.severity}${rule.needs === "graph" ? "  (needs the build)" : ""}\n`,
  );
  ctx.stdout.write(
    rule.kind === "convention"
      ? "kind: convention (a homeops convention: on by default where bootstrap/config.yaml exists, elsewhere with `conventions: true` or a severity under `rules:` in .homeops/invariants.yaml)\n"
      : "kind: invariant (decided from what the cluster does; runs in every repository)\n",
  );
  ctx.stdout.write(`${rule.title}\n\n`);
  ctx.stdout.write(`${c.bold("Why")}\n${rule.rationale}\n\n`);
  ctx.stdout.write(`${c.bold("Fix")}\n${rule.hint}\n\n`);
  ctx.stdout.write(`${c.bold("Details")}\n${rule.docs}\n\n`);
  ctx.stdout.write(
    `${c.bold("Suppress")}\n# homeops-ignore ${rule.id}: <reason>   (on or above the line; a reason is required)\nor an ignore: entry in .homeops/invariants.yaml (see \`homeops explain homeops/invalid-config\`)\n`,
  );
  return ExitCode.Clean;
}
