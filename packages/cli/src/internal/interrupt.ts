import type { CliStream } from "../io.js";

/**
 * SIGINT/SIGTERM handling. Outside a critical section a signal ends the run at once (exit 2). Inside one
 * (an apply writing files) it aborts the section's signal instead: apply stops before its next write,
 * restores every file it wrote and the ownership manifest, and fails with `INTERRUPTED`.
 */
const state = { controller: new AbortController(), critical: 0 };

/** Runs `fn` as a critical section: a signal aborts `signal` instead of ending the process. */
export async function critical<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  state.critical++;
  try {
    return await fn(state.controller.signal);
  } finally {
    state.critical--;
  }
}

/** What the process does on SIGINT/SIGTERM (installed by bin.ts only: libraries and tests never see it). */
export function handleSignal(name: NodeJS.Signals, stderr: CliStream, exit: (code: number) => void): void {
  if (state.critical > 0) {
    if (!state.controller.signal.aborted) {
      stderr.write(`homeops: ${name}: stopping; restoring the files written so far\n`);
      state.controller.abort();
    }
    return;
  }
  stderr.write(`homeops: ${name}: interrupted\n`);
  exit(2);
}
