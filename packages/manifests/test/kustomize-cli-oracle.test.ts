// Differential tests of plain builds: buildKustomizationDir against the kustomize CLI (v5.8, as
// scripts/setup.sh --oracles installs it) run with --load-restrictor=LoadRestrictionsNone; kustomize's YAML
// output is decoded as the Go side decodes it (tools/flux-build --yaml-to-json). Cases are the plain-build
// patterns of the development corpus, each reduced to a few lines of our own.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildKustomizationDir } from "../src/index.js";
import { findOracle, normalizeObjects, REPO_ROOT } from "./oracle.js";
import { REAL_REPO_CASES } from "./oracle-cases-real-repos.js";

const run = promisify(execFile);
const kustomize = join(REPO_ROOT, ".tools/bin/kustomize");
const oracle = findOracle();
const available = existsSync(kustomize) && oracle !== undefined;
const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
const temps: string[] = [];

afterAll(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

const ks = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

interface PlainCase {
  name: string;
  files: Record<string, string>;
  dir: string;
  expectError?: boolean;
}

const CASES: PlainCase[] = [
  {
    // `kustomize build components/x` of a `kind: Component` directory works upstream
    name: "component-directory",
    files: {
      "components/volsync/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [pvc.yaml]\nlabels:\n  - pairs: {app: volsync}\n",
      "components/volsync/pvc.yaml":
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n",
    },
    dir: "components/volsync",
  },
  {
    // source-controller's artifact exclusions (images, .sops.yaml, …) do not exist for kustomize
    name: "no-artifact-exclusions",
    files: {
      "app/kustomization.yaml": `${ks}configMapGenerator:\n  - name: assets\n    files: [logo.png, .sops.yaml]\n    options:\n      disableNameSuffixHash: true\n`,
      "app/logo.png": "not really a png\n",
      "app/.sops.yaml": "creation_rules: []\n",
    },
    dir: "app",
  },
  {
    name: "missing-resource-fails",
    files: { "app/kustomization.yaml": `${ks}resources: [./nope.yaml]\n` },
    dir: "app",
    expectError: true,
  },
];

// every corpus case built by Flux is also a plain kustomize directory
for (const c of REAL_REPO_CASES) {
  const path = typeof c.spec.path === "string" ? c.spec.path.replace(/^\.\//, "").replace(/\/$/, "") : "";
  CASES.push({
    name: `flux-case-${c.name}`,
    files: c.files,
    dir: path,
    ...(c.expectError ? { expectError: true } : {}),
  });
}

async function kustomizeBuild(
  root: string,
  dir: string,
): Promise<{ ok: true; objects: unknown[] } | { ok: false }> {
  let yaml: string;
  try {
    ({ stdout: yaml } = await run(kustomize, ["build", "--load-restrictor=LoadRestrictionsNone", dir], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch {
    return { ok: false };
  }
  const json = await new Promise<string>((resolvePromise, reject) => {
    const child = execFile(oracle!, ["--yaml-to-json"], (error, stdout) =>
      error ? reject(error) : resolvePromise(stdout),
    );
    child.stdin!.end(yaml);
  });
  return { ok: true, objects: JSON.parse(json) as unknown[] };
}

describe("kustomize CLI oracle", () => {
  it.runIf(inCi)("is present in CI (run scripts/setup.sh --oracles)", () => {
    expect(available, "kustomize or tools/flux-build missing from .tools/bin").toBe(true);
  });
});

describe.skipIf(!available)("plain builds agree with the kustomize CLI", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const root = await mkdtemp(join(tmpdir(), `homeops-kcase-${c.name}-`));
      temps.push(root);
      for (const [file, text] of Object.entries(c.files)) {
        await mkdir(dirname(join(root, file)), { recursive: true });
        await writeFile(join(root, file), text);
      }
      const ours = await buildKustomizationDir(root, c.dir);
      const theirs = await kustomizeBuild(root, c.dir);
      if (c.expectError) {
        expect(theirs.ok, "kustomize should refuse this build").toBe(false);
        expect(ours.findings.filter((f) => f.severity === "error").length).toBeGreaterThan(0);
        return;
      }
      expect(theirs.ok, "kustomize build failed").toBe(true);
      expect(ours.findings.filter((f) => f.severity === "error")).toEqual([]);
      if (!theirs.ok) return;
      expect(normalizeObjects(ours.objects.map((o) => o.object))).toEqual(normalizeObjects(theirs.objects));
    });
  }
});
