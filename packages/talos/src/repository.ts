import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { type Finding, isSopsPath, UserError, writeFileAtomic } from "@homeops/core";
import type { ClusterConfig } from "@homeops/schema";
import ignore from "ignore";
import { parse } from "yaml";
import { emitYaml, type YNode } from "./internal/go-value.js";
import {
  noUserPatches,
  renderNodeConfig,
  type TalosClusterModel,
  talosModelFromConfig,
  type UserPatches,
} from "./model.js";
import { loadPatches } from "./patch.js";
import {
  generateSecretsBundle,
  issueOsCertificate,
  parseSecretsBundle,
  pemOf,
  type SecretsBundle,
  SecretsBundleError,
  stringifySecretsBundle,
} from "./secrets.js";
import { type MachineConfigVerdict, preloadSchemaValidator, validateMachineConfig } from "./validate.js";

/** Where the Talos side of a homeops repository lives (all relative to the repository root). */
export const TALOS_LAYOUT = {
  dir: "talosconfig",
  /** the SOPS-encrypted secrets bundle (committed) */
  secrets: "talosconfig/secrets.sops.yaml",
  patches: "talosconfig/patches",
  /** generated machine configs (gitignored) */
  clusterconfig: "talosconfig/clusterconfig",
  /** generated talosctl client config (gitignored) */
  talosconfig: "talosconfig/talosconfig",
  /** Talos' published machine-config JSON Schema, when the user keeps one */
  schema: ".homeops/talos/config.schema.json",
} as const;

/** How to run sops: the binary, and the environment it gets (SOPS_AGE_KEY_FILE etc.). */
export interface SopsRunner {
  sops: string;
  env: Record<string, string | undefined>;
}

export interface TalosRepositoryOptions {
  /** repository root */
  root: string;
  /** the validated config */
  config: ClusterConfig;
  /** the secrets bundle: the SOPS file (default) or a plaintext bundle outside Git */
  secretsFile?: string;
  sops?: SopsRunner;
}

function notFound(path: string, hint: string): UserError {
  return new UserError(
    "FILE_NOT_FOUND",
    `the Talos secrets bundle ${path} does not exist: nothing generated`,
    {
      location: { file: path },
      hint,
    },
  );
}

function runSops(runner: SopsRunner, args: string[], cwd: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(runner.sops, args, {
      cwd,
      env: { ...runner.env, SOPS_DISABLE_VERSION_CHECK: "1" } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) =>
      reject(new UserError("TOOL_MISSING", `cannot run sops (${runner.sops}): ${e.message}`)),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(
          new UserError(
            "TOOL_FAILED",
            `sops ${args
              .filter((a) => !a.startsWith("/"))
              .slice(2, 3)
              .join(" ")} failed (exit ${code}): ${Buffer.concat(err).toString("utf8").trim()}`,
            {
              hint: "is the age key available (SOPS_AGE_KEY_FILE, default age.key at the repository root)?",
            },
          ),
        );
    });
    child.stdin.end(input ?? "");
  });
}

async function withSopsConfig<T>(
  recipients: readonly string[],
  fn: (config: string, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-talos-sops-"));
  try {
    const config = join(dir, "sops.yaml");
    // every value encrypted (no encrypted_regex): the bundle is all secret
    await writeFile(config, `creation_rules:\n  - age: ${recipients.join(",")}\n`, { mode: 0o600 });
    return await fn(config, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every leaf of a SOPS YAML document (outside `sops:`) is `ENC[…]`. */
export function isFullyEncrypted(text: string): boolean {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== "object" || !("sops" in doc)) return false;
  const leaves = (v: unknown): boolean => {
    if (v === null || v === undefined) return true;
    if (typeof v === "string") return /^ENC\[AES256_GCM,/.test(v);
    if (Array.isArray(v)) return v.every(leaves);
    if (typeof v === "object") return Object.values(v).every(leaves);
    return false;
  };
  return Object.entries(doc).every(([k, v]) => k === "sops" || leaves(v));
}

/**
 * Read the configured bundle. A missing or unreadable bundle is an operational error naming the path; it
 * is never replaced by a new one (only `createSecretsBundleFile` makes one, and it refuses to overwrite).
 */
export async function readSecretsBundle(options: TalosRepositoryOptions): Promise<SecretsBundle> {
  const rel = options.secretsFile ?? TALOS_LAYOUT.secrets;
  const path = resolve(options.root, rel);
  try {
    await access(path, constants.R_OK);
  } catch {
    throw notFound(
      rel,
      "restore it from your backup, or create a new cluster's bundle with `homeops talos gensecret --new`",
    );
  }
  let text: string;
  if (isSopsPath(rel)) {
    if (!options.sops)
      throw new UserError("TOOL_MISSING", `sops is needed to read ${rel}`, {
        location: { file: rel },
        hint: "install sops (bash scripts/setup.sh --oracles)",
      });
    const sops = options.sops;
    text = await withSopsConfig(options.config.secrets.ageRecipients, (config) =>
      runSops(
        sops,
        ["--config", config, "decrypt", "--input-type", "yaml", "--output-type", "yaml", path],
        options.root,
      ),
    );
  } else text = await readFile(path, "utf8");
  try {
    return parseSecretsBundle(text);
  } catch (e) {
    if (e instanceof SecretsBundleError)
      throw new UserError("CONFIG_INVALID", `${rel} is not a valid Talos secrets bundle: ${e.message}`, {
        location: { file: rel },
        hint: "restore the bundle from your backup; homeops never regenerates it",
      });
    throw e;
  }
}

export interface CreateSecretsOptions extends TalosRepositoryOptions {
  now?: Date;
}

/** `gensecret --new`: a new bundle, written SOPS-encrypted (or to a path outside Git); refuses to overwrite. */
export async function createSecretsBundleFile(
  options: CreateSecretsOptions,
): Promise<{ path: string; bundle: SecretsBundle }> {
  const rel = options.secretsFile ?? TALOS_LAYOUT.secrets;
  const path = resolve(options.root, rel);
  if (await exists(path))
    throw new UserError("USAGE", `${rel} already exists: refusing to overwrite a secrets bundle`, {
      location: { file: rel },
      hint: "a new bundle makes a new cluster; delete the file yourself only if you mean that",
    });
  if (!isSopsPath(rel) && !(await isOutsideGitTree(options.root, path)))
    throw new UserError(
      "USAGE",
      `${rel} is inside the repository: a plaintext bundle must live outside Git (or name a *.sops.yaml file)`,
      {
        location: { file: rel },
      },
    );
  const bundle = await generateSecretsBundle(options.now ? { now: options.now } : {});
  const plaintext = stringifySecretsBundle(bundle);
  let data = plaintext;
  if (isSopsPath(rel)) {
    if (!options.sops)
      throw new UserError("TOOL_MISSING", `sops is needed to write ${rel}`, {
        hint: "install sops (bash scripts/setup.sh --oracles)",
      });
    const sops = options.sops;
    // sops reads the plaintext from a private temp file (mode 0600, outside the repository, removed after)
    data = await withSopsConfig(options.config.secrets.ageRecipients, async (config, dir) => {
      const input = join(dir, "secrets.yaml");
      await writeFile(input, plaintext, { mode: 0o600 });
      return runSops(
        sops,
        [
          "--config",
          config,
          "encrypt",
          "--filename-override",
          rel,
          "--input-type",
          "yaml",
          "--output-type",
          "yaml",
          input,
        ],
        options.root,
      );
    });
    if (!isFullyEncrypted(data))
      throw new UserError("TOOL_FAILED", `sops did not encrypt every value of ${rel}: nothing written`);
  }
  await writeFileAtomic(path, data, { mode: 0o600 });
  return { path: rel, bundle };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isOutsideGitTree(root: string, path: string): Promise<boolean> {
  const rel = relative(root, path);
  return rel.startsWith("..") || rel.startsWith("/");
}

/** User patches from talosconfig/patches/{all,controlplane,worker,<node>}/*.yaml (file-name order). */
export async function loadUserPatches(root: string, nodeNames: readonly string[]): Promise<UserPatches> {
  const dir = join(root, TALOS_LAYOUT.patches);
  const layer = async (name: string) => {
    let files: string[];
    try {
      files = (await readdir(join(dir, name))).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    } catch {
      return [];
    }
    const inputs = await Promise.all(
      files.map(async (f) => ({
        text: await readFile(join(dir, name, f), "utf8"),
        source: `${TALOS_LAYOUT.patches}/${name}/${f}`,
      })),
    );
    return loadPatches(inputs);
  };
  const known = new Set(["all", "controlplane", "worker", ...nodeNames]);
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    return noUserPatches;
  }
  const stray = entries.filter((e) => !known.has(e) && !e.startsWith("."));
  if (stray.length > 0)
    throw new UserError("CONFIG_INVALID", `${TALOS_LAYOUT.patches}/${stray[0]} names no node and no layer`, {
      location: { file: `${TALOS_LAYOUT.patches}/${stray[0]}` },
      hint: `patch directories are all, controlplane, worker or a node name (${nodeNames.join(", ")})`,
    });
  const nodes: Record<string, Awaited<ReturnType<typeof layer>>> = {};
  for (const n of nodeNames) nodes[n] = await layer(n);
  return {
    all: await layer("all"),
    controlplane: await layer("controlplane"),
    worker: await layer("worker"),
    nodes,
  };
}

/** One generated file. */
export interface GeneratedFile {
  /** relative to the repository root */
  path: string;
  content: string;
  /** node name, for machine configs */
  node?: string;
}

export interface GenerateResult {
  model: TalosClusterModel;
  files: GeneratedFile[];
  /** files whose content changed on disk (empty on a dry run) */
  written: string[];
}

export interface GenerateOptions extends TalosRepositoryOptions {
  /** write nothing, return the files */
  dryRun?: boolean;
  /** admin certificate notBefore when a new one is issued (default: today 00:00 UTC) */
  now?: Date;
}

const startOfDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** The talosctl client config (clientconfig.Config): context = cluster, endpoints = controllers. */
export function talosconfigText(
  model: TalosClusterModel,
  bundle: SecretsBundle,
  admin: { crt: string; key: string },
): string {
  const s = (text: string): YNode => ({ k: "scalar", text });
  const endpoints = model.nodes.filter((n) => n.role === "controlplane").map((n) => n.address);
  return emitYaml({
    k: "map",
    entries: [
      ["context", s(model.clusterName)],
      [
        "contexts",
        {
          k: "map",
          entries: [
            [
              model.clusterName,
              {
                k: "map",
                entries: [
                  ["endpoints", { k: "seq", items: endpoints.map(s) }],
                  ["ca", s(bundle.certs.os.crt)],
                  ["crt", s(Buffer.from(admin.crt).toString("base64"))],
                  ["key", s(Buffer.from(admin.key).toString("base64"))],
                ],
              },
            ],
          ],
        },
      ],
    ],
  });
}

/** The admin certificate of an existing talosconfig, when it is still good for this bundle (≥ 30 days left). */
async function reusableAdmin(path: string, model: TalosClusterModel, bundle: SecretsBundle, now: Date) {
  try {
    const doc = parse(await readFile(path, "utf8")) as {
      contexts?: Record<string, { ca?: string; crt?: string; key?: string }>;
    };
    const ctx = doc.contexts?.[model.clusterName];
    if (!ctx?.crt || !ctx.key || ctx.ca !== bundle.certs.os.crt) return undefined;
    const { X509Certificate } = await import("node:crypto");
    const cert = new X509Certificate(pemOf(ctx.crt));
    const ca = new X509Certificate(pemOf(bundle.certs.os.crt));
    if (!cert.verify(ca.publicKey)) return undefined;
    if (new Date(cert.validTo).getTime() - now.getTime() < 30 * 24 * 3600 * 1000) return undefined;
    return { crt: pemOf(ctx.crt), key: pemOf(ctx.key) };
  } catch {
    return undefined;
  }
}

/** Refuse to write generated secrets where Git would pick them up. */
async function assertIgnored(root: string, paths: readonly string[]): Promise<void> {
  const gitignore = await readFile(join(root, ".gitignore"), "utf8").catch(() => "");
  const ig = ignore().add(gitignore);
  const tracked = paths.filter((p) => !ig.ignores(p));
  if (tracked.length > 0)
    throw new UserError(
      "CONFIG_INVALID",
      `${tracked[0]} would not be ignored by Git: refusing to write machine configs with secrets there`,
      {
        location: { file: ".gitignore" },
        hint: `add ${TALOS_LAYOUT.clusterconfig}/ and ${TALOS_LAYOUT.talosconfig} to .gitignore`,
      },
    );
}

/**
 * `homeops talos generate`: every node's machine config and the talosconfig, from the config, the bundle
 * and the user patches. Same inputs ⇒ byte-identical files (the admin certificate is reused while valid).
 */
export async function generateTalosConfigs(options: GenerateOptions): Promise<GenerateResult> {
  const model = talosModelFromConfig(options.config);
  const bundle = await readSecretsBundle(options);
  const patches = await loadUserPatches(
    options.root,
    model.nodes.map((n) => n.name),
  );
  const files: GeneratedFile[] = model.nodes.map((node) => ({
    path: `${TALOS_LAYOUT.clusterconfig}/${model.clusterName}-${node.name}.yaml`,
    content: renderNodeConfig(model, node, bundle, patches),
    node: node.name,
  }));
  const now = options.now ?? new Date();
  const admin =
    (await reusableAdmin(join(options.root, TALOS_LAYOUT.talosconfig), model, bundle, now)) ??
    (await issueOsCertificate(bundle, {
      notBefore: startOfDay(now),
      deriveFrom: `admin/${model.clusterName}`,
    }));
  files.push({ path: TALOS_LAYOUT.talosconfig, content: talosconfigText(model, bundle, admin) });
  const written: string[] = [];
  if (!options.dryRun) {
    await assertIgnored(
      options.root,
      files.map((f) => f.path),
    );
    for (const f of files) {
      const abs = join(options.root, f.path);
      const old = await readFile(abs, "utf8").catch(() => undefined);
      if (old !== f.content) written.push(f.path);
      await writeFileAtomic(abs, f.content, { mode: 0o600 });
    }
  }
  return { model, files, written };
}

export interface ValidateRepositoryOptions extends TalosRepositoryOptions {
  /** Talos' JSON Schema (parsed); default: .homeops/talos/config.schema.json when present */
  schema?: object;
}

export interface TalosValidation {
  verdicts: MachineConfigVerdict[];
  findings: Finding[];
  /** why the JSON Schema was not applied, when it was not */
  schemaSkipped?: string;
}

/** `homeops talos validate` (and the `talos` stage of configure): generate in memory, validate every config. */
export async function validateTalosRepository(options: ValidateRepositoryOptions): Promise<TalosValidation> {
  let schema = options.schema;
  let schemaSkipped: string | undefined;
  if (!schema) {
    const path = join(options.root, TALOS_LAYOUT.schema);
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) schemaSkipped = `no Talos JSON Schema at ${TALOS_LAYOUT.schema}`;
    else schema = JSON.parse(text) as object;
  }
  const { files, model } = await generateTalosConfigs({ ...options, dryRun: true });
  if (schema) await preloadSchemaValidator();
  const verdicts = files
    .filter((f) => f.node !== undefined)
    .map((f) =>
      validateMachineConfig(f.content, {
        file: f.path,
        ...(schema ? { schema } : {}),
        expect: { apiVip: model.apiVip, endpoint: model.endpoint },
      }),
    );
  return {
    verdicts,
    findings: verdicts.flatMap((v) => v.findings),
    ...(schemaSkipped ? { schemaSkipped } : {}),
  };
}
