import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "@homeops/core";
import type { RepoGraph } from "@homeops/manifests";
import { checkInvariants, type InvariantsReport } from "../src/check.js";
import { readRepoFiles } from "../src/repo-files.js";
import type { ForbiddenLiteral } from "../src/rule.js";
import { parseInvariantsSettings, SETTINGS_FILE } from "../src/settings.js";

export const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** Copies a fixture repo to a temp dir (so tests can mutate it). */
export async function copyFixture(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `homeops-inv-${name}-`));
  await cp(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** Replaces `from` (must occur exactly once) with `to` in a file of the repo. */
export async function edit(root: string, file: string, from: string | RegExp, to: string): Promise<void> {
  const path = join(root, file);
  const text = await readFile(path, "utf8");
  const count =
    typeof from === "string" ? text.split(from).length - 1 : (text.match(new RegExp(from, "g")) ?? []).length;
  if (count !== 1) throw new Error(`${file}: expected exactly one match of ${String(from)}, found ${count}`);
  await writeFile(path, text.replace(from, to));
}

export async function write(root: string, file: string, text: string): Promise<void> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(join(root, file, ".."), { recursive: true });
  await writeFile(join(root, file), text);
}

type BuildRepoGraph = (root: string, options?: { strict?: boolean }) => Promise<RepoGraph>;

/** The manifests build, when the package provides it (graph rules are tested through it). */
export async function graphBuilder(): Promise<BuildRepoGraph | undefined> {
  const manifests = (await import("@homeops/manifests")) as Record<string, unknown>;
  return typeof manifests.buildRepoGraph === "function"
    ? (manifests.buildRepoGraph as BuildRepoGraph)
    : undefined;
}

export interface RunOptions {
  graph?: boolean;
  forbiddenLiterals?: ForbiddenLiteral[];
}

/** Reads, builds (lenient substitution, as `homeops check` does) and checks a repo directory. */
export async function checkRepo(root: string, options: RunOptions = {}): Promise<InvariantsReport> {
  const files = await readRepoFiles(root);
  const settingsText = files.get(SETTINGS_FILE);
  const settings = settingsText === undefined ? undefined : parseInvariantsSettings(settingsText).settings;
  let graph: RepoGraph | undefined;
  if (options.graph !== false) {
    const build = await graphBuilder();
    if (build) graph = await build(root, { strict: false });
  }
  return checkInvariants({
    files,
    ...(graph ? { graph } : {}),
    ...(settings ? { settings } : {}),
    ...(options.forbiddenLiterals ? { forbiddenLiterals: options.forbiddenLiterals } : {}),
  });
}

/** `file:line:col ruleId` lines, for readable assertions. */
export function summarize(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.file ?? ""}:${f.line ?? 0}:${f.column ?? 0} ${f.ruleId}`);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
