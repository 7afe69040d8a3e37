/** Libraries never print; they report through an optional Logger. The CLI implements it on stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const noop = (): void => {};

export const noopLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
