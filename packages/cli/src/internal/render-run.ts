import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { type Finding, UserError } from "@homeops/core";
import type { ApplyResult, PlanEntry, RenderPlan } from "@homeops/render";
import type { ClusterConfig } from "@homeops/schema";
import { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";
import type { OutputFormat } from "../reporters/index.js";
import { printReport } from "./print-report.js";

export const DEFAULT_CONFIG = "bootstrap/config.yaml";
export const SAMPLE_CONFIG = "bootstrap/config.sample.yaml";

/** Loads and validates the config; findings are reported and yield `undefined`. */
export async function loadConfigOrReport(
  ctx: CliContext,
  configPath: string,
  format: OutputFormat,
): Promise<{ config?: ClusterConfig; exit: ExitCode; findings: Finding[] }> {
  const { loadClusterConfig } = await import("@homeops/schema");
  const absolute = resolve(ctx.cwd, configPath);
  const result = await loadClusterConfig(absolute, { file: relative(ctx.cwd, absolute) || configPath });
  if (!result.ok) {
    return {
      exit: await printReport(ctx, format, { command: "validate config", findings: result.findings }),
      findings: result.findings,
    };
  }
  return { config: result.value, exit: ExitCode.Clean, findings: result.findings };
}

/** The `.sops.yaml` text sops should use: the freshly rendered one, else the one on disk. */
async function sopsConfigText(plan: RenderPlan): Promise<string | undefined> {
  const rendered = plan.entries.find((e) => e.path === ".sops.yaml")?.rendered;
  if (rendered) return rendered.content.toString("utf8");
  const { readFile } = await import("node:fs/promises");
  try {
    return await readFile(join(plan.rootDir, ".sops.yaml"), "utf8");
  } catch {
    return undefined;
  }
}

/** Builds the sops encryptor when the plan has secrets to write; stops with a clear error when it cannot. */
export async function encryptorFor(ctx: CliContext, plan: RenderPlan, force: boolean) {
  const needs = plan.entries.some(
    (e) =>
      e.sops &&
      e.rendered &&
      (e.action === "create" || e.action === "update" || (force && e.action === "conflict")),
  );
  if (!needs) return undefined;
  const { createSopsEncryptor, findSops } = await import("@homeops/render");
  const sops = await findSops({ env: ctx.env, extraDirs: [join(ctx.env.HOME ?? homedir(), "go/bin")] });
  const paths = plan.entries.filter((e) => e.sops && e.rendered).map((e) => e.path);
  if (!sops) {
    throw new UserError("TOOL_MISSING", `sops is not installed; it must encrypt ${paths.join(", ")}`, {
      hint: "install sops (https://getsops.io) and run again; nothing was written, no plaintext secret is on disk",
    });
  }
  const sopsConfig = await sopsConfigText(plan);
  if (sopsConfig === undefined) {
    throw new UserError("CONFIG_INVALID", `no .sops.yaml to encrypt ${paths.join(", ")} with`, {
      hint: "nothing was written",
    });
  }
  return createSopsEncryptor({ sops, rootDir: plan.rootDir, sopsConfig, env: ctx.env });
}

const LABEL: Record<PlanEntry["action"], string> = {
  create: "create",
  update: "update",
  unchanged: "unchanged",
  conflict: "conflict",
  delete: "delete",
};

/** One line per entry (unchanged ones only with `all`), then a summary line. */
export function printPlan(
  ctx: CliContext,
  plan: RenderPlan,
  options: { all: boolean; verb: "would" | "did" },
): void {
  const c = ctx.color;
  const paint: Record<PlanEntry["action"], (s: string) => string> = {
    create: c.green,
    update: c.yellow,
    unchanged: c.dim,
    conflict: c.red,
    delete: c.magenta,
  };
  for (const entry of plan.entries) {
    if (entry.action === "unchanged" && !options.all) continue;
    const reason = entry.reason ? c.dim(`  (${entry.reason})`) : "";
    ctx.stdout.write(`${paint[entry.action](LABEL[entry.action].padEnd(9))} ${entry.path}${reason}\n`);
  }
  for (const temp of plan.staleTemps)
    ctx.stdout.write(`${c.dim("cleanup".padEnd(9))} ${temp}  ${c.dim("(left by an interrupted run)")}\n`);
}

export function summaryLine(plan: RenderPlan): string {
  const counts = { create: 0, update: 0, unchanged: 0, conflict: 0, delete: 0 };
  for (const e of plan.entries) counts[e.action]++;
  return `${counts.create} created, ${counts.update} updated, ${counts.delete} deleted, ${counts.unchanged} unchanged, ${counts.conflict} conflicts`;
}

/** Prints conflicts left untouched and how to resolve them. */
export function reportConflicts(ctx: CliContext, result: ApplyResult): void {
  if (result.conflicts.length === 0) return;
  for (const entry of result.conflicts) {
    ctx.stderr.write(
      `${ctx.errColor.red("conflict:")} ${entry.path}: ${entry.reason ?? "changed by hand"}; left untouched\n`,
    );
  }
  ctx.stderr.write(
    `${ctx.errColor.dim("hint:")} move your change into bootstrap/overrides/ (or the config), then run again; or rerun with --force (your version is saved as <file>.homeops-backup)\n`,
  );
}

/** JSON form of a plan (for --output json). */
export function planJson(plan: RenderPlan, result?: ApplyResult) {
  return {
    entries: plan.entries.map((e) => ({
      path: e.path,
      action: e.action,
      ...(e.reason ? { reason: e.reason } : {}),
    })),
    staleTemps: plan.staleTemps,
    ...(result ? { written: result.written, deleted: result.deleted, backups: result.backups } : {}),
  };
}
