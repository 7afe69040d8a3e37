#!/usr/bin/env node
// Benchmark (not a test): time to generate 6 nodes' Talos machine configs + talosconfig with an existing
// secrets bundle, as the user runs it (`homeops talos generate`, Node start-up included). Goal ≤ 0.5 s.
//
//   node bench/talos.mjs [--runs 5]
//
// Two bundle sources: a plaintext bundle outside Git (--secrets), and the SOPS-encrypted one (adds one
// `sops decrypt`; needs sops + age-keygen, e.g. from `bash scripts/setup.sh --oracles`).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { builtHomeops, flag, root } from "./common.mjs";

const runs = Number(flag("--runs", "5"));
const homeops = builtHomeops();
const talos = await import(join(root, "packages/talos/dist/index.js"));

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

  const sops = [join(root, ".tools/bin/sops"), "/usr/local/bin/sops"].find((p) => existsSync(p));
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

  const time = (args, env = {}) => {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [homeops, "-C", dir, "talos", "generate", ...args], {
        env: { ...process.env, ...env, PATH: `${join(root, ".tools/bin")}:${process.env.PATH}` },
      });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`homeops talos generate failed: ${r.stderr}`);
      samples.push(ms);
    }
    samples.sort((a, b) => a - b);
    return {
      median: samples[Math.floor(samples.length / 2)],
      min: samples[0],
      max: samples[samples.length - 1],
    };
  };
  const nodeStart = (() => {
    const s = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ["-e", "0"]);
      s.push(performance.now() - t0);
    }
    return s.sort((a, b) => a - b)[Math.floor(s.length / 2)];
  })();
  const report = (name, r) =>
    process.stdout.write(
      `${name.padEnd(40)} median ${(r.median / 1000).toFixed(3)} s (min ${(r.min / 1000).toFixed(3)}, max ${(r.max / 1000).toFixed(3)})  goal ≤ 0.5 s: ${r.median <= 500 ? "met" : "NOT met"}\n`,
    );
  process.stdout.write(
    `homeops talos generate, 6 nodes + talosconfig, ${runs} runs; bare \`node -e 0\` start-up: ${(nodeStart / 1000).toFixed(3)} s\n`,
  );
  report("plaintext bundle outside Git", time(["--secrets", plain]));
  if (sops && haveAge)
    report("SOPS bundle (one sops decrypt)", time([], { SOPS_AGE_KEY_FILE: join(dir, "age.key") }));
  else process.stdout.write("SOPS bundle: skipped (sops or age-keygen not found)\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
}
