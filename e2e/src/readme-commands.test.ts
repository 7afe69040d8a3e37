import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { findExecutable } from "@homeops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./tools.js";

// The README's two commands, run as a newcomer runs them: a fresh `git clone`, a fresh HOME, a fresh
// non-login shell (`env -i`, no profile, no rc) whose PATH is a bare machine's plus the directories
// Node.js and Go live in on this machine kind, and an empty /usr/local/bin (a private mount namespace
// with a tmpfs over it, so nothing the test or the machine put there leaks in and nothing the run links
// there leaks out).
//
// Two deliberate differences from a cold machine, both caches and neither a change to the commands:
// the Go module/build caches and the pnpm store are the warm ones of this machine (the module cache is the
// Go proxy and pnpm runs offline, so nothing is fetched: tests never reach the network), and the clone's .tools/bin is
// seeded with this checkout's already-built *oracle* binaries (kustomize, kubeconform, sops, tools/*),
// which setup.sh would otherwise rebuild from the same cache for minutes. `task` is not seeded: setup
// builds it and must make it reachable by name, which is the point of the first command.
//
// The second command, `bash scripts/test.sh`, is what CI itself runs (.ci/run) on a fresh clone, so the
// full suite running inside this test would only run it twice, recursively. Here it runs exactly as
// printed plus one vitest filter (`packages/core`): every step of the script — setup with --oracles,
// typecheck, lint, build, vitest with its JSON summary — runs in the clean environment; only the list of
// test files is shorter.

const BARE_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function sh(command: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync("bash", ["-c", command], { encoding: "utf8", env });
  return r.status === 0 ? r.stdout.trim() : "";
}

/** The fenced `sh` block under "## Two commands" in README.md, in order. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Two commands"));
  if (!section) throw new Error('README.md has no "## Two commands" section');
  return [...section.matchAll(/```sh\n([^`]+?)\n```/g)].map((m) => m[1]!.trim());
}

/** Where `name` lives on this machine, outside this checkout (.tools/node24 is not the machine's node). */
function machineDir(name: string): string | undefined {
  const dirs = [...BARE_PATH, ...(process.env.PATH ?? "").split(delimiter)].filter(
    (d) => !d.startsWith(repoRoot),
  );
  const found = findExecutable(name, dirs);
  return found === undefined ? undefined : dirname(found);
}

const canUnshare = spawnSync("unshare", ["--mount", "--propagation", "private", "true"]).status === 0;
const nodeDir = machineDir("node");
const goDir = machineDir("go");
// under CI this test must run; elsewhere say why it cannot
const blocker = !canUnshare
  ? "needs a private mount namespace (unshare --mount) for an empty /usr/local/bin"
  : !nodeDir || !goDir
    ? "node and go must be installed on this machine"
    : nodeDir !== dirname(process.execPath) && !process.execPath.startsWith(nodeDir)
      ? `runs under the machine's own Node.js (${nodeDir}/node), not ${process.execPath}`
      : undefined;
if (blocker && process.env.CI === "true" && !blocker.startsWith("runs under")) throw new Error(blocker);

describe.skipIf(blocker !== undefined)("the README's two commands in a clean environment", () => {
  let work: string;
  let clone: string;
  let env: Record<string, string>;

  /** Runs `command` in a fresh shell in the clone, with an empty /usr/local/bin; then `after` in another fresh shell. */
  function inCleanShell(command: string, after = "true") {
    const script =
      'mount -t tmpfs tmpfs /usr/local/bin || exit 90; cd "$1" || exit 91; shift; cmd=$1 after=$2; shift 2; ' +
      'env -i "$@" bash --noprofile --norc -c "$cmd" || exit $?; ' +
      'env -i "$@" bash --noprofile --norc -c "$after"';
    const r = spawnSync(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "bash",
        "-c",
        script,
        "clean",
        clone,
        command,
        after,
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 },
    );
    const logs = existsSync(join(clone, ".tools"))
      ? readdirSync(join(clone, ".tools"))
          .filter((f) => f.endsWith(".log"))
          .map((f) => `--- .tools/${f}\n${readFileSync(join(clone, ".tools", f), "utf8").slice(-4000)}`)
      : [];
    return { code: r.status, out: [r.stdout, r.stderr, ...(r.status === 0 ? [] : logs)].join("\n") };
  }

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "homeops-readme-"));
    clone = join(work, "repo");
    const home = join(work, "home");
    mkdirSync(home);
    const cloned = spawnSync("git", ["clone", "--quiet", repoRoot, clone], { encoding: "utf8" });
    expect(cloned.status, cloned.stderr).toBe(0);
    // seed the oracle binaries (never `task`): see the comment at the top
    const tools = join(repoRoot, ".tools/bin");
    mkdirSync(join(clone, ".tools/bin"), { recursive: true });
    if (existsSync(tools)) {
      for (const name of readdirSync(tools)) {
        if (name === "task" || name === "pnpm") continue;
        copyFileSync(join(tools, name), join(clone, ".tools/bin", name));
        chmodSync(join(clone, ".tools/bin", name), 0o755);
      }
    }
    // and the installs setup makes from the npm registry and PyPI (the clean shell has no registry
    // credentials or CA; like the binaries above, these are what setup would install again)
    for (const name of ["node24", "renovate", "py"]) {
      const dir = join(repoRoot, ".tools", name);
      // a hard-linked copy, never a symlink: whatever setup removes in the clone stays in this checkout
      if (existsSync(dir)) expect(spawnSync("cp", ["-al", dir, join(clone, ".tools", name)]).status).toBe(0);
    }
    const modCache = sh("go env GOMODCACHE");
    const store = sh("pnpm store path").replace(/\/v\d+$/, "");
    env = {
      HOME: home,
      PATH: [...BARE_PATH, nodeDir!, goDir!].filter((d, i, all) => all.indexOf(d) === i).join(":"),
      GOMODCACHE: modCache,
      GOCACHE: sh("go env GOCACHE"),
      // the module cache served as a proxy: nothing is fetched (GOPROXY=off would refuse even the lookups
      // `go install m@v` makes for deprecation notices)
      GOPROXY: `file://${modCache}/cache/download`,
      GOSUMDB: "off",
      GOTOOLCHAIN: "local",
      pnpm_config_offline: "true",
      ...(store ? { pnpm_config_store_dir: store } : {}),
      // pnpm's metadata cache (offline installs resolve from it)
      pnpm_config_cache_dir: join(homedir(), ".cache/pnpm"),
      ...(process.env.CI ? { CI: process.env.CI } : {}),
    };
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it("README.md prints the two commands this test runs", () => {
    expect(readmeCommands()).toEqual([
      "bash scripts/setup.sh && task configure --yes",
      "bash scripts/test.sh",
    ]);
  });

  it("`bash scripts/setup.sh && task configure --yes` works, and `task` is then reachable by name", () => {
    const first = readmeCommands()[0]!;
    const r = inCleanShell(first, "command -v task && task --version");
    expect(r.out).not.toMatch(/command not found/);
    expect(r.code, r.out).toBe(0);
    // the second fresh shell found `task` where setup linked it: a directory already on the bare PATH
    expect(r.out).toMatch(/^\/usr\/local\/bin\/task$/m);
    expect(r.out).toMatch(/configure/);
    // configure rendered the sample config into the clone (the committed tree is what it renders)
    expect(existsSync(join(clone, "bootstrap/config.yaml"))).toBe(true);
    expect(existsSync(join(clone, "packages/cli/dist/bin.js"))).toBe(true);
  }, 1_200_000);

  it("`bash scripts/test.sh` runs every step in the clean environment (one vitest filter)", () => {
    const r = inCleanShell(`${readmeCommands()[1]!} packages/core`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/== typecheck \+ build/);
    expect(r.out).toMatch(/== lint \(biome\)/);
    expect(r.out).toMatch(/node20: [1-9]\d* passed, 0 failed/);
  }, 1_200_000);
});
