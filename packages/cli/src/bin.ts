#!/usr/bin/env node
import module from "node:module";

// Node ≥ 22.1 can keep V8's compiled code of the modules between runs (in the OS temp directory, or
// NODE_COMPILE_CACHE): a short command then skips most of its compile time. Enabled before the CLI's own
// modules load, hence the dynamic imports below. Node 20 has no such cache.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { dropDependencyDeprecations } = await import("./internal/warnings.js");
dropDependencyDeprecations();
const { handleSignal } = await import("./internal/interrupt.js");
const { runCli } = await import("./main.js");

// Output that cannot be written (`homeops … | head` closed the pipe, `> /dev/full`) ends the run
// quietly with a non-zero code: the output is incomplete, and a stack trace would help nobody.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && stream === process.stdout) {
      process.stderr.write(`homeops: cannot write the output: ${error.code ?? error.message}\n`);
    }
    process.exit(2);
  });
}

// a signal during apply rolls back instead of leaving a half-written tree (see internal/interrupt.ts)
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => handleSignal(signal, process.stderr, (code) => process.exit(code)));
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
