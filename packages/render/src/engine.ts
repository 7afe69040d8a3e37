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

type TemplateAst = Parameters<Eta["compileBody"]>[0];

/** A compiled template body: given its static text and line numbers, the template function. */
type TemplateFactory = (text: readonly string[], lines: readonly number[]) => TemplateFunction;

/** The text eta's parser escaped for a `'…'` literal (`\\`, `\'`, `\n`), back as it renders. */
function unescapeChunk(chunk: string): string {
  // mostly only newlines were escaped: then every backslash starts a `\n`
  if (!chunk.includes("\\\\") && !chunk.includes("\\'")) return chunk.replaceAll("\\n", "\n");
  return chunk.replace(/\\([\\'n])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

class HomeopsEta extends Eta {
  readonly helpers: TemplateHelpers = templateHelpers;
  /** The static text and the line markers of the template `compileBody` turned into code last. */
  collected: { text: string[]; lines: number[] } = { text: [], lines: [] };

  /**
   * eta's `compileBody` with the static text and the line numbers moved out of the code into arrays
   * (`__eta_text[i]`, `__eta_lines[i]`): templates that differ only in their text (every app's
   * HelmRelease) compile to the same code, which is compiled once. eta inlines both as literals,
   * and compiling the JavaScript was most of a render's time.
   */
  override compileBody = (buffer: TemplateAst): string => {
    const config = this.config;
    const text: string[] = [];
    const lines: number[] = [];
    let code = "";
    for (const item of buffer) {
      if (typeof item === "string") {
        code += `__eta.res+=__eta_text[${text.length}];\n`;
        text.push(unescapeChunk(item));
        continue;
      }
      let value = item.val || "";
      if (config.debug) {
        code += `__eta.line=__eta_lines[${lines.length}]\n`;
        lines.push(item.lineNo ?? 0);
      }
      if (item.t === "r" || item.t === "i") {
        if (config.autoFilter) value = `__eta.f(${value})`;
        if (item.t === "i" && config.autoEscape) value = `__eta.e(${value})`;
        code += `__eta.res+=${value};\n`;
      } else if (item.t === "e") code += `${value}\n`;
      else if (Object.hasOwn(config.customTags, item.t))
        code += `__eta.res+=this.config.customTags[${JSON.stringify(item.t)}](${JSON.stringify(value)},${config.varName});\n`;
    }
    this.collected = { text, lines };
    return code;
  };
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

// eta's debug mode copies the whole template into the code for its default error hook; ours (RuntimeErr
// below) never reads it, and without it the code of two templates that differ only in text is the same
const TEMPLATE_STR = /templateStr: "(?:[^"\\]|\\.)*"/;

function dropTemplateText(code: string): string {
  return code.replace(TEMPLATE_STR, 'templateStr: ""');
}

/** Compiles and renders templates with strict data access and file:line errors. */
export class TemplateEngine {
  private readonly eta: HomeopsEta;
  private readonly files = new Map<string, string>();
  /** Compiled code → its factory: each distinct template body is compiled by V8 once. */
  private readonly factories = new Map<string, TemplateFactory>();

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
      plugins: [{ processTemplate: trimControlLines, processFnString: dropTemplateText }],
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
    // no tag, no code: what eta would render (its literals turn every line ending into \n)
    if (!source.includes(TEMPLATE_TAGS[0]))
      return source.includes("\r") ? source.replace(/\r\n?/g, "\n") : source;
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
    const { lines: lineNumbers } = this.eta.collected;
    const wrapped = `(function (${this.eta.config.varName}, options) {\n${code}\n})`;
    try {
      new Script(wrapped, { filename: "template" });
      return undefined;
    } catch (error) {
      const at = /^template:(\d+)/.exec((error as Error).stack ?? "");
      if (!at) return undefined;
      const lines = wrapped.split("\n").slice(0, Number(at[1]));
      for (let i = lines.length - 1; i >= 0; i--) {
        const marker = /^__eta\.line=__eta_lines\[(\d+)\]/.exec(lines[i]!);
        if (marker) return lineNumbers[Number(marker[1])];
      }
      return 1;
    }
  }

  /** eta's `compile`, through the factory cache: the same code is turned into a function once. */
  private compileCached(source: string): TemplateFunction {
    const code = this.eta.compileToString(source);
    const { text, lines } = this.eta.collected;
    let factory = this.factories.get(code);
    if (!factory) {
      const { varName } = this.eta.config;
      factory = new Function(
        "__eta_text",
        "__eta_lines",
        `return function (${varName}, options) {\n${code}\n};`,
      ) as TemplateFactory;
      this.factories.set(code, factory);
    }
    return factory(text, lines);
  }

  private compile(source: string, file: string): TemplateFunction {
    try {
      return this.compileCached(source);
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
