import { hasErrors, sortFindings } from "@homeops/core";
import type { Reporter } from "./index.js";

export const jsonReporter: Reporter = {
  format: "json",
  write(ctx, report) {
    const out = {
      command: report.command,
      ok: !hasErrors(report.findings),
      findings: sortFindings(report.findings),
      ...(report.data === undefined ? {} : { data: report.data }),
    };
    ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  },
};
