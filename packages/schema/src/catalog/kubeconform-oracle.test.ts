// Oracle: kubeconform, pointed at our generated catalog, must reach the same verdict as our validator for
// every object of the corpus (hand-written invalid cases + generated mutants of valid objects).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { findExecutable, parseYaml } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { SchemaCatalog } from "./schema-catalog.js";
import { builtinCatalogDir, CATALOG_LAYOUT } from "./schema-location.js";
import { crdToSchemas } from "./strict-schema.js";
import { validateDocuments } from "./validate-documents.js";
import type { ObjectStatus } from "./validate-object.js";

const repoRoot = resolve(import.meta.dirname, "../../../..");
const corpus = join(import.meta.dirname, "../../test/fixtures/kubeconform-corpus");

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
    "kubeconform is not installed: the schema oracle cannot run (bash scripts/setup.sh --oracles installs it)",
  );
}

interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  status: string;
  msg: string;
  validationErrors?: { path: string; msg: string }[];
}

const STATUS: Record<string, ObjectStatus> = {
  statusValid: "valid",
  statusInvalid: "invalid",
  statusError: "error",
  statusSkipped: "skipped",
};

/** Runs kubeconform on files; returns filename → verdicts in document order. */
function runKubeconform(
  files: string[],
  strict: boolean,
  catalogDir: string,
  extra: string[] = [],
): Map<string, KubeconformResource[]> {
  const args = [
    ...extra,
    ...(strict ? ["-strict"] : []),
    "-skip",
    "Secret",
    "-output",
    "json",
    "-verbose",
    // one worker keeps kubeconform's output in document order
    "-n",
    "1",
    "-schema-location",
    join(catalogDir, CATALOG_LAYOUT),
    ...files,
  ];
  let stdout: string;
  try {
    stdout = execFileSync(kubeconform!, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    // exit 1 when something is invalid; the report is still on stdout
    stdout = String((error as { stdout?: string }).stdout ?? "");
  }
  const report = JSON.parse(stdout) as { resources: KubeconformResource[] };
  const byFile = new Map<string, KubeconformResource[]>();
  for (const r of report.resources) {
    const list = byFile.get(r.filename) ?? [];
    list.push(r);
    byFile.set(r.filename, list);
  }
  return byFile;
}

/** Every mapping path of an object (depth-limited), for mutants. */
function mappingPaths(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  if (path.length > 8) return out;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) mappingPaths(v, [...path, i], out);
  } else if (value !== null && typeof value === "object") {
    out.push(path);
    for (const [k, v] of Object.entries(value)) mappingPaths(v, [...path, k], out);
  }
  return out;
}

function scalarPaths(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  if (path.length > 8) return out;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) scalarPaths(v, [...path, i], out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) scalarPaths(v, [...path, k], out);
  } else if (path.length > 1) out.push(path);
  return out;
}

function setAt(
  root: unknown,
  path: readonly (string | number)[],
  mutate: (parent: Record<string | number, unknown>, key: string | number) => void,
) {
  let node = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  mutate(node, path[path.length - 1]!);
}

/** Unknown-field, wrong-type and bad-string mutants of each valid corpus object, one file each. */
function writeMutants(
  dir: string,
  sources = ["valid.yaml", "valid-more.yaml"].map((f) => join(corpus, f)),
  /** at most this many mutants of each kind per object (evenly spread over its paths) */
  limit = Number.POSITIVE_INFINITY,
): string[] {
  const docs = sources.flatMap((file) =>
    parseYaml(readFileSync(file, "utf8"), { file }).documents.map((d) => d.value as Record<string, unknown>),
  );
  const spread = <T>(all: T[]): T[] => {
    if (all.length <= limit) return all;
    const step = all.length / limit;
    return Array.from({ length: limit }, (_, i) => all[Math.floor(i * step)]!);
  };
  const files: string[] = [];
  mkdirSync(dir, { recursive: true });
  let n = 0;
  const emit = (object: unknown) => {
    const file = join(dir, `mutant-${String(n++).padStart(5, "0")}.yaml`);
    writeFileSync(file, `${JSON.stringify(object)}\n`); // JSON: no YAML 1.1 re-typing by Go
    files.push(file);
  };
  for (const doc of docs) {
    for (const path of spread(mappingPaths(doc))) {
      const copy = structuredClone(doc);
      if (path.length === 0) copy.zzUnknown = 1;
      else
        setAt(copy, path, (parent, key) => {
          (parent[key] as Record<string, unknown>).zzUnknown = "x";
        });
      emit(copy);
    }
    for (const path of spread(scalarPaths(doc))) {
      const wrongType = structuredClone(doc);
      setAt(wrongType, path, (parent, key) => {
        parent[key] = { not: "a scalar" };
      });
      emit(wrongType);
      const odd = structuredClone(doc);
      setAt(odd, path, (parent, key) => {
        parent[key] = typeof parent[key] === "string" ? "not valid ~ 10 minutes" : "12";
      });
      emit(odd);
    }
  }
  return files;
}

/** A copy of the catalog without `additionalProperties: false` (what --no-strict validates against). */
function relaxedCatalog(work: string): string {
  const source = builtinCatalogDir();
  const out = join(work, "relaxed-catalog");
  for (const entry of readdirSync(source, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".json")) continue;
    const from = join(entry.parentPath, entry.name);
    const to = join(out, from.slice(source.length));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(
      to,
      readFileSync(from, "utf8")
        .replaceAll(/,?"additionalProperties":false/g, "")
        .replaceAll("{,", "{"),
    );
  }
  return out;
}

interface OurVerdict {
  status: ObjectStatus;
  /** instance paths of the violations, as kubeconform prints them (an unknown field at its parent) */
  paths: string[];
}

async function ourVerdicts(
  file: string,
  catalog: SchemaCatalog,
  requireSchemas = true,
): Promise<OurVerdict[]> {
  const out: OurVerdict[] = [];
  for (const verdict of await validateDocuments(catalog, readFileSync(file, "utf8"), {
    file,
    skipKinds: ["Secret"],
    // kubeconform without -ignore-missing-schemas
    requireSchemas,
  })) {
    const paths = verdict.violations.map((v) => {
      const path = v.keyword === "additionalProperties" ? v.path.slice(0, -1) : v.path;
      return path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
    });
    out.push({ status: verdict.status, paths: leaves(paths) });
  }
  return out;
}

/** The deepest paths of a set (kubeconform also reports each enclosing $ref/anyOf level). */
function leaves(paths: Iterable<string>): string[] {
  const all = [...new Set(paths)];
  return all.filter((p) => !all.some((q) => q !== p && q.startsWith(p === "" ? "/" : `${p}/`))).sort();
}

/** kubeconform's violation paths, from the full error text (`at '/spec/replicas': …`). */
function theirPaths(resource: KubeconformResource): string[] {
  return leaves([...resource.msg.matchAll(/ at '([^']*)'/g)].map((m) => m[1]!));
}

describe.skipIf(!kubeconform)("kubeconform agrees with our verdicts", () => {
  for (const strict of [true, false]) {
    it(`on the hand-written corpus and generated mutants (${strict ? "strict" : "no-strict"})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "homeops-kubeconform-oracle-"));
      mkdirSync(dir, { recursive: true });
      const files = [
        ...readdirSync(corpus)
          .filter((f) => f.endsWith(".yaml"))
          .map((f) => join(corpus, f)),
        ...writeMutants(dir),
        // the other catalog families: fewer mutants per object keep the run short
        ...writeMutants(join(dir, "crds"), [join(corpus, "valid-crds.yaml")], 6),
      ];
      // kubeconform's -strict does not change a schema; --no-strict is ours dropping
      // `additionalProperties: false`, so kubeconform gets the same relaxation as files
      const theirs = runKubeconform(files, strict, strict ? builtinCatalogDir() : relaxedCatalog(dir));
      const catalog = new SchemaCatalog({ strict });
      const disagreements: string[] = [];
      const counts: Record<string, number> = {};
      let compared = 0;
      let pathsAgree = 0;
      const pathDifferences: string[] = [];
      for (const file of files) {
        const ours = await ourVerdicts(file, catalog);
        const kc = (theirs.get(file) ?? []).filter((r) => r.status !== "statusEmpty");
        if (kc.length !== ours.length) {
          disagreements.push(`${file}: kubeconform saw ${kc.length} objects, we saw ${ours.length}`);
          continue;
        }
        ours.forEach(({ status, paths }, i) => {
          const k = kc[i]!;
          compared++;
          counts[status] = (counts[status] ?? 0) + 1;
          if (status === "invalid" && STATUS[k.status] === status) {
            const expected = theirPaths(k);
            if (JSON.stringify(expected) === JSON.stringify(paths)) pathsAgree++;
            else
              pathDifferences.push(
                `${file} #${i}: ours ${paths.join(" ")} | kubeconform ${expected.join(" ")}`,
              );
          }
          if (STATUS[k.status] !== status) {
            disagreements.push(
              `${file} #${i} ${k.kind} ${k.name}: ours ${status}, kubeconform ${k.status} ${k.msg.slice(0, 300)}\n${readFileSync(file, "utf8").slice(0, 2000)}`,
            );
          }
        });
      }
      expect(disagreements, disagreements.join("\n\n")).toEqual([]);
      // where each invalid object is wrong: the same field paths as kubeconform
      expect(pathDifferences, pathDifferences.join("\n")).toEqual([]);
      expect(pathsAgree).toBeGreaterThan(strict ? 200 : 100);
      expect(compared).toBeGreaterThan(500);
      // both verdicts occur in volume: the comparison can fail
      expect(counts.valid ?? 0).toBeGreaterThan(10);
      expect(counts.invalid ?? 0).toBeGreaterThan(strict ? 150 : 80);
      console.info(
        `kubeconform oracle (${strict ? "strict" : "no-strict"}): ${compared} verdicts agree, violation paths agree on ${pathsAgree} invalid objects`,
        counts,
      );
    }, 180_000);
  }
});

const repositoryCrds = join(import.meta.dirname, "../../test/fixtures/repository-crds");

describe.skipIf(!kubeconform)("kubeconform agrees on schemas made from a repository's CRDs", () => {
  for (const strict of [true, false]) {
    it(`on hand-written objects and mutants (${strict ? "strict" : "no-strict"})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "homeops-kubeconform-crds-"));
      const crdText = readFileSync(join(repositoryCrds, "crds.yaml"), "utf8");
      const crds = parseYaml(crdText, { file: "crds.yaml" }).documents.map((d) => ({
        object: d.value,
        source: `crds.yaml:${d.start().line}`,
      }));
      // the schemas kubeconform gets: the same conversion, written in the catalog layout
      const metaDefs = JSON.parse(
        readFileSync(join(builtinCatalogDir(), "object-meta.json"), "utf8"),
      ).definitions;
      const schemaDir = join(dir, "repository-schemas");
      let written = 0;
      for (const { object } of crds) {
        for (const s of crdToSchemas(object, metaDefs)) {
          const file = join(schemaDir, s.group, `${s.kind.toLowerCase()}_${s.version}.json`);
          mkdirSync(dirname(file), { recursive: true });
          const text = JSON.stringify(s.schema);
          writeFileSync(
            file,
            strict ? text : text.replaceAll(/,?"additionalProperties":false/g, "").replaceAll("{,", "{"),
          );
          written++;
        }
      }
      expect(written).toBe(3); // Widget v1 and v1beta1 (v1alpha1 is not served), ReplicationSource v1alpha1
      const objects = join(repositoryCrds, "objects.yaml");
      const mutants = writeMutants(dir, [objects]);
      const files = [objects, ...mutants];
      const catalogDir = strict ? builtinCatalogDir() : relaxedCatalog(dir);
      const theirs = runKubeconform(files, strict, catalogDir, [
        "-ignore-missing-schemas",
        "-schema-location",
        join(schemaDir, CATALOG_LAYOUT),
      ]);
      const catalog = new SchemaCatalog({ strict, crds });
      const disagreements: string[] = [];
      const counts: Record<string, number> = {};
      let pathsAgree = 0;
      for (const file of files) {
        const ours = await ourVerdicts(file, catalog, false);
        const kc = (theirs.get(file) ?? []).filter((r) => r.status !== "statusEmpty");
        expect(kc.length, file).toBe(ours.length);
        ours.forEach(({ status, paths }, i) => {
          const k = kc[i]!;
          counts[status] = (counts[status] ?? 0) + 1;
          if (STATUS[k.status] !== status) {
            disagreements.push(
              `${file} #${i} ${k.kind} ${k.name}: ours ${status}, kubeconform ${k.status} ${k.msg.slice(0, 300)}`,
            );
          } else if (status === "invalid") {
            if (JSON.stringify(theirPaths(k)) === JSON.stringify(paths)) pathsAgree++;
            else
              disagreements.push(
                `${file} #${i}: ours ${paths.join(" ")} | kubeconform ${theirPaths(k).join(" ")}`,
              );
          }
        });
      }
      expect(disagreements, disagreements.join("\n")).toEqual([]);
      // the fixture's own verdicts: the repository CRD beats the catalog's ReplicationSource (spec.kopia)
      const first = await ourVerdicts(objects, catalog, false);
      expect(first.map((v) => v.status)).toEqual([
        "valid",
        "valid",
        "valid",
        "valid",
        "invalid",
        "skipped",
        "invalid",
      ]);
      expect(counts.valid ?? 0).toBeGreaterThan(5);
      expect(counts.invalid ?? 0).toBeGreaterThan(strict ? 60 : 30);
      expect(pathsAgree).toBeGreaterThan(strict ? 60 : 30);
    }, 180_000);
  }
});
