#!/usr/bin/env node
import { handleSignal } from "./internal/interrupt.js";
import { runCli } from "./main.js";

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
