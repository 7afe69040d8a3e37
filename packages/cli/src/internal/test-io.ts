import type { CliIo } from "../io.js";

/** An in-memory CliIo for tests: collects stdout/stderr. */
export function createTestIo(
  options: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => out.push(s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => err.push(s), isTTY: options.tty ?? false },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  return {
    io,
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}
