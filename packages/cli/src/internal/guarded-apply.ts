import type { ApplyRenderOptions, ApplyResult, RenderPlan } from "@homeops/render";
import { critical } from "./interrupt.js";

/**
 * Holds the repository lock (`.homeops/lock`) while `fn` plans and applies, so two writing runs never
 * mix their trees: the second one fails with "another homeops is running (pid …)" (exit 2).
 */
export async function withRepositoryLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const { lockRepository } = await import("@homeops/render");
  const lock = await lockRepository(root);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** Applies `plan` as a critical section: SIGINT/SIGTERM roll it back instead of killing it mid-write. */
export async function applyInterruptibly(
  plan: RenderPlan,
  options: ApplyRenderOptions,
): Promise<ApplyResult> {
  const { applyRenderPlan } = await import("@homeops/render");
  return critical((signal) => applyRenderPlan(plan, { ...options, signal }));
}
