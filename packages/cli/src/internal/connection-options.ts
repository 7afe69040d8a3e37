import { homedir } from "node:os";
import type { ConnectOptions } from "@homeops/flux-bridge";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CliContext } from "../io.js";

/** The connection flags every live-cluster command takes (flux, bootstrap, schemas pull, report). */
export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  requestTimeout: string;
}

/** Adds `--kubeconfig`, `--context` and `--request-timeout`. */
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

/** A `--timeout`-like option checked as a duration when parsed. */
export const durationOption = (flags: string, description: string, fallback: string) =>
  new Option(flags, description).default(fallback).argParser((v) => {
    parseDuration(v);
    return v;
  });

/** The cluster client of those flags. */
export async function connect(ctx: CliContext, flags: ConnectionFlags) {
  const { connectCluster } = await import("@homeops/flux-bridge");
  return connectCluster(connectOptions(ctx, flags)).client;
}
