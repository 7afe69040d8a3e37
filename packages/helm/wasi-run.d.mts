// Types of wasi-run.mjs (plain JavaScript, the module's host), for the package's TypeScript and tests.
export function prepareModule(bytes: Uint8Array, mb: number): Uint8Array;
export function loadWasi(): typeof import("node:wasi");
export function startInstance(
  module: object,
  env: Record<string, string>,
): Promise<{ render(batch: string): string }>;
