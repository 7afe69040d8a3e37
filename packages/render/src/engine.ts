import { Script } from "node:vm";
import { UserError } from "@homeops/core";
import { Eta, type TemplateFunction } from "eta/core";
import { type TemplateHelpers, templateHelpers } from "./helpers.js";
import { MissingKeyError, strictView } from "./internal/strict.js";

/** Template tags: chosen so Helm/Go `{{ }}`, ExternalSecret templates and Flux `${VAR}` pass through. */
export const TEMPLATE_TAGS = ["#{", "}#"] as const;

/** A template failed to compile or render. `location` names the template file and line. */
export class TemplateError extends UserError {
  /** The key path a strict read missed, e.g. `it.apps.romm`. */
  readonly keyPath: string | undefined;

  constructor(
    message: string,
    options: { file: string; line?: number; keyPath?: string; hint?: string; cause?: unknown },
  ) {
    super("TEMPLATE_ERROR", message, {
      location: { file: options.file, ...(options.line === undefined ? {} : { line: options.line }) },
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.keyPath = options.keyPath;
  }
}

class HomeopsEta extends Eta {
  readonly helpers: TemplateHelpers = templateHelpers;
}

/** Interpolation is for scalars: `undefined` or an object printed as text is always a template bug. */
function filterValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  throw new TypeError(
    value === undefined || value === null
      ? `interpolated ${String(value)}`
      : "interpolated an object (use h.toYaml(...) or pick a field)",
  );
}

// A line that holds only exec tags (`#{ if (x) { }#`) renders nothing at all: its indentation and its
// newline move inside the tag, so line numbers stay right and the YAML needs no post-processing.
const CONTROL_LINE = /^([ \t]*)#\{([-_]?)(?![-_]?\s*[=~])(.*)\}#[ \t]*(\r?\n)/gm;

function trimControlLines(source: string): string {
  return source.replace(CONTROL_LINE, (whole, lead: string, _mod: string, body: string, nl: string) => {
    if (body.includes("#{") || body.includes("}#")) return whole;
    // on a control line eta's trim markers are redundant (the whole line goes anyway): drop them so that
    // `-`/`_` cannot also eat the previous line's newline or end up apart from `}#`
    return `#{${lead}${body.replace(/[-_](\s*)$/, "$1")}${nl}}#`;
  });
}

/** Compiles and renders templates with strict data access and file:line errors. */
export class TemplateEngine {
  private readonly eta: HomeopsEta;
  private readonly files = new Map<string, string>();

  constructor() {
    this.eta = new HomeopsEta({
      tags: [...TEMPLATE_TAGS],
      autoEscape: false,
      autoFilter: true,
      filterFunction: filterValue,
      autoTrim: false,
      debug: true,
      cache: false,
      varName: "it",
      functionHeader: "const h = this.helpers;",
      plugins: [{ processTemplate: trimControlLines }],
    });
    // eta reports runtime errors through this hook with the template line it was executing
    this.eta.RuntimeErr = (error: Error, _source: string, line: number, file: string): never => {
      throw toTemplateError(error, file, line);
    };
  }

  /** Registers a partial under `name` (what templates pass to `include(name, data)`). */
  definePartial(name: string, source: string, file: string): void {
    const fn = this.compile(source, file);
    const wrapped = function (this: Eta, data?: object, options?: object) {
      return fn.call(this, strictView(data ?? {}), { ...options, filepath: file });
    } as TemplateFunction;
    this.eta.loadTemplate(name, wrapped);
    this.files.set(name, file);
  }

  /** Renders `source` (from `file`, used in messages) with `data` behind a strict view. */
  render(source: string, data: object, file: string): string {
    const fn = this.compile(source, file);
    try {
      return fn.call(this.eta, strictView(data), { filepath: file });
    } catch (error) {
      throw toTemplateError(error, file);
    }
  }

  /**
   * The template line of a JavaScript syntax error inside tags (`Unexpected token 'catch'`): `new Function`
   * gives no position, so the generated code is compiled again as a script (whose error names its line),
   * and that line is mapped back through the `__eta.line=N` markers eta's debug mode emits.
   */
  private jsErrorLine(source: string): number | undefined {
    let code: string;
    try {
      code = this.eta.compileToString(source);
    } catch {
      return undefined;
    }
    const wrapped = `(function (it, options) {\n${code}\n})`;
    try {
      new Script(wrapped, { filename: "template" });
      return undefined;
    } catch (error) {
      const at = /^template:(\d+)/.exec((error as Error).stack ?? "");
      if (!at) return undefined;
      const lines = wrapped.split("\n").slice(0, Number(at[1]));
      for (let i = lines.length - 1; i >= 0; i--) {
        const marker = /^__eta\.line=(\d+)/.exec(lines[i]!);
        if (marker) return Number(marker[1]);
      }
      return 1;
    }
  }

  private compile(source: string, file: string): TemplateFunction {
    try {
      return this.eta.compile(source);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const position = /at line (\d+) col \d+/.exec(message);
      const first =
        message.split("\n").find((l) => l.trim() !== "" && l !== "Bad template syntax") ?? message;
      // eta's own parse errors carry a position; JavaScript errors inside tags do not
      const line = position ? Number(position[1]) : this.jsErrorLine(source);
      return () => {
        throw new TemplateError(
          `${file}${line ? `:${line}` : ""}: template syntax: ${first.replace(/ at line \d+ col \d+:?$/, "")}`,
          {
            file,
            ...(line === undefined ? {} : { line }),
            cause: error,
          },
        );
      };
    }
  }
}

function toTemplateError(error: unknown, file: string, line?: number): TemplateError {
  if (error instanceof TemplateError) return error;
  const where = `${file}${line === undefined ? "" : `:${line}`}`;
  const base = { file, ...(line === undefined ? {} : { line }), cause: error };
  if (error instanceof MissingKeyError) {
    return new TemplateError(`${where}: template reads undefined key \`${error.keyPath}\``, {
      ...base,
      keyPath: error.keyPath,
      hint: 'add the key to bootstrap/config.yaml, or read it optionally with h.get(obj, "key", fallback) / h.has(obj, "key")',
    });
  }
  if (error instanceof UserError) return new TemplateError(`${where}: ${error.message}`, base);
  const message = error instanceof Error ? error.message : String(error);
  return new TemplateError(`${where}: ${message}`, base);
}
