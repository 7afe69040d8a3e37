import type { StatusScope } from "@homeops/flux-bridge";
import type { Command } from "commander";
import { Option } from "commander";
import type { Runner } from "../../command.js";
import { ExitCode } from "../../exit-codes.js";
import {
  addConnectionOptions,
  type ConnectionFlags,
  connect,
  durationOption,
  parseDuration,
} from "../../internal/connection-options.js";
import { printStatusRows, watchProgress } from "../../reporters/flux-status.js";
import { parseOutputFormat } from "../../reporters/index.js";
import { scopeArgument } from "./arguments.js";

/** `homeops flux status [kinds]`. */
export function registerStatus(flux: Command, run: Runner): void {
  addConnectionOptions(
    flux
      .command("status")
      .description(
        "readiness of Flux objects, like `flux get` (exit 0; --watch: 1 when not all Ready in time)",
      )
      .argument("[kinds]", "ks | hr | sources | es | all", scopeArgument, "all")
      .option("-n, --namespace <ns>", "only this namespace (default: all)")
      .option(
        "--status-selector <cond=status>",
        "only rows whose condition has this status, e.g. ready=false",
      )
      .option("-w, --watch", "refresh until everything (not suspended) is Ready, or --timeout")
      .addOption(durationOption("--timeout <duration>", "how long --watch waits", "5m"))
      .addOption(
        new Option("-o, --output <format>", "text or json")
          .default("text")
          .argParser(parseOutputFormat(["text", "json"])),
      ),
  ).action(
    (
      scope: StatusScope,
      opts: ConnectionFlags & {
        namespace?: string;
        statusSelector?: string;
        watch?: boolean;
        timeout: string;
        output: string;
      },
    ) =>
      run(async (ctx) => {
        const { getFluxStatus, watchFluxStatus } = await import("@homeops/flux-bridge");
        const client = await connect(ctx, opts);
        const options = {
          scope,
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          ...(opts.statusSelector ? { statusSelector: opts.statusSelector } : {}),
        };
        let exit: ExitCode = ExitCode.Clean;
        let report: Awaited<ReturnType<typeof getFluxStatus>>;
        if (opts.watch) {
          const timeoutMs = parseDuration(opts.timeout);
          const result = await watchFluxStatus(client, {
            ...options,
            timeoutMs,
            onUpdate: (r) => ctx.progress(watchProgress(r.rows)),
          });
          report = result;
          if (!result.allReady) {
            const waiting = result.rows.filter((x) => !x.suspended && x.state !== "ready");
            ctx.stderr.write(
              `not Ready after ${opts.timeout}: ${waiting.map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(", ")}\n`,
            );
            exit = ExitCode.Findings;
          }
        } else {
          report = await getFluxStatus(client, options);
        }
        if (opts.output === "json")
          ctx.stdout.write(`${JSON.stringify({ command: "flux status", ...report }, null, 2)}\n`);
        else {
          printStatusRows(ctx, report.rows, scope);
          for (const kind of report.notServed)
            ctx.logger.info(`note: the cluster does not serve ${kind}; skipped`);
        }
        return exit;
      }),
  );
}
