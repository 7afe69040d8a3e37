import { parseYaml, UserError } from "@homeops/core";
import { discoverTemplates, readTemplateSource, type TemplateInputs } from "./discover.js";
import { TemplateEngine, TemplateError } from "./engine.js";

/** One file of the rendered tree, held in memory. */
export interface RenderedFile {
  /** Path relative to the repository root (posix). */
  path: string;
  content: Buffer;
  /** File mode for a new file. */
  mode: number;
  /** The template or file it came from (as shown in messages). */
  source: string;
}

export interface RenderTemplatesOptions {
  /** Input roots in priority order (absolute). */
  roots: readonly string[];
  /** The data templates see as `it` (read strictly). */
  data: object;
  /** Turns an absolute source path into the path shown in messages. */
  display?: (file: string) => string;
}

/**
 * `data` with `versions`: the input roots' `versions.yaml` maps merged (an earlier root wins per key).
 * Without a versions file the data is unchanged. A file that is not a map of strings is a `UserError`.
 */
async function withVersions(data: object, inputs: TemplateInputs): Promise<object> {
  if (inputs.versions.length === 0) return data;
  const versions: Record<string, string> = {};
  for (const source of [...inputs.versions].reverse()) {
    const text = String(readTemplateSource({ ...source, kind: "template" }));
    const value = parseYaml(text, { file: source.display }).documents[0]?.value ?? {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UserError("TEMPLATE_ERROR", `${source.display}: not a map of names to versions`, {
        location: { file: source.display },
        hint: 'write one `name: "1.2.3"` line per version, each under its `# renovate:` comment',
      });
    }
    for (const [key, version] of Object.entries(value)) {
      if (typeof version !== "string") {
        throw new UserError("TEMPLATE_ERROR", `${source.display}: ${key} is not a string (quote it)`, {
          location: { file: source.display },
          hint: 'a version is text: `grafana: "10.1.4"`',
        });
      }
      versions[key] = version;
    }
  }
  return { ...data, versions };
}

/**
 * Renders every template in memory. A template whose output is only whitespace produces no file.
 * Every template is tried; if any fails, the error lists all failures and nothing is returned.
 */
export async function renderTemplates(options: RenderTemplatesOptions): Promise<RenderedFile[]> {
  const inputs: TemplateInputs = await discoverTemplates({
    roots: options.roots,
    ...(options.display ? { display: options.display } : {}),
  });
  const engine = new TemplateEngine();
  for (const partial of inputs.partials) {
    engine.definePartial(partial.output, String(readTemplateSource(partial)), partial.display);
  }
  const data = await withVersions(options.data, inputs);
  const files: RenderedFile[] = [];
  const errors: TemplateError[] = [];
  for (const source of inputs.sources) {
    const raw = readTemplateSource(source);
    if (source.kind === "verbatim") {
      files.push({ path: source.output, content: raw as Buffer, mode: source.mode, source: source.display });
      continue;
    }
    try {
      const text = engine.render(raw as string, data, source.display);
      if (text.trim() === "") continue;
      files.push({
        path: source.output,
        content: Buffer.from(text, "utf8"),
        mode: source.mode & 0o111 ? 0o755 : 0o644,
        source: source.display,
      });
    } catch (error) {
      if (error instanceof TemplateError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new UserError(
      "TEMPLATE_ERROR",
      `${errors.length} templates failed:\n${errors.map((e) => `  ${e.message}`).join("\n")}`,
      {
        ...(errors[0]?.location ? { location: errors[0].location } : {}),
        hint: "nothing was written",
      },
    );
  }
  return files;
}
