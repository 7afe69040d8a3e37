// Shared by the benchmark scripts: flags and the built homeops CLI.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `--name value` from argv, or `fallback`. */
export function flag(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

/** Path of the built `homeops` bin; builds the CLI first when it is missing. */
export function builtHomeops() {
  const homeops = join(root, "packages/cli/dist/bin.js");
  if (!existsSync(homeops)) {
    process.stderr.write("building the CLI first (pnpm turbo run build --filter @homeops/cli...)\n");
    execFileSync(
      "pnpm",
      ["exec", "turbo", "run", "build", "--filter", "@homeops/cli...", "--output-logs=errors-only"],
      { cwd: root, stdio: "inherit" },
    );
  }
  return homeops;
}
