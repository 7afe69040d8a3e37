import type { Report } from "@homeops/core";
import { InvalidArgumentError } from "commander";
import type { CliContext } from "../io.js";

export type { Report } from "@homeops/core";

/** Every `--output` format; a command offers the ones that make sense for its report. */
export const OUTPUT_FORMATS = ["text", "json", "junit", "tap", "sarif", "github", "markdown"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A reporter turns the typed report into text on stdout. One per `--output` format. */
export interface Reporter {
  format: OutputFormat;
  write(ctx: CliContext, report: Report): void;
}

export interface ReporterOptions {
  /** text: `lines` (one `file:line:col  path  message (rule)` line each, default) or `by-file` (grouped) */
  textStyle?: "lines" | "by-file";
  /** text: first the per-suite counts of the report's cases (kubeconform `--summary`) */
  breakdown?: boolean;
  /** text and markdown of a `homeops diff` report (`Report<DiffRepositoryData>`) */
  diff?: boolean;
  /** text diff: the unified diff of every object too */
  fullDiff?: boolean;
  /** markdown: the most characters written (default 60,000: a GitHub comment holds 65,536) */
  budget?: number;
}

/** The one reporter factory: the reporter of `format` (formats other than text/json load on demand). */
export async function createReporter(format: OutputFormat, options: ReporterOptions = {}): Promise<Reporter> {
  switch (format) {
    case "text": {
      if (options.diff) return (await import("./diff-text.js")).diffTextReporter(options);
      const text = await import("./text.js");
      const base =
        options.textStyle === "by-file"
          ? (await import("./grouped-text.js")).groupedTextReporter
          : text.textReporter;
      return options.breakdown ? text.withBreakdown(base) : base;
    }
    case "json":
      return (await import("./json.js")).jsonReporter;
    case "junit":
      return (await import("./junit.js")).junitReporter;
    case "tap":
      return (await import("./tap.js")).tapReporter;
    case "sarif":
      return (await import("./sarif.js")).sarifReporter;
    case "github":
      return (await import("./github.js")).githubReporter;
    case "markdown":
      return (await import("./markdown.js")).markdownReporter(options);
  }
}

/** Parser for `--output <format>` options; `allowed` limits the choices for a command. */
export function parseOutputFormat(allowed: readonly OutputFormat[]) {
  return (value: string): OutputFormat => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`use one of: ${allowed.join(", ")}`);
    return value as OutputFormat;
  };
}
