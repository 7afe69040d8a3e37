import type { Logger } from "@homeops/core";
import pc from "picocolors";

export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Everything the CLI touches of the outside world, so commands are testable in-process. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export type Colors = ReturnType<typeof pc.createColors>;

export interface CliContext extends CliIo {
  /** colors for stdout */
  color: Colors;
  /** colors for stderr */
  errColor: Colors;
  logger: Logger;
  /** `--verbose`: reporters also show info-level findings */
  verbose: boolean;
  /** progress/status lines on stderr; silent when stderr is not a TTY unless verbose */
  progress(message: string): void;
}

/** Colors only on a TTY, never with NO_COLOR set (any value), always with FORCE_COLOR. */
export function colorEnabled(stream: CliStream, env: CliIo["env"]): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

export function createContext(io: CliIo, options: { verbose?: boolean; quiet?: boolean } = {}): CliContext {
  const errColor = pc.createColors(colorEnabled(io.stderr, io.env));
  const line = (prefix: string, message: string) => io.stderr.write(`${prefix}${message}\n`);
  const logger: Logger = {
    debug: (m) => {
      if (options.verbose) line(errColor.dim("debug: "), m);
    },
    info: (m) => {
      if (!options.quiet) line("", m);
    },
    warn: (m) => line(errColor.yellow("warning: "), m),
    error: (m) => line(errColor.red("error: "), m),
  };
  const interactive = io.stderr.isTTY === true && io.env.CI === undefined;
  return {
    ...io,
    color: pc.createColors(colorEnabled(io.stdout, io.env)),
    errColor,
    logger,
    verbose: options.verbose === true,
    progress: (message) => {
      if (options.quiet) return;
      if (interactive || options.verbose) line(errColor.dim("… "), message);
    },
  };
}
