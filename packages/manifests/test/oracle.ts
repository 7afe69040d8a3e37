// Test helpers for the differential tests against tools/flux-build (github.com/fluxcd/pkg/kustomize).
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { findExecutable } from "@homeops/core";

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** The oracle binary (.tools/bin, PATH, ~/go/bin), or undefined. */
export function findOracle(): string | undefined {
  return findExecutable("flux-build", [
    join(REPO_ROOT, ".tools/bin"),
    process.env.PATH,
    join(process.env.HOME ?? "", "go/bin"),
  ]);
}

export type OracleResult = { ok: true; objects: Record<string, unknown>[] } | { ok: false; error: string };

export async function runOracle(
  binary: string,
  root: string,
  kustomization: Record<string, unknown>,
  options: { strict: boolean; varsObjects?: string; sourceIgnore?: string },
): Promise<OracleResult> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-oracle-in-"));
  const ksFile = join(dir, "ks.json");
  await writeFile(ksFile, JSON.stringify(kustomization));
  const args = ["--root", root, "--kustomization", ksFile, `--strict=${options.strict}`];
  if (options.sourceIgnore !== undefined) {
    const ignoreFile = join(dir, "ignore.txt");
    await writeFile(ignoreFile, options.sourceIgnore);
    args.push("--source-ignore", ignoreFile);
  }
  if (options.varsObjects) {
    const varsFile = join(dir, "vars.yaml");
    await writeFile(varsFile, options.varsObjects);
    args.push("--vars-objects", varsFile);
  }
  try {
    const { stdout } = await run(binary, args, { maxBuffer: 256 * 1024 * 1024 });
    return { ok: true, objects: JSON.parse(stdout) as Record<string, unknown>[] };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    if (e.code === 1) return { ok: false, error: (e.stderr ?? "").trim() };
    throw error;
  }
}

/** Order-insensitive, key-order-insensitive normal form: objects sorted by identity, keys sorted. */
export function normalizeObjects(objects: unknown[]): unknown[] {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = norm((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  const id = (o: unknown): string => {
    const r = o as { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } };
    return `${r.apiVersion}|${r.kind}|${r.metadata?.namespace ?? ""}|${r.metadata?.name ?? ""}`;
  };
  return objects
    .map((o) => JSON.parse(JSON.stringify(o)) as unknown)
    .map(norm)
    .sort((a, b) => id(a).localeCompare(id(b)));
}
