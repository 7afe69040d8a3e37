import { casesOf } from "./cases.js";
import type { Reporter } from "./index.js";

/** TAP version 13: one test point per object; skipped objects are `ok … # SKIP reason`. */
export const tapReporter: Reporter = {
  format: "tap",
  write(ctx, report) {
    const cases = casesOf(report);
    const lines = ["TAP version 13"];
    cases.forEach((c, i) => {
      const title = `${c.suite} ${c.name}`.replaceAll("#", "\\#").replaceAll("\n", " ");
      if (c.status === "passed") lines.push(`ok ${i + 1} - ${title}`);
      else if (c.status === "skipped") lines.push(`ok ${i + 1} - ${title} # SKIP ${c.messages.join("; ")}`);
      else {
        lines.push(`not ok ${i + 1} - ${title}`);
        lines.push("  ---", `  status: ${c.status}`, "  messages:");
        for (const m of c.messages) lines.push(`    - ${JSON.stringify(m)}`);
        lines.push("  ...");
      }
    });
    lines.push(`1..${cases.length}`);
    ctx.stdout.write(`${lines.join("\n")}\n`);
  },
};
