import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findExecutable } from "@homeops/core";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const cliBin = join(repoRoot, "packages/cli/dist/bin.js");

/** Finds a tool on PATH, in the repo's .tools/bin or in ~/go/bin. */
export function findTool(name: string): string | undefined {
  return findExecutable(name, [join(repoRoot, ".tools/bin"), join(homedir(), "go/bin"), process.env.PATH]);
}

/** A required test-time tool: missing is a failure with instructions, never a silent pass. */
export function requireTool(name: string): string {
  const path = findTool(name);
  if (!path) throw new Error(`${name} is not installed: run \`bash scripts/setup.sh --oracles\``);
  return path;
}

export function requireBuiltCli(): string {
  if (!existsSync(cliBin)) throw new Error("packages/cli is not built: run `pnpm build` first");
  return cliBin;
}

export function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
) {
  const result = spawnSync(cmd, args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    input: options.input ?? "",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function gitTracked(dir: string): string[] {
  return execFileSync("git", ["ls-files"], { cwd: dir, encoding: "utf8" }).split("\n").filter(Boolean);
}
