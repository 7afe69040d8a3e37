#!/usr/bin/env node
// Benchmark (not a test): time to generate 6 nodes' Talos machine configs + talosconfig with an existing
// secrets bundle, as the user runs it (`homeops talos generate`, Node start-up included). Goal ≤ 0.5 s.
//
//   node bench/talos.mjs [--runs 5] [--baseline <other bin.js>] [--node <other node binary>]
//
// Two bundle sources: a plaintext bundle outside Git (--secrets), and the SOPS-encrypted one (adds one
// `sops decrypt`; needs sops + age-keygen, e.g. from `bash scripts/setup.sh --oracles`). Also times the
// start-up of `homeops --version` and `homeops validate config`. With --baseline (e.g. an unbundled build
// of main) or --node, every run alternates between the variants so load on a shared machine hits all of
// them alike; CPU time (user + sys, from /usr/bin/time) is reported beside wall time.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { builtHomeops, flag, root } from "./common.mjs";

const runs = Number(flag("--runs", "5"));
const homeops = builtHomeops();
const talos = await import(join(root, "packages/talos/dist/index.js"));
const { findExecutable } = await import(join(root, "packages/core/dist/index.js"));

const dir = mkdtempSync(join(tmpdir(), "homeops-bench-talos-"));
const outside = mkdtempSync(join(tmpdir(), "homeops-bench-talos-secrets-"));
try {
  // the sample config with 6 nodes (3 controllers, 3 workers)
  let config = readFileSync(join(root, "bootstrap/config.yaml"), "utf8");
  config = config.replace(
    /\nnodes:\n[\s\S]*?\n\n# optional apps/,
    `\nnodes:\n${[0, 1, 2, 3, 4, 5]
      .map(
        (i) =>
          `  - name: k8s-${i}\n    address: 10.10.0.${10 + i}\n    controller: ${i < 3}\n    mac: "aa:bb:cc:00:00:${10 + i}"\n`,
      )
      .join("")}\n# optional apps`,
  );
  mkdirSync(join(dir, "bootstrap"), { recursive: true });
  writeFileSync(join(dir, ".gitignore"), "age.key\ntalosconfig/talosconfig\ntalosconfig/clusterconfig/\n");
  const bundle = await talos.generateSecretsBundle();
  const plain = join(outside, "secrets.yaml");
  writeFileSync(plain, talos.stringifySecretsBundle(bundle), { mode: 0o600 });

  const sops = findExecutable("sops", [join(root, ".tools/bin"), process.env.PATH]);
  const haveAge = spawnSync("age-keygen", ["--version"]).status === 0;
  if (sops && haveAge) {
    execFileSync("age-keygen", ["-o", join(dir, "age.key")], { stdio: "ignore" });
    const recipient = /public key: (age1\w+)/.exec(readFileSync(join(dir, "age.key"), "utf8"))[1];
    config = config.replace(/age1[0-9a-z]{58}/, recipient);
    mkdirSync(join(dir, "talosconfig"), { recursive: true });
    writeFileSync(join(dir, "sops.yaml"), `creation_rules:\n  - age: ${recipient}\n`);
    const enc = execFileSync(sops, [
      "--config",
      join(dir, "sops.yaml"),
      "encrypt",
      "--filename-override",
      "talosconfig/secrets.sops.yaml",
      plain,
    ]);
    writeFileSync(join(dir, "talosconfig/secrets.sops.yaml"), enc);
  }
  writeFileSync(join(dir, "bootstrap/config.yaml"), config);

  const baseline = flag("--baseline", undefined);
  const otherNode = flag("--node", undefined);
  const variants = [{ name: "this build", node: process.execPath, bin: homeops }];
  if (baseline) variants.push({ name: "baseline", node: process.execPath, bin: baseline });
  if (otherNode) {
    // Node ≥ 22.1: the CLI enables V8's compile cache; NODE_DISABLE_COMPILE_CACHE=1 shows what it saves
    for (const v of [...variants]) {
      variants.push({ ...v, name: `${v.name}, ${otherNode}`, node: otherNode });
      variants.push({
        ...v,
        name: `${v.name}, ${otherNode}, no compile cache`,
        node: otherNode,
        env: { NODE_DISABLE_COMPILE_CACHE: "1" },
      });
    }
  }
  const haveTime = existsSync("/usr/bin/time");
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const spawnTimed = (node, args, env) => {
    const t0 = performance.now();
    const r = haveTime
      ? spawnSync("/usr/bin/time", ["-f", "@cpu %U %S", node, ...args], { env })
      : spawnSync(node, args, { env });
    const ms = performance.now() - t0;
    const m = /@cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.toString());
    return { r, ms, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN };
  };
  const time = (argsFor, env = {}) => {
    const samples = variants.map(() => ({ wall: [], cpu: [] }));
    const fullEnv = { ...process.env, ...env, PATH: `${join(root, ".tools/bin")}:${process.env.PATH}` };
    for (let i = 0; i < runs; i++) {
      // alternate the order: no variant always runs first (or last) after another's run
      const order = variants.map((_, k) => k);
      if (i % 2 === 1) order.reverse();
      for (const k of order) {
        const { r, ms, cpu } = spawnTimed(variants[k].node, [variants[k].bin, ...argsFor()], {
          ...fullEnv,
          ...variants[k].env,
        });
        if (r.status !== 0) throw new Error(`${variants[k].name}: homeops failed: ${r.stderr}`);
        samples[k].wall.push(ms);
        samples[k].cpu.push(cpu);
      }
    }
    return samples.map((s) => ({
      median: median(s.wall),
      min: Math.min(...s.wall),
      max: Math.max(...s.wall),
      cpu: median(s.cpu),
    }));
  };
  const nodeStart = (() => {
    const s = [];
    const c = [];
    for (let i = 0; i < runs; i++) {
      const { ms, cpu } = spawnTimed(process.execPath, ["-e", "0"], process.env);
      s.push(ms);
      c.push(cpu);
    }
    return { wall: median(s), cpu: median(c) };
  })();
  const sec = (ms) => `${(ms / 1000).toFixed(3)} s`;
  const report = (name, results, goal) => {
    for (const [k, r] of results.entries()) {
      const label = variants.length > 1 ? `${name} [${variants[k].name}]` : name;
      process.stdout.write(
        `${label.padEnd(56)} median ${sec(r.median)} (min ${sec(r.min)}, max ${sec(r.max)}), cpu ${haveTime ? sec(r.cpu) : "n/a"}${goal ? `  goal ≤ 0.5 s: ${r.median <= 500 ? "met" : "NOT met"}` : ""}\n`,
      );
    }
  };
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  process.stdout.write(
    `homeops talos generate, 6 nodes + talosconfig, ${runs} runs; load average ${load}; bare \`node -e 0\` start-up: ${sec(nodeStart.wall)} (cpu ${sec(nodeStart.cpu)})\n`,
  );
  report(
    "plaintext bundle outside Git",
    time(() => ["-C", dir, "talos", "generate", "--secrets", plain]),
    true,
  );
  if (sops && haveAge)
    report(
      "SOPS bundle (one sops decrypt)",
      time(() => ["-C", dir, "talos", "generate"], { SOPS_AGE_KEY_FILE: join(dir, "age.key") }),
      true,
    );
  else process.stdout.write("SOPS bundle: skipped (sops or age-keygen not found)\n");
  report(
    "homeops --version",
    time(() => ["--version"]),
  );
  report(
    "homeops validate config",
    time(() => ["-C", dir, "validate", "config"]),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
}
