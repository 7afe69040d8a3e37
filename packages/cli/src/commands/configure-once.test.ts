import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { createTestIo } from "../internal/test-io.js";
import { freshRepo } from "../internal/test-repo.js";
import { createContext } from "../io.js";

// Counts every YAML parse (core parses with `yaml`'s parseAllDocuments, manifests tokenizes with its
// Parser and composes the tokens, or reads a file without positions with js-yaml's loadAll), every file
// read (node:fs/promises readFile) and every RepoGraph build, through the libraries themselves.
const counts = vi.hoisted(() => ({
  phase: "render" as "render" | "stages",
  parses: new Map<string, number>(),
  /** js-yaml's reads (manifests' fast reader), by text */
  fastReads: new Map<string, number>(),
  allParses: new Map<string, number>(),
  reads: new Map<string, number>(),
  graphBuilds: 0,
}));
vi.mock("js-yaml", async (importOriginal) => {
  const actual = await importOriginal<typeof import("js-yaml")>();
  const loadAll = ((text: string, ...rest: unknown[]) => {
    if (counts.phase === "stages") counts.fastReads.set(text, (counts.fastReads.get(text) ?? 0) + 1);
    return (actual.loadAll as (...a: unknown[]) => unknown)(text, ...rest);
  }) as typeof actual.loadAll;
  const mocked = { ...actual, loadAll };
  return { ...mocked, default: mocked };
});
vi.mock("yaml", async (importOriginal) => {
  const actual = await importOriginal<typeof import("yaml")>();
  const count = (text: string) => {
    counts.allParses.set(text, (counts.allParses.get(text) ?? 0) + 1);
    if (counts.phase === "stages") counts.parses.set(text, (counts.parses.get(text) ?? 0) + 1);
  };
  const parseAllDocuments = ((text: string, ...rest: unknown[]) => {
    count(text);
    return (actual.parseAllDocuments as (...a: unknown[]) => unknown)(text, ...rest);
  }) as typeof actual.parseAllDocuments;
  // the package's own functions use its internal Parser: only callers of the export are counted here
  class Parser extends actual.Parser {
    override *parse(source: string, incomplete?: boolean) {
      count(source);
      yield* super.parse(source, incomplete);
    }
  }
  const mocked = { ...actual, parseAllDocuments, Parser };
  return { ...mocked, default: mocked };
});
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const readFile = ((path: unknown, ...rest: unknown[]) => {
    if (counts.phase === "stages" && typeof path === "string")
      counts.reads.set(path, (counts.reads.get(path) ?? 0) + 1);
    return (actual.readFile as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof actual.readFile;
  return { ...actual, readFile, default: { ...actual, readFile } };
});
vi.mock("@homeops/manifests", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@homeops/manifests")>();
  return {
    ...actual,
    buildRepoGraph: (...args: Parameters<typeof actual.buildRepoGraph>) => {
      counts.graphBuilds++;
      return actual.buildRepoGraph(...args);
    },
  };
});

const { configureRepository } = await import("./configure.js");
const { configureStages } = await import("../internal/configure-stages.js");

describe("homeops configure reads the repository once", () => {
  it("parses each file once, builds each Flux Kustomization once, loads the config once", async () => {
    const dir = await freshRepo();
    await rm(join(dir, "bootstrap/config.yaml"));
    // an empty cache: every file is parsed in this run (none restored from an earlier run's parse cache)
    const cache = mkdtempSync(join(tmpdir(), "homeops-configure-cache-"));
    const t = createTestIo({ cwd: dir, env: { HOME: process.env.HOME, HOMEOPS_CACHE_DIR: cache } });
    const stages = configureStages.map((stage) =>
      stage.run
        ? {
            ...stage,
            run: (...args: Parameters<NonNullable<typeof stage.run>>) => {
              counts.phase = "stages";
              return stage.run!(...args);
            },
          }
        : stage,
    );
    const code = await configureRepository(createContext(t.io, { verbose: true }), {
      config: "bootstrap/config.yaml",
      yes: true,
      force: false,
      stages,
    });
    expect(t.stdout()).toMatch(/^kubernetes:kubeconform\s+passed$/m);
    expect(t.stdout()).toMatch(/^kubernetes:check\s+passed$/m);
    expect(code).toBe(ExitCode.Clean);

    // one RepoGraph for both stages, and in it every Flux Kustomization built once
    expect(counts.graphBuilds).toBe(1);
    const built = t
      .stderr()
      .split("\n")
      .flatMap((line) => /building Kustomization (\S+)/.exec(line)?.[1] ?? []);
    expect(built.length).toBeGreaterThan(10);
    expect(built.filter((ks, i) => built.indexOf(ks) !== i)).toEqual([]);

    // the config: parsed once (validate config), shared with the check stage
    expect(counts.allParses.get(readFileSync(join(dir, "bootstrap/config.yaml"), "utf8"))).toBe(1);
    // during the stages, no file's text is parsed twice by either reader and no file is read twice
    // (strings inside files, such as a parent's patch applied to each child, are not files; a file read
    // without positions is parsed with them when a position inside it is asked for)
    expect(new Set([...counts.parses.keys(), ...counts.fastReads.keys()]).size).toBeGreaterThan(50);
    expect(counts.fastReads.size).toBeGreaterThan(25);
    const files = new Map<string, string[]>();
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const text = readFileSync(path, "utf8");
      files.set(text, [...(files.get(text) ?? []), path.slice(dir.length + 1)]);
    }
    const twice = [...counts.parses, ...counts.fastReads]
      .filter(([text, n]) => files.has(text) && n > files.get(text)!.length)
      .map(([text, n]) => `${n}x ${files.get(text)!.join(", ")}`);
    expect(twice).toEqual([]);
    expect([...counts.reads].filter(([, n]) => n > 1).map(([path]) => path)).toEqual([]);
  }, 180_000);
});
