// Oracle: the real kubeconform, pointed at our generated catalog, must reach the same verdict as
// `homeops kubeconform` for every object the sample repo's Flux Kustomizations build (and for mutants of
// them with an unknown field, a wrong type and a bad value), object by object.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findExecutable } from "@homeops/core";
import { buildRepoGraph } from "@homeops/manifests";
import {
  builtinCatalogDir,
  CATALOG_LAYOUT,
  type ObjectStatus,
  SchemaCatalog,
  validateObject,
} from "@homeops/schema";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../../../..");
const fixtureRepo = join(import.meta.dirname, "../../test/fixtures/kubeconform-repo");

function findKubeconform(): string | undefined {
  return findExecutable("kubeconform", [
    join(repoRoot, ".tools/bin"),
    process.env.PATH,
    join(homedir(), "go/bin"),
  ]);
}

const kubeconform = findKubeconform();
if (!kubeconform && process.env.CI) {
  throw new Error(
    "kubeconform is not installed: the schema oracle cannot run (bash scripts/setup.sh --oracles)",
  );
}

const STATUS: Record<string, ObjectStatus> = {
  statusValid: "valid",
  statusInvalid: "invalid",
  statusError: "error",
  statusSkipped: "skipped",
};

/** The deepest paths of a set (kubeconform also reports each enclosing $ref/anyOf level). */
function leaves(paths: Iterable<string>): string[] {
  const all = [...new Set(paths)];
  return all.filter((p) => !all.some((q) => q !== p && q.startsWith(p === "" ? "/" : `${p}/`))).sort();
}

/** kubeconform's verdict per file (one object per file). */
function kubeconformVerdicts(files: string[]): Map<string, { status: string; msg: string }> {
  let stdout: string;
  try {
    stdout = execFileSync(
      kubeconform!,
      [
        "-strict",
        "-skip",
        "Secret",
        "-output",
        "json",
        "-verbose",
        "-schema-location",
        join(builtinCatalogDir(), CATALOG_LAYOUT),
        ...files,
      ],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    stdout = String((error as { stdout?: string }).stdout ?? "");
  }
  const report = JSON.parse(stdout) as { resources: { filename: string; status: string; msg: string }[] };
  return new Map(report.resources.map((r) => [r.filename, r]));
}

/** The same object with one problem injected, or undefined when it has nowhere to put it. */
function mutants(object: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const spec = object.spec;
  if (spec && typeof spec === "object" && !Array.isArray(spec)) {
    out.push({ ...object, spec: { ...spec, notAField: true } });
    const first = Object.keys(spec)[0];
    if (first !== undefined) out.push({ ...object, spec: { ...spec, [first]: [["wrong", "type"]] } });
  }
  out.push({ ...object, metadata: { ...(object.metadata as object), labels: { ok: "yes", bad: 1 } } });
  out.push({ ...object, topLevelTypo: "x" });
  return out;
}

describe.skipIf(!kubeconform)("kubeconform agrees with homeops kubeconform", () => {
  it("on every built object of the sample repo and the CLI fixture repo, and mutants of each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeops-kubeconform-sample-"));
    const catalog = new SchemaCatalog();
    const ours = new Map<string, { status: ObjectStatus; label: string; paths: string[] }>();
    let n = 0;
    let built = 0;
    for (const root of [repoRoot, fixtureRepo]) {
      const graph = await buildRepoGraph(root, { clusterRoot: "kubernetes/flux" });
      for (const object of graph.objects) {
        built++;
        for (const candidate of [object.object, ...mutants(object.object)]) {
          const file = join(dir, `object-${String(n++).padStart(5, "0")}.yaml`);
          // JSON is YAML that Go's YAML 1.1 reader cannot re-type (an unquoted `Yes` would become true)
          writeFileSync(file, `${JSON.stringify(candidate)}\n`);
          const verdict = await validateObject(catalog, candidate, { skipKinds: ["Secret"] });
          const paths = verdict.violations.map((v) =>
            (v.keyword === "additionalProperties" ? v.path.slice(0, -1) : v.path)
              .map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`)
              .join(""),
          );
          ours.set(file, {
            status: verdict.status,
            paths: leaves(paths),
            label: `${object.kind} ${object.namespace ?? ""}/${object.name} from ${object.provenance.file}`,
          });
        }
      }
    }
    expect(built).toBeGreaterThan(50); // the sample repo is really there and really built
    const theirs = kubeconformVerdicts([...ours.keys()]);
    const disagreements: string[] = [];
    const counts: Record<string, number> = {};
    let pathsAgree = 0;
    for (const [file, { status, label, paths }] of ours) {
      const kc = theirs.get(file);
      counts[status] = (counts[status] ?? 0) + 1;
      if (kc && status === "invalid" && STATUS[kc.status] === "invalid") {
        const expected = leaves([...kc.msg.matchAll(/ at '([^']*)'/g)].map((m) => m[1]!));
        if (JSON.stringify(expected) === JSON.stringify(paths)) pathsAgree++;
        else
          disagreements.push(
            `${label} (${file}): violation paths ours ${paths.join(" ")} | kubeconform ${expected.join(" ")}`,
          );
      }
      if (!kc || STATUS[kc.status] !== status) {
        disagreements.push(
          `${label} (${file}): ours ${status}, kubeconform ${kc?.status ?? "nothing"} ${kc?.msg ?? ""}`,
        );
      }
    }
    expect(disagreements, disagreements.join("\n")).toEqual([]);
    expect(counts.valid ?? 0).toBeGreaterThan(50);
    expect(counts.invalid ?? 0).toBeGreaterThan(150);
    expect(pathsAgree).toBe(counts.invalid);
    console.info(
      `kubeconform oracle (sample repo): ${ours.size} verdicts agree, violation paths agree on ${pathsAgree} invalid objects`,
      counts,
    );
  }, 180_000);
});
