import { relative, resolve } from "node:path";
import { type Report, toPosixPath } from "@homeops/core";
import type { ClusterConfig } from "@homeops/schema";
import { DEFAULT_CONFIG_FILE } from "./repository.js";

export interface ValidateConfigOptions {
  /** Directory `file` is relative to (the repository root). */
  cwd: string;
  /** The config file. Default `bootstrap/config.yaml`. */
  file?: string;
}

/** The json data of a validate-config report: the fully defaulted config when valid. */
export interface ValidateConfigData {
  file: string;
  config?: ClusterConfig;
}

/**
 * The config stage (`homeops validate config`): every field and cross-field rule of the cluster config,
 * all findings at once. A missing, unreadable, non-YAML or empty file is a `UserError`.
 */
export async function validateConfig(
  options: ValidateConfigOptions,
): Promise<Report<ValidateConfigData> & { config?: ClusterConfig }> {
  const { loadClusterConfig } = await import("@homeops/schema");
  const absolute = resolve(options.cwd, options.file ?? DEFAULT_CONFIG_FILE);
  // shown relative to the repository, or absolute when it lies outside
  const inside = toPosixPath(relative(options.cwd, absolute));
  const file = inside === "" || inside.startsWith("../") ? absolute : inside;
  const result = await loadClusterConfig(absolute, { file });
  return {
    command: "validate config",
    findings: result.findings,
    summary: `${file}: ${result.ok ? "valid" : "invalid"}`,
    data: result.ok ? { file, config: result.value } : { file },
    ...(result.ok ? { config: result.value } : {}),
  };
}
