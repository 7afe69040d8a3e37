import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toPosixPath, UserError, type WalkEntry, walkTree } from "@homeops/core";

/** One file found under an input root. */
export interface TemplateSource {
  /** Output path relative to the repository root (posix), `.eta` stripped. */
  output: string;
  /** Absolute path of the source file. */
  file: string;
  /** Source path as shown in messages (relative to the repository root when possible). */
  display: string;
  kind: "template" | "partial" | "verbatim";
  /** File mode bits of the source (verbatim copies keep them). */
  mode: number;
}

export interface TemplateInputs {
  /** Files that produce output, sorted by output path; an earlier root wins. */
  sources: TemplateSource[];
  /** Partials by name (their path relative to the input root); an earlier root wins. */
  partials: TemplateSource[];
  /** Each input root's `versions.yaml` (data, never written), in priority order. */
  versions: TemplateSource[];
}

export interface DiscoverTemplatesOptions {
  /** Input roots in priority order, e.g. `[bootstrap/overrides, bootstrap/templates]` (absolute). */
  roots: readonly string[];
  /** Turns an absolute source path into the path shown in messages. Default: the path itself. */
  display?: (file: string) => string;
}

// Files that document an input root itself; they are never rendered into the repository.
const ROOT_DOCS = new Set(["README.md", ".gitkeep"]);

/**
 * An input root's version data: templates read it as `it.versions.<key>` (an earlier root wins per key).
 * Renovate keeps it current through its `# renovate:` comments, so no Renovate manager parses eta.
 */
export const VERSIONS_FILE = "versions.yaml";

/**
 * Walks the input roots: `*.partial.eta` are partials (included, never written), `*.eta` are templates
 * (suffix stripped), everything else is copied verbatim. A missing root is skipped.
 */
export async function discoverTemplates(options: DiscoverTemplatesOptions): Promise<TemplateInputs> {
  const display = options.display ?? ((f: string) => f);
  const outputs = new Map<string, TemplateSource>();
  const partials = new Map<string, TemplateSource>();
  const versions: TemplateSource[] = [];
  for (const root of options.roots) {
    for (const rel of walk(root)) {
      const file = join(root, rel);
      const mode = lstatSync(file).mode & 0o777;
      const base = { file, display: display(file), mode };
      if (!rel.includes("/") && ROOT_DOCS.has(rel)) continue;
      if (rel === VERSIONS_FILE) {
        versions.push({ ...base, output: rel, kind: "verbatim" });
        continue;
      }
      if (rel.endsWith(".partial.eta")) {
        if (!partials.has(rel)) partials.set(rel, { ...base, output: rel, kind: "partial" });
      } else if (rel.endsWith(".eta")) {
        const output = rel.slice(0, -".eta".length);
        if (!outputs.has(output)) outputs.set(output, { ...base, output, kind: "template" });
      } else if (!outputs.has(rel)) {
        outputs.set(rel, { ...base, output: rel, kind: "verbatim" });
      }
    }
  }
  const byOutput = (a: TemplateSource, b: TemplateSource) =>
    a.output < b.output ? -1 : a.output > b.output ? 1 : 0;
  return {
    sources: [...outputs.values()].sort(byOutput),
    partials: [...partials.values()].sort(byOutput),
    versions,
  };
}

/** Every file under a template root (posix, depth first, sorted); a missing root has none. */
function walk(root: string): string[] {
  let entries: WalkEntry[];
  try {
    entries = walkTree(root, ".", { enter: () => true, unreadable: "throw" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !existsSync(root)) return [];
    throw error;
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.kind === "file") out.push(entry.path);
    else if (entry.kind === "symlink") {
      // a link could read from outside the repository, and skipping it would lose a file silently
      throw new UserError(
        "SYMLINK_REFUSED",
        `${toPosixPath(join(root, entry.path))}: templates may not be symlinks`,
        {
          location: { file: toPosixPath(join(root, entry.path)) },
          hint: "replace the symlink with the file (or directory) itself",
        },
      );
    }
  }
  return out;
}

/**
 * Reads a source file (templates as UTF-8 text, verbatim files as bytes). Synchronous, as the walk is:
 * a render reads every template once, one after another.
 */
export function readTemplateSource(source: TemplateSource): string | Buffer {
  if (source.kind === "verbatim") return readFileSync(source.file);
  // a checkout with CRLF line endings renders the same files as one with LF
  const text = readFileSync(source.file, "utf8");
  return text.includes("\r") ? text.replace(/\r\n/g, "\n") : text;
}
