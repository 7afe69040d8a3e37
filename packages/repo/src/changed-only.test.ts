import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Finding, ReportCase } from "@homeops/core";
import type { FluxKustomizationNode } from "@homeops/manifests";
import { describe, expect, it } from "vitest";
import { checkRepository } from "./check-repository.js";
import { openRepository } from "./repository.js";
import { validateManifests } from "./validate-manifests.js";

// our own fixture: root patches, a namespace component, ks.yaml with postBuild.substitute, substituteFrom,
// a configMapGenerator, patches of both kinds, an ExternalSecret, an app-template HelmRelease, a volsync PVC
const fixture = join(import.meta.dirname, "../../manifests/test/fixtures/home-ops");

/** A small seeded PRNG (mulberry32), so the 20 edits are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    encoding: "utf8",
  });
}

function yamlFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    if (e.name === ".git") continue;
    const child = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...yamlFiles(dir, child));
    else if (/\.ya?ml$/.test(e.name)) out.push(child);
  }
  return out.sort();
}

/**
 * One random single-file edit: a value changed, a line added, the file deleted, or a new file beside it;
 * `leaf`: only the first two, of a file that is no kustomization file.
 */
function edit(dir: string, random: () => number, options: { leaf?: boolean } = {}): string {
  const files = yamlFiles(dir).filter((f) => !options.leaf || !/(^|\/)kustomization\.ya?ml$/.test(f));
  const file = files[Math.floor(random() * files.length)]!;
  const abs = join(dir, file);
  const kind = Math.floor(random() * (options.leaf ? 2 : 4));
  if (kind === 2) {
    rmSync(abs);
    return `delete ${file}`;
  }
  if (kind === 3) {
    const added = join(dirname(file), `added-${Math.floor(random() * 1000)}.yaml`);
    writeFileSync(
      join(dir, added),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added\ndata:\n  KEY: ${APP:=none}\n",
    );
    return `add ${added}`;
  }
  const lines = readFileSync(abs, "utf8").split("\n");
  const scalars = lines
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => /^\s*-?\s*[\w./-]+: [^|>&*{[\s]/.test(line) && !line.includes("${"));
  if (kind === 0 && scalars.length > 0) {
    const { line, i } = scalars[Math.floor(random() * scalars.length)]!;
    lines[i] = /: \d+$/.test(line) ? line.replace(/\d+$/, (n) => String(Number(n) + 1)) : `${line}x`;
    writeFileSync(abs, lines.join("\n"));
    return `change ${file}:${i + 1}`;
  }
  writeFileSync(abs, `${lines.join("\n")}\nextraField: ${Math.floor(random() * 100)}\n`);
  return `append to ${file}`;
}

/** A copy of the fixture in a Git work tree, `prepare` run on it before its one commit. */
function committedFixture(prepare: (dir: string) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), "homeops-changed-"));
  cpSync(fixture, dir, { recursive: true });
  prepare(dir);
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "base");
  return dir;
}

const key = (f: Finding): string => JSON.stringify([f.ruleId, f.severity, f.file, f.line, f.message]);
const caseKey = (c: ReportCase): string => JSON.stringify([c.suite, c.name, c.classname]);

/** What a Kustomization built: its objects as applied and its findings. */
function signature(k: FluxKustomizationNode): string {
  return JSON.stringify([k.status, k.objects.map((o) => o.object), k.findings.map(key).sort()]);
}

describe("changed-only runs", () => {
  it("agree with a full run on the changed subtree across 20 random single-file edits", async () => {
    const dir = committedFixture();
    const cacheDir = mkdtempSync(join(tmpdir(), "homeops-changed-cache-"));
    // parses and builds kept between runs, as the CLI keeps them (turned on per process: the later full
    // runs use them too; parse-cache.test.ts compares cached runs with uncached ones)
    const parseCacheDir = mkdtempSync(join(tmpdir(), "homeops-changed-parse-"));
    const cached = { cwd: dir, parseCacheDir };
    const options = { dir: "kubernetes", cacheDir, helm: { render: false } } as const;
    const base = await openRepository(".", { cwd: dir });
    const baseReport = await validateManifests(base, options);
    const baseGraph = await base.graph({ clusterRoot: "kubernetes/flux" });
    const baseCases = new Map((baseReport.cases ?? []).map((c) => [caseKey(c), JSON.stringify(c)]));
    const baseBuilds = new Map(
      baseGraph.kustomizations.map((k) => [`${k.namespace}/${k.name}`, signature(k)]),
    );
    const random = prng(15);
    let nonEmpty = 0;
    for (let i = 0; i < 20; i++) {
      const what = edit(dir, random);
      const full = await openRepository(".", { cwd: dir });
      const fullReport = await validateManifests(full, options);
      const graph = await full.graph({ clusterRoot: "kubernetes/flux" });
      const changed = await validateManifests(await openRepository(".", cached), {
        ...options,
        changedOnly: { since: "HEAD" },
      });
      const affected = new Set(changed.data?.changedOnly?.affected.map((a) => a.kustomization));
      if (affected.size > 0) nonEmpty++;

      // sufficient: every Kustomization whose build the edit changed is selected
      for (const k of graph.kustomizations) {
        const id = `${k.namespace}/${k.name}`;
        if (baseBuilds.get(id) !== signature(k)) expect(affected, `${what}: ${id} changed`).toContain(id);
      }
      for (const c of fullReport.cases ?? []) {
        if (baseCases.get(caseKey(c)) === JSON.stringify(c)) continue;
        expect(affected, `${what}: ${c.suite} ${c.name} changed`).toContain(
          c.suite.replace(/^Kustomization /, ""),
        );
      }
      // the same verdicts: each selected Kustomization's cases and findings are the full run's
      const selectedSuites = new Set([...affected].map((a) => `Kustomization ${a}`));
      const fullCases = (fullReport.cases ?? [])
        .filter((c) => selectedSuites.has(c.suite))
        .map((c) => JSON.stringify(c));
      expect((changed.cases ?? []).map((c) => JSON.stringify(c)).sort(), what).toEqual(fullCases.sort());
      const fullFindings = new Set(fullReport.findings.map(key));
      for (const f of changed.findings)
        if (f.ruleId !== "kubeconform/nothing-validated") expect(fullFindings, what).toContain(key(f));
      const changedFindings = new Set(changed.findings.map(key));
      for (const k of graph.kustomizations.filter((k) => affected.has(`${k.namespace}/${k.name}`)))
        for (const f of k.findings) expect(changedFindings, what).toContain(key(f));

      // check: the changed-only report is the full one's findings in the changed part
      const fullCheck = await checkRepository(await openRepository(".", { cwd: dir }), {
        helm: { render: false },
      });
      const changedCheck = await checkRepository(await openRepository(".", cached), {
        helm: { render: false },
        changedOnly: { since: "HEAD" },
      });
      const fullCheckFindings = new Set(fullCheck.findings.map(key));
      for (const f of changedCheck.findings) expect(fullCheckFindings, what).toContain(key(f));
      for (const f of fullCheck.findings)
        if (f.file !== undefined && changed.data?.changedOnly?.changed.includes(f.file))
          expect(new Set(changedCheck.findings.map(key)), what).toContain(key(f));

      git(dir, "checkout", "-q", "--", ".");
      git(dir, "clean", "-qfd");
    }
    expect(nonEmpty).toBeGreaterThan(5);
    expect(existsSync(join(dir, "kubernetes"))).toBe(true);
  }, 900_000);

  it("a snapshot of the previous run, updated for an edit, gives what a full build gives (20 random edits)", async () => {
    const dir = committedFixture();
    const cacheDir = mkdtempSync(join(tmpdir(), "homeops-changed-cache-"));
    const cached = { cwd: dir, parseCacheDir: mkdtempSync(join(tmpdir(), "homeops-changed-parse-")) };
    const options = { dir: "kubernetes", cacheDir, helm: { render: false } } as const;
    const changedOnly = { ...options, changedOnly: { since: "HEAD" } };
    // what a report says, without its timings
    const verdict = (r: Awaited<ReturnType<typeof validateManifests>>) => ({
      findings: r.findings,
      cases: r.cases,
      counts: r.data?.counts,
      objects: r.data?.objects,
      changed: r.data?.changedOnly?.changed,
      affected: r.data?.changedOnly?.affected,
      of: r.data?.changedOnly?.of,
    });
    // the snapshot: kept by a changed-only run on the committed tree (a full run keeps none)
    await validateManifests(await openRepository(".", cached), options);
    const first = await validateManifests(await openRepository(".", cached), changedOnly);
    expect(first.data?.changedOnly?.snapshot).toBe("no snapshot of an earlier run: built in full");
    const random = prng(7);
    const ways = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const what = edit(dir, random, { leaf: true });
      const updated = await validateManifests(await openRepository(".", cached), changedOnly);
      const built = await validateManifests(await openRepository(".", { cwd: dir }), changedOnly);
      const how = updated.data?.changedOnly?.snapshot ?? "";
      ways.set(
        how.startsWith("updated") ? "updated" : how,
        (ways.get(how.startsWith("updated") ? "updated" : how) ?? 0) + 1,
      );
      expect(built.data?.changedOnly?.snapshot, what).toBeUndefined();
      expect(verdict(updated), `${what} (${how})`).toEqual(verdict(built));
      git(dir, "checkout", "-q", "--", ".");
      git(dir, "clean", "-qfd");
      // back to the committed tree: the snapshot follows (updated once more, or kept anew)
      const back = await validateManifests(await openRepository(".", cached), changedOnly);
      expect(back.data?.changedOnly?.changed).toEqual([]);
    }
    // most edits of a file that only builds read update the snapshot; the rest say why they could not
    expect(ways.get("updated") ?? 0, JSON.stringify([...ways])).toBeGreaterThanOrEqual(6);
  }, 900_000);

  it("a custom resource is validated against the CRD another Kustomization builds, as in a full run", async () => {
    // a Widget (its CRD is kube-system/crds' local-crd.yaml) in default/echo
    const appOf = (dir: string) => join(dir, "kubernetes/apps/default/echo/app");
    const dir = committedFixture((d) => {
      writeFileSync(
        join(appOf(d), "widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
      );
      const kustomization = join(appOf(d), "kustomization.yaml");
      writeFileSync(
        kustomization,
        readFileSync(kustomization, "utf8").replace(
          "  - ./service.yaml\n",
          "  - ./service.yaml\n  - ./widget.yaml\n",
        ),
      );
    });
    const app = appOf(dir);
    writeFileSync(
      join(app, "widget.yaml"),
      "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {}\n",
    );
    const options = { dir: "kubernetes", helm: { render: false } } as const;
    const widget = (r: Awaited<ReturnType<typeof validateManifests>>) =>
      r.data?.objects.find((o) => o.kind === "Widget");
    const full = await validateManifests(await openRepository(".", { cwd: dir }), options);
    const changed = await validateManifests(await openRepository(".", { cwd: dir }), {
      ...options,
      changedOnly: { since: "HEAD" },
    });
    expect(changed.data?.changedOnly?.affected.map((a) => a.kustomization)).toEqual(["default/echo"]);
    expect(widget(full)).toMatchObject({ status: "valid", schemaOrigin: "repository" });
    expect(widget(changed)).toEqual(widget(full));
  });

  it("an unknown revision is a UserError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-changed-"));
    cpSync(fixture, dir, { recursive: true });
    git(dir, "init", "-q");
    await expect(
      validateManifests(await openRepository(".", { cwd: dir }), { changedOnly: { since: "nope" } }),
    ).rejects.toThrow("--changed-since nope: not a Git revision");
  });
});
