import { resolve } from "node:path";
import type { HelmRenderOptions } from "@homeops/repo";
import type { Command } from "commander";
import type { CliContext } from "../io.js";
import { chartCacheDir } from "./cache-dir.js";

/** The HelmRelease render flags a command shares with `kubeconform`, `check` and `report`. */
export interface HelmFlags {
  /** `--no-render-helm` sets it false */
  renderHelm?: boolean;
  allowNetwork?: boolean;
  registryConfig?: string;
}

/** Adds `--render-helm` / `--no-render-helm` and `--registry-config`; `allowNetworkHelp` adds `--allow-network`. */
export function addHelmOptions(command: Command, allowNetworkHelp?: string): Command {
  if (allowNetworkHelp !== undefined) command.option("--allow-network", allowNetworkHelp, false);
  return command
    .option("--render-helm", "render HelmReleases whose chart is in the chart cache (default)", true)
    .option("--no-render-helm", "do not render HelmReleases")
    .option(
      "--registry-config <file>",
      "Docker config.json with OCI registry credentials for --allow-network chart pulls",
    );
}

/** The library's render options for those flags (the chart cache from the environment). */
export function helmRenderOptions(ctx: CliContext, flags: HelmFlags): HelmRenderOptions {
  const charts = chartCacheDir(ctx);
  return {
    render: flags.renderHelm !== false,
    allowNetwork: flags.allowNetwork === true,
    ...(charts ? { cacheDir: charts } : {}),
    ...(flags.registryConfig ? { registryConfig: resolve(ctx.cwd, flags.registryConfig) } : {}),
  };
}
