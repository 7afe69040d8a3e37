import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isSopsPath, listFiles, parseYaml, UserError } from "@homeops/core";
import { buildKustomizationDir } from "@homeops/manifests";
import type { ClusterClient } from "./cluster-client.js";
import { HOMEOPS_FIELD_MANAGER } from "./flux-kinds.js";
import { comparable, jsonEqual } from "./internal/apply-set.js";
import { isObj, type KubeObject } from "./internal/objects.js";

export interface BootstrapAppsOptions {
  /** Repository root (absolute). */
  root: string;
  /** Directory whose subdirectories are the app namespaces. Default `kubernetes/apps`. */
  appsDir?: string;
  /** The Flux root: a kustomize directory with the Git source and the cluster Kustomization. Default `kubernetes/flux/cluster`. */
  fluxRoot?: string;
  /** Directories searched (recursively) for `*.sops.yaml` bootstrap secrets. Default `["bootstrap"]`. */
  secretDirs?: string[];
  /** The `sops` binary. Default `sops` on the PATH of `env`. */
  sops?: string;
  /** Environment of the `sops` process (its age identity: SOPS_AGE_KEY_FILE / SOPS_AGE_KEY). */
  env?: Record<string, string | undefined>;
}

export type BootstrapAction = "created" | "configured" | "unchanged";

export interface BootstrapStep {
  action: BootstrapAction;
  kind: string;
  name: string;
  namespace?: string;
  /** repository file the object came from (namespaces: the app directory) */
  file: string;
}

export interface BootstrapAppsResult {
  steps: BootstrapStep[];
  /** true when anything was created or configured */
  changed: boolean;
}

/**
 * Creates the namespaces of `kubernetes/apps/*`, server-side applies the bootstrap secrets (SOPS files
 * decrypted in memory by the `sops` CLI; plaintext never touches the disk) and the Flux root (Git source
 * and cluster Kustomization). Idempotent: an object whose apply would change nothing is not written, so a
 * second run leaves every resourceVersion as it was. Everything is read, decrypted and checked against the
 * cluster's API before the first write.
 */
export async function bootstrapApps(
  client: ClusterClient,
  options: BootstrapAppsOptions,
): Promise<BootstrapAppsResult> {
  const appsDir = options.appsDir ?? "kubernetes/apps";
  const fluxRoot = options.fluxRoot ?? "kubernetes/flux/cluster";
  const planned: { object: KubeObject; file: string }[] = [];

  let namespaces: string[];
  try {
    namespaces = (await readdir(join(options.root, appsDir), { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
  } catch {
    throw new UserError("FILE_NOT_FOUND", `${appsDir} does not exist`, {
      hint: "run `task configure` first",
    });
  }
  for (const ns of namespaces) {
    planned.push({
      object: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
      file: `${appsDir}/${ns}`,
    });
  }

  for (const dir of options.secretDirs ?? ["bootstrap"]) {
    for (const file of findSopsFiles(options.root, dir)) {
      const plaintext = await decrypt(options, file);
      for (const object of objectsOf(plaintext, file)) planned.push({ object, file });
    }
  }

  const build = await buildKustomizationDir(options.root, fluxRoot);
  const buildError = build.findings.find((f) => f.severity === "error");
  if (!build.ok || buildError) {
    throw new UserError(
      "BUILD_ERROR",
      `${fluxRoot} does not build: ${buildError?.message ?? "unknown error"}`,
      {
        ...(buildError?.file
          ? { location: { file: buildError.file, ...(buildError.line ? { line: buildError.line } : {}) } }
          : {}),
      },
    );
  }
  for (const o of build.objects) planned.push({ object: o.object as KubeObject, file: o.provenance.file });

  // every namespace an object lands in exists first
  const declared = new Set(
    planned.filter((p) => p.object.kind === "Namespace").map((p) => p.object.metadata?.name),
  );
  for (const { object, file } of [...planned]) {
    const ns = object.metadata?.namespace;
    if (ns && !declared.has(ns)) {
      declared.add(ns);
      planned.unshift({ object: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, file });
    }
  }

  // preflight: every kind is served (Flux installed?) before anything is written
  for (const { object } of planned) await client.resourceFor(object.apiVersion, object.kind);

  const steps: BootstrapStep[] = [];
  for (const { object, file } of planned) {
    const name = object.metadata?.name ?? "";
    const namespace = object.metadata?.namespace;
    const live = await client.get(object.apiVersion, object.kind, name, namespace);
    let action: BootstrapAction = "created";
    if (live) {
      const would = await client.apply(object, { fieldManager: HOMEOPS_FIELD_MANAGER, dryRun: true });
      if (jsonEqual(comparable(live), comparable(would))) action = "unchanged";
      else action = "configured";
    }
    if (action !== "unchanged") await client.apply(object, { fieldManager: HOMEOPS_FIELD_MANAGER });
    steps.push({ action, kind: object.kind, name, ...(namespace ? { namespace } : {}), file });
  }
  return { steps, changed: steps.some((s) => s.action !== "unchanged") };
}

function findSopsFiles(root: string, dir: string): string[] {
  const enter = (_: string, name: string) =>
    !name.startsWith(".") && name !== "templates" && name !== "node_modules";
  return listFiles(root, dir, { enter, symlinks: true }).filter(
    (path) => isSopsPath(path) && /\.ya?ml$/.test(path),
  );
}

/** `sops decrypt <file>` with the plaintext kept in memory (stdout), never written anywhere. */
function decrypt(options: BootstrapAppsOptions, file: string): Promise<string> {
  const binary = options.sops ?? "sops";
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["decrypt", file], {
      cwd: options.root,
      env: { ...(options.env ?? {}), SOPS_DISABLE_VERSION_CHECK: "1" } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (error) =>
      reject(
        new UserError("TOOL_MISSING", `cannot run sops (${binary})`, {
          cause: error,
          hint: "install sops (bash scripts/setup.sh --oracles)",
        }),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const message = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-2).join(" ");
      reject(
        new UserError("TOOL_FAILED", `sops could not decrypt ${file} (exit ${code}): ${message}`, {
          location: { file },
          hint: "is the age key available? (SOPS_AGE_KEY_FILE, or age.key at the repository root via `task` env)",
        }),
      );
    });
  });
}

function objectsOf(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseYaml(text, { file }).documents) {
    const value = structuredClone(doc.value);
    if (!isObj(value)) continue;
    if (typeof value.apiVersion !== "string" || typeof value.kind !== "string" || !isObj(value.metadata)) {
      throw new UserError("CONFIG_INVALID", `${file}: a document without apiVersion/kind/metadata`, {
        location: { file },
      });
    }
    delete value.sops;
    out.push(value as KubeObject);
  }
  return out;
}
