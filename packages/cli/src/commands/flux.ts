import { homedir } from "node:os";
import type { Finding } from "@homeops/core";
import { UserError } from "@homeops/core";
import type { ConnectOptions, StatusRow, StatusScope } from "@homeops/flux-bridge";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandSpec, Runner } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { printReport } from "../internal/print-report.js";
import type { CliContext } from "../io.js";
import { type OutputFormat, parseOutputFormat } from "../reporters/index.js";

interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  requestTimeout: string;
}

/** Flags every live-cluster command takes. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      "--kubeconfig <file>",
      "kubeconfig file (default: $KUBECONFIG, ./kubeconfig, ~/.kube/config, in-cluster)",
    )
    .option("--context <name>", "kubeconfig context (default: its current-context)")
    .option("--request-timeout <duration>", "timeout of each API request", "15s");
}

/** Flags + environment → connection options (only the CLI reads the environment). */
export function connectOptions(ctx: CliContext, flags: ConnectionFlags): ConnectOptions {
  return {
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(ctx.env.KUBECONFIG ? { kubeconfigEnv: ctx.env.KUBECONFIG } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    repoRoot: ctx.cwd,
    homeDir: ctx.env.HOME ?? homedir(),
    ...(ctx.env.KUBERNETES_SERVICE_HOST
      ? {
          inCluster: {
            host: ctx.env.KUBERNETES_SERVICE_HOST,
            port: ctx.env.KUBERNETES_SERVICE_PORT ?? "443",
          },
        }
      : {}),
    requestTimeoutMs: parseDuration(flags.requestTimeout),
    logger: ctx.logger,
  };
}

/** `30s`, `5m`, `1h`, `1m30s`, `500ms` → milliseconds. */
export function parseDuration(value: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = "";
  for (const m of value.matchAll(re)) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
    consumed += m[0];
  }
  if (!consumed || consumed !== value)
    throw new InvalidArgumentError(`not a duration: ${value} (e.g. 30s, 5m, 1h)`);
  return total;
}

const durationOption = (flags: string, description: string, fallback: string) =>
  new Option(flags, description).default(fallback).argParser((v) => {
    parseDuration(v);
    return v;
  });

function kindArgument(value: string): "ks" | "hr" {
  const map: Record<string, "ks" | "hr"> = { ks: "ks", kustomization: "ks", hr: "hr", helmrelease: "hr" };
  const kind = map[value.toLowerCase()];
  if (!kind) throw new InvalidArgumentError("expected ks (Kustomization) or hr (HelmRelease)");
  return kind;
}

function scopeArgument(value: string): StatusScope {
  const map: Record<string, StatusScope> = {
    ks: "ks",
    kustomizations: "ks",
    hr: "hr",
    helmreleases: "hr",
    sources: "sources",
    es: "es",
    externalsecrets: "es",
    all: "all",
  };
  const scope = map[value.toLowerCase()];
  if (!scope) throw new InvalidArgumentError("expected ks, hr, sources, es or all");
  return scope;
}

async function connect(ctx: CliContext, flags: ConnectionFlags) {
  const { connectCluster } = await import("@homeops/flux-bridge");
  return connectCluster(connectOptions(ctx, flags)).client;
}

async function repoGraph(ctx: CliContext, clusterRoot: string | undefined) {
  const [{ openRepository }, { loadFluxGraph }] = await Promise.all([
    import("@homeops/repo"),
    import("@homeops/flux-bridge"),
  ]);
  const repo = await openRepository(".", { cwd: ctx.cwd, logger: ctx.logger });
  return loadFluxGraph(repo, clusterRoot);
}

// ------------------------------------------------------------------------------------------------ status

function printRows(ctx: CliContext, rows: StatusRow[], scope: StatusScope): void {
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

function registerStatus(flux: Command, run: Runner): void {
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
            onUpdate: (r) => {
              const waiting = r.rows.filter((x) => !x.suspended && x.state !== "ready");
              ctx.progress(
                `${r.rows.length - waiting.length}/${r.rows.length} Ready${
                  waiting.length
                    ? `; waiting for ${waiting
                        .slice(0, 3)
                        .map((w) => `${w.kind} ${w.namespace}/${w.name}`)
                        .join(", ")}${waiting.length > 3 ? ", …" : ""}`
                    : ""
                }`,
              );
            },
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
          printRows(ctx, report.rows, scope);
          for (const kind of report.notServed)
            ctx.logger.info(`note: the cluster does not serve ${kind}; skipped`);
        }
        return exit;
      }),
  );
}

// ------------------------------------------------------------------------------------------------ writes

function registerWrites(flux: Command, run: Runner): void {
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

// ------------------------------------------------------------------------------------------------ diff, drift, doctor

function registerReads(flux: Command, run: Runner): void {
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
        if (opts.output === "json") {
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

/** `homeops flux …`: the live cluster. Only `reconcile`, `suspend`, `resume` write (field manager `homeops`). */
export const fluxCommand: CommandSpec = {
  name: "flux",
  register(program, run) {
    const flux = program
      .command("flux")
      .description(
        "the live cluster: status, reconcile, suspend/resume, diff, drift, doctor (exit 0 ok, 1 findings/diff, 2 cannot run)",
      );
    registerStatus(flux, run);
    registerWrites(flux, run);
    registerReads(flux, run);
  },
};
