import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, requireBuiltCli, run } from "./tools.js";

// The built CLI against hostile environments and interruptions: real signals, a real second process,
// a real full file system (a tmpfs in a private mount namespace), a real file-size limit (`ulimit -f`),
// a real permission denial (the child runs as `nobody`: the tests run as root, whom chmod does not stop).

/** Every file below `dir` (relative path → content), the lock and stale temps included: leftovers must show. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(dir, path), await readFile(path, "utf8"));
  }
  return out;
}

async function newRepo(config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-robust-e2e-"));
  await cp(join(repoRoot, "bootstrap/templates"), join(dir, "bootstrap/templates"), { recursive: true });
  await writeFile(join(dir, "bootstrap/config.yaml"), config);
  return dir;
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |internal error|This is a bug/);

/**
 * Starts `homeops render`, watches `watched` (the first file apply writes) and sends `signal` the moment
 * that file holds its new content: the signal lands inside apply, after its first write.
 */
/**
 * Runs `homeops render` and interrupts it mid-apply: once the staged temp of `watched` (the first file apply
 * writes) appears, the process is stopped, sent `signal` and continued, so the signal is pending while the
 * stage pass still has files to write, on a fast machine or a slow one.
 */
function renderAndSignal(bin: string, cwd: string, watched: string, signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; stderr: string; signalled: boolean }>((resolve) => {
    const child = spawn("node", [bin, "render"], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    let signalled = false;
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const dir = join(cwd, dirname(watched));
    const temp = new RegExp(
      `^\\.${basename(watched).replace(/[.]/g, "\\.")}\\.homeops-\\d+-[0-9a-f]+\\.tmp$`,
    );
    const poll = setInterval(() => {
      try {
        if (!signalled && readdirSync(dir).some((name) => temp.test(name))) {
          signalled = true;
          child.kill("SIGSTOP");
          child.kill(signal);
          child.kill("SIGCONT");
        }
      } catch {
        // not there yet
      }
    }, 1);
    child.on("exit", (code) => {
      clearInterval(poll);
      resolve({ code, stderr, signalled });
    });
  });
}

describe("the built CLI under interruption, concurrency and a hostile environment", () => {
  let bin: string;
  let configA: string;
  let configB: string;
  let configC: string;
  let treeA: Map<string, string>;
  let firstWrite: string;

  beforeAll(async () => {
    bin = requireBuiltCli();
    configA = await readFile(join(repoRoot, "bootstrap/config.sample.yaml"), "utf8");
    configB = configA.replace("name: home\n", "name: lab\n").replace("romm: true", "romm: false");
    configC = configA.replace("name: home\n", "name: other\n");
    expect(configB).not.toBe(configA);
    const a = await newRepo(configA);
    expect(run("node", [bin, "render"], { cwd: a }).code).toBe(0);
    treeA = await snapshot(a);
    const b = await newRepo(configB);
    expect(run("node", [bin, "render"], { cwd: b }).code).toBe(0);
    const treeB = await snapshot(b);
    // apply writes in path order: the first path whose content changes from A to B is written first
    const changed = [...treeB.keys()]
      .filter((p) => p.startsWith("kubernetes/") && treeA.has(p) && treeA.get(p) !== treeB.get(p))
      .sort();
    firstWrite = changed[0]!;
  }, 180_000);

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} mid-apply rolls back every file and the ownership manifest; a changed config then has no false conflicts`, async () => {
      const repo = await newRepo(configA);
      expect(run("node", [bin, "render"], { cwd: repo }).code).toBe(0);
      await writeFile(join(repo, "bootstrap/config.yaml"), configB);
      const r = await renderAndSignal(bin, repo, firstWrite, signal);
      expect(r.signalled, "the signal was sent once apply staged its first file").toBe(true);
      expect(r.stderr).toContain(`homeops: ${signal}: stopping; restoring the files written so far`);
      expect(r.stderr).toMatch(/error: interrupted: every file written so far was restored/);
      noStack(r.stderr);
      expect(r.code).toBe(2);
      const after = await snapshot(repo);
      after.set("bootstrap/config.yaml", configA);
      expect(after).toEqual(treeA);
      // the next run, with yet another config, finds every file homeops' own: updates, no conflicts
      await writeFile(join(repo, "bootstrap/config.yaml"), configC);
      const next = run("node", [bin, "render"], { cwd: repo });
      expect(next.code, next.stderr).toBe(0);
      expect(next.stdout).toMatch(
        /render: \d+ created, [1-9]\d* updated, \d+ deleted, \d+ unchanged, 0 conflicts/,
      );
    }, 120_000);
  }

  it("a second render while one runs exits 2 naming the first one's pid; the tree is the first one's", async () => {
    const repo = await newRepo(configA);
    const first = spawn("node", [bin, "render"], { cwd: repo, env: { ...process.env, NO_COLOR: "1" } });
    const firstExit = new Promise<number | null>((resolve) => first.on("exit", resolve));
    // the first run holds the lock: stop it there (SIGSTOP), so the two surely overlap on any machine
    const lock = join(repo, ".homeops/lock");
    for (let i = 0; i < 60_000 && !(existsSync(lock) && readFileSync(lock, "utf8")); i++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    first.kill("SIGSTOP");
    expect(readFileSync(lock, "utf8")).toMatch(new RegExp(`^${first.pid} `));
    const other = await newRepo(configB);
    await cp(join(other, "bootstrap/config.yaml"), join(repo, "bootstrap/config.b.yaml"));
    const second = run("node", [bin, "render", "--config", "bootstrap/config.b.yaml"], { cwd: repo });
    first.kill("SIGCONT");
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`another homeops is running (pid ${first.pid})`);
    noStack(second.stderr);
    expect(await firstExit).toBe(0);
    const after = await snapshot(repo);
    after.delete("bootstrap/config.b.yaml");
    expect(after).toEqual(treeA);
    expect(existsSync(lock)).toBe(false);
  }, 120_000);

  it("the hint `--verbose shows them` is a valid command: global options work after the verb", () => {
    const r = run("node", [bin, "kubeconform", "kubernetes", "--verbose", "--no-color"]);
    expect(r.stderr).not.toMatch(/unknown option/);
    expect([0, 1]).toContain(r.code);
  }, 120_000);

  it("stdout to /dev/full: a quiet exit 2, no stack", () => {
    const r = run("sh", ["-c", `node "${bin}" explain --list > /dev/full`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("homeops: cannot write the output: ENOSPC\n");
  });

  const canUnshare = spawnSync("unshare", ["--mount", "--propagation", "private", "true"]).status === 0;
  it.skipIf(!canUnshare)(
    "a full disk (ENOSPC: a tmpfs just larger than the inputs) is a user error naming the file; the tree is unchanged",
    async () => {
      const repo = await newRepo(configA);
      const script =
        'mount -t tmpfs -o size=64m tmpfs "$1" && cp -a "$2"/. "$1"/ && ' +
        'used=$(df -k --output=used "$1" | tail -1) && mount -o remount,size=$((used + 96))k "$1" && ' +
        'cd "$1" && node "$3" render; echo "exit=$?"; find . -type f | sort > "$2/.after"';
      const r = spawnSync(
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          script,
          "sh",
          await mkdtemp(join(tmpdir(), "homeops-full-")),
          repo,
          bin,
        ],
        { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
      );
      expect(r.stdout).toMatch(/exit=2/);
      expect(r.stderr).toMatch(/^error: kubernetes\/\S+: cannot write: no space left on device \(ENOSPC\)/m);
      noStack(r.stderr);
      // rolled back: nothing but the inputs (the tmpfs held a copy of them)
      const after = readFileSync(join(repo, ".after"), "utf8").split("\n").filter(Boolean);
      expect(after.filter((p) => !p.startsWith("./bootstrap/"))).toEqual([]);
    },
    120_000,
  );

  it("a file-size limit (EFBIG, `ulimit -f`) is a user error naming the file; the tree is unchanged", async () => {
    const repo = await newRepo(configA);
    const before = await snapshot(repo);
    const r = run("bash", ["-c", `ulimit -f 2 && exec node "${bin}" render`], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: \S+: cannot write: file too large .*\(EFBIG\)/m);
    expect(r.stderr).toMatch(/hint: raise the file-size limit/);
    noStack(r.stderr);
    expect(await snapshot(repo)).toEqual(before);
  }, 120_000);

  const nobody =
    spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "true"]).status === 0;
  it.skipIf(!nobody || process.getuid?.() !== 0)(
    "a file the user may not read (EACCES, run as nobody) is a user error naming it; the tree is unchanged",
    async () => {
      const repo = await newRepo(configA);
      const template = "bootstrap/templates/kubernetes/flux/cluster/sync.yaml.eta";
      expect(existsSync(join(repo, template))).toBe(true);
      for (const entry of [
        repo,
        ...readdirSync(repo, { recursive: true }).map((p) => join(repo, String(p))),
      ]) {
        chownSync(entry, 65534, 65534);
      }
      chmodSync(join(repo, template), 0o000);
      const before = await snapshot(repo);
      const r = run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "node", bin, "render"], {
        cwd: repo,
        env: { HOME: repo },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/cannot read: permission denied \(EACCES\)/);
      expect(r.stderr).toContain("sync.yaml.eta");
      noStack(r.stderr);
      expect(statSync(join(repo, template)).mode & 0o777).toBe(0);
      expect(await snapshot(repo)).toEqual(before);
    },
    120_000,
  );

  it.skipIf(!nobody || process.getuid?.() !== 0)(
    "an unreadable directory a kustomization references is 'permission denied', never 'does not exist'",
    async () => {
      const repo = await mkdtemp(join(tmpdir(), "homeops-eacces-dir-"));
      await writeFile(join(repo, "kustomization.yaml"), "resources:\n  - ./sub\n");
      const { mkdir } = await import("node:fs/promises");
      await mkdir(join(repo, "sub"));
      await writeFile(join(repo, "sub/kustomization.yaml"), "resources: []\n");
      for (const entry of [
        repo,
        ...readdirSync(repo, { recursive: true }).map((p) => join(repo, String(p))),
      ]) {
        chownSync(entry, 65534, 65534);
      }
      chmodSync(join(repo, "sub"), 0o000);
      const r = run(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", "node", bin, "kubeconform", "."],
        {
          cwd: repo,
          env: { HOME: repo },
        },
      );
      expect([1, 2]).toContain(r.code);
      const out = `${r.stdout}\n${r.stderr}`;
      expect(out).toMatch(/permission denied \(EACCES\)/);
      expect(out).not.toMatch(/does not exist|no kustomization\.yaml in directory/);
      noStack(out);
    },
    120_000,
  );
});
