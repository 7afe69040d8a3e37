import type { Finding } from "@homeops/core";
import { UserError } from "@homeops/core";
import type { Command } from "commander";
import { Option } from "commander";
import type { Runner } from "../../command.js";
import { ExitCode } from "../../exit-codes.js";
import { addConnectionOptions, type ConnectionFlags, connect } from "../../internal/connection-options.js";
import { printReport } from "../../internal/print-report.js";
import { printFluxDiff } from "../../reporters/flux-diff.js";
import { type OutputFormat, parseOutputFormat } from "../../reporters/index.js";
import { repoGraph } from "./arguments.js";

/** `homeops flux diff|drift|doctor`: the repository compared with the cluster, read-only. */
export function registerReads(flux: Command, run: Runner): void {
  addConnectionOptions(
    flux
      .command("diff")
      .description(
        "what Flux would change: local build, server-side dry-run as kustomize-controller (exit 1 when anything differs)",
      )
      .argument("<kind>", "ks")
      .argument("[name]", "Kustomization name (namespace/name, or name in flux-system)")
      .option("--all", "every Kustomization of the repository")
      .option("--cluster-root <dir>", "directory of the Flux entry points (default <kubernetes dir>/flux)")
      .addOption(
        new Option("-o, --output <format>", "text or json")
          .default("text")
          .argParser(parseOutputFormat(["text", "json"])),
      ),
  ).action(
    (
      kind: string,
      name: string | undefined,
      opts: ConnectionFlags & { all?: boolean; clusterRoot?: string; output: string },
    ) =>
      run(async (ctx) => {
        if (kind !== "ks" && kind !== "kustomization")
          throw new UserError("USAGE", `flux diff: unknown kind ${kind}`, {
            hint: "use `homeops flux diff ks NAME` or `--all`",
          });
        if (!name && !opts.all)
          throw new UserError("USAGE", "flux diff ks: name a Kustomization or pass --all");
        const { diffFlux } = await import("@homeops/flux-bridge");
        const client = await connect(ctx, opts);
        const graph = await repoGraph(ctx, opts.clusterRoot);
        const diffs = await diffFlux(client, graph, name ? { kustomization: name } : {});
        const changed = diffs.some((d) => d.changed);
        printFluxDiff(ctx, opts.output, diffs);
        return changed ? ExitCode.Findings : ExitCode.Clean;
      }),
  );

  for (const verb of ["drift", "doctor"] as const) {
    addConnectionOptions(
      flux
        .command(verb)
        .description(
          verb === "doctor"
            ? "explain every Kustomization/HelmRelease that is not Ready, with the repository file:line (exit 1 on findings)"
            : "objects changed or applied outside GitOps: hand-applied, unlisted, changed out of band (exit 1 on findings)",
        )
        .option("-n, --namespace <ns>", "only this namespace (default: all)")
        .addOption(
          new Option("-o, --output <format>", "output format")
            .default("text")
            .argParser(parseOutputFormat(["text", "json", "sarif", "github", "junit", "tap"])),
        ),
    ).action((opts: ConnectionFlags & { namespace?: string; clusterRoot?: string; output: OutputFormat }) =>
      run(async (ctx) => {
        const { detectDrift, doctorFlux } = await import("@homeops/flux-bridge");
        const client = await connect(ctx, opts);
        const graph = await repoGraph(ctx, opts.clusterRoot);
        const options = opts.namespace ? { namespace: opts.namespace } : {};
        let findings: Finding[];
        let summary: string;
        if (verb === "doctor") {
          const r = await doctorFlux(client, graph, options);
          findings = r.findings;
          summary = r.examined.length
            ? `${r.examined.length} not Ready: ${r.examined.join(", ")}`
            : "everything is Ready";
        } else {
          const r = await detectDrift(client, graph, options);
          findings = r.findings;
          summary = `${r.checked} live objects compared with the repository`;
        }
        return printReport(ctx, opts.output, { command: `flux ${verb}`, findings, summary });
      }),
    );
  }
}
