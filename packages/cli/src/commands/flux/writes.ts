import type { Command } from "commander";
import type { Runner } from "../../command.js";
import { ExitCode } from "../../exit-codes.js";
import {
  addConnectionOptions,
  type ConnectionFlags,
  connect,
  durationOption,
  parseDuration,
} from "../../internal/connection-options.js";
import { kindArgument } from "./arguments.js";

/** `homeops flux reconcile|suspend|resume <kind> <name>`: the only commands that write (field manager `homeops`). */
export function registerWrites(flux: Command, run: Runner): void {
  addConnectionOptions(
    flux
      .command("reconcile")
      .description(
        "ask Flux to reconcile a Kustomization or HelmRelease now and wait until it is handled (writes an annotation)",
      )
      .argument("<kind>", "ks | hr", kindArgument)
      .argument("<name>")
      .option("-n, --namespace <ns>", "namespace", "flux-system")
      .option("--with-source", "reconcile its source first")
      .option("--force", "HelmRelease: force a one-off upgrade (reconcile.fluxcd.io/forceAt)")
      .addOption(durationOption("--timeout <duration>", "how long to wait", "5m")),
  ).action(
    (
      kind: "ks" | "hr",
      name: string,
      opts: ConnectionFlags & { namespace: string; withSource?: boolean; force?: boolean; timeout: string },
    ) =>
      run(async (ctx) => {
        const { reconcileFluxObject } = await import("@homeops/flux-bridge");
        const client = await connect(ctx, opts);
        const result = await reconcileFluxObject(client, kind, name, opts.namespace, {
          withSource: opts.withSource === true,
          force: opts.force === true,
          timeoutMs: parseDuration(opts.timeout),
          onProgress: (m) => ctx.progress(m),
        });
        const what = `${result.kind} ${result.namespace}/${result.name}`;
        if (result.ready) {
          ctx.stdout.write(
            `${what} reconciled${result.revision ? ` (${result.revision})` : ""}: ${result.message}\n`,
          );
          return ExitCode.Clean;
        }
        ctx.stdout.write(`${what} reconciled but not Ready (${result.reason}): ${result.message}\n`);
        return ExitCode.Findings;
      }),
  );

  for (const verb of ["suspend", "resume"] as const) {
    addConnectionOptions(
      flux
        .command(verb)
        .description(
          verb === "suspend"
            ? "stop Flux reconciling an object (spec.suspend: true)"
            : "let Flux reconcile an object again and wait until Ready",
        )
        .argument("<kind>", "ks | hr", kindArgument)
        .argument("<name>")
        .option("-n, --namespace <ns>", "namespace", "flux-system")
        .addOption(durationOption("--timeout <duration>", "resume: how long to wait", "5m")),
    ).action(
      (kind: "ks" | "hr", name: string, opts: ConnectionFlags & { namespace: string; timeout: string }) =>
        run(async (ctx) => {
          const { resumeFluxObject, suspendFluxObject } = await import("@homeops/flux-bridge");
          const client = await connect(ctx, opts);
          if (verb === "suspend") {
            const r = await suspendFluxObject(client, kind, name, opts.namespace);
            ctx.stdout.write(
              `${r.kind} ${r.namespace}/${r.name} ${r.changed ? "suspended" : "was already suspended"}\n`,
            );
            return ExitCode.Clean;
          }
          const r = await resumeFluxObject(client, kind, name, opts.namespace, {
            timeoutMs: parseDuration(opts.timeout),
            onProgress: (m) => ctx.progress(m),
          });
          ctx.stdout.write(
            `${r.kind} ${r.namespace}/${r.name} resumed; ${r.ready ? "Ready" : `not Ready: ${r.message}`}\n`,
          );
          return r.ready ? ExitCode.Clean : ExitCode.Findings;
        }),
    );
  }
}
