import type { Repository } from "@homeops/repo";
import type { ExitCode } from "../exit-codes.js";
import type { CliContext } from "../io.js";

/** One validation stage `configure` runs after rendering. */
export interface ConfigureStage {
  /** stable id, e.g. `kubeconform` */
  id: string;
  /** what the user sees, e.g. `kubernetes:kubeconform` */
  title: string;
  /**
   * runs the stage over the repository every stage shares (a command's exported function); absent = not
   * delivered yet; `{ notRun }` = it cannot run in this repository yet, and why
   */
  run?: (ctx: CliContext, repo: Repository) => Promise<ExitCode | { notRun: string }>;
  /** why it does not run yet, shown as `not run (…)` */
  pending?: string;
}

/**
 * The validation stages after render, in order. Plug a stage in by giving it `run` (e.g. the exported
 * function behind `homeops kubeconform` / `homeops check`); until then it is reported as not run.
 */
export const configureStages: ConfigureStage[] = [
  {
    id: "kubeconform",
    title: "kubernetes:kubeconform",
    run: async (ctx, repo) => (await import("../commands/kubeconform.js")).kubeconformStage(ctx, repo),
  },
  {
    id: "invariants",
    title: "kubernetes:check",
    run: async (ctx, repo) => (await import("../commands/check.js")).checkStage(ctx, repo),
  },
  {
    id: "talos",
    title: "talos",
    run: async (ctx, repo) => (await import("../commands/talos/validate.js")).talosStage(ctx, repo),
  },
];
