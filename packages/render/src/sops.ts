import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  findExecutable,
  isSopsEncryptedText,
  isSopsPath,
  parseYaml,
  UserError,
  writeFileAtomic,
} from "@homeops/core";

/** `*.sops.*` files are secrets: written encrypted, never as plaintext (one predicate: core's). */
export { isSopsPath };

/** true when `content` already carries SOPS metadata (YAML, JSON, dotenv/ini). */
export function isSopsEncrypted(content: string | Uint8Array): boolean {
  return isSopsEncryptedText(typeof content === "string" ? content : Buffer.from(content).toString("utf8"));
}

export interface FindSopsOptions {
  /** Environment to read PATH from (libraries never read process.env). */
  env: Record<string, string | undefined>;
  /** Extra directories searched after PATH, e.g. `~/go/bin`. */
  extraDirs?: readonly string[];
}

/** Absolute path of the `sops` binary, or undefined when it is not installed. */
export async function findSops(options: FindSopsOptions): Promise<string | undefined> {
  return findExecutable("sops", [options.env.PATH, ...(options.extraDirs ?? [])]);
}

/** The age recipients a `.sops.yaml` text names (creation_rules[].age and key_groups[].age). */
export function readAgeRecipients(sopsConfig: string, file = ".sops.yaml"): string[] {
  const doc = parseYaml(sopsConfig, { file }).documents[0];
  const rules = (doc?.value as { creation_rules?: unknown[] } | undefined)?.creation_rules ?? [];
  const out: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === "string")
      out.push(
        ...value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (Array.isArray(value)) for (const v of value) add(v);
  };
  for (const rule of rules as Record<string, unknown>[]) {
    add(rule?.age);
    for (const group of (rule?.key_groups as Record<string, unknown>[] | undefined) ?? []) add(group?.age);
  }
  return out;
}

export interface SopsOptions {
  /** Absolute path of the sops binary (see `findSops`). */
  sops: string;
  /** Repository root: sops runs there, so creation-rule `path_regex` sees repo-relative paths. */
  rootDir: string;
  /** Text of the `.sops.yaml` to use (the freshly rendered one, before it is written). */
  sopsConfig: string;
  /** Environment for the sops process. */
  env: Record<string, string | undefined>;
}

/** Encrypts plaintext for a repo-relative path, in memory. */
export type SopsEncryptor = (path: string, plaintext: Uint8Array) => Promise<Buffer>;

/**
 * Returns an encryptor that runs `sops encrypt` on stdin with the given `.sops.yaml`: plaintext never
 * touches the repository. Throws a UserError when the config names no age recipient.
 */
export function createSopsEncryptor(options: SopsOptions): SopsEncryptor {
  if (readAgeRecipients(options.sopsConfig).length === 0) {
    throw new UserError(
      "CONFIG_INVALID",
      ".sops.yaml names no age recipient: refusing to write *.sops.* files",
      {
        hint: "set secrets.ageRecipients in bootstrap/config.yaml (age-keygen prints the public key)",
      },
    );
  }
  return async (path, plaintext) => {
    const dir = await mkdtemp(join(tmpdir(), "homeops-sops-"));
    try {
      const config = join(dir, ".sops.yaml");
      await writeFile(config, options.sopsConfig);
      const out = await runSops(
        options,
        ["--config", config, "encrypt", "--filename-override", path],
        plaintext,
      );
      if (!isSopsEncrypted(out)) throw new UserError("TOOL_FAILED", `sops did not encrypt ${path}`);
      return out;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** Encrypts a repo file in place unless it is already encrypted. Returns true when it encrypted. */
export async function encryptSopsFileInPlace(path: string, options: SopsOptions): Promise<boolean> {
  const absolute = join(options.rootDir, path);
  const content = await readFile(absolute);
  if (isSopsEncrypted(content)) return false;
  const encrypted = await createSopsEncryptor(options)(path, content);
  await writeFileAtomic(absolute, encrypted);
  return true;
}

/** Decrypts with `sops decrypt` (needs the age identity in `env`, e.g. SOPS_AGE_KEY_FILE). */
export async function decryptSops(path: string, options: SopsOptions): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-sops-"));
  try {
    const config = join(dir, ".sops.yaml");
    await writeFile(config, options.sopsConfig);
    return await runSops(options, ["--config", config, "decrypt", path]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runSops(options: SopsOptions, args: string[], input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.sops, args, {
      cwd: options.rootDir,
      env: { ...options.env, SOPS_DISABLE_VERSION_CHECK: "1" } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (error) =>
      reject(
        new UserError("TOOL_MISSING", `cannot run sops (${options.sops})`, {
          cause: error,
          hint: "install sops",
        }),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) resolvePromise(Buffer.concat(out));
      else {
        const message = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-3).join(" ");
        reject(
          new UserError("TOOL_FAILED", `sops ${args.slice(2).join(" ")} failed (exit ${code}): ${message}`),
        );
      }
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

export interface EncryptPlaintextOptions {
  /** the repository root the paths are relative to */
  rootDir: string;
  /** environment for sops (PATH, SOPS_AGE_KEY_FILE, …); the caller passes it, the library never reads it */
  env: Record<string, string | undefined>;
  /** more directories to look for sops in, after PATH */
  extraDirs?: string[];
}

/**
 * Encrypts in place every SOPS file of `paths` (repo-relative) that is still plaintext on disk, e.g. one
 * an older homeops left, and returns those paths. sops and `.sops.yaml` are needed only when there is
 * something to encrypt; without them that is a `UserError` naming the files.
 */
export async function encryptPlaintextSopsFiles(
  paths: readonly string[],
  options: EncryptPlaintextOptions,
): Promise<string[]> {
  const pending: string[] = [];
  for (const path of paths) {
    if (!isSopsPath(path)) continue;
    const content = await readFile(join(options.rootDir, path)).catch(() => null);
    if (content !== null && !isSopsEncrypted(content)) pending.push(path);
  }
  if (pending.length === 0) return [];
  const sops = await findSops({
    env: options.env,
    ...(options.extraDirs ? { extraDirs: options.extraDirs } : {}),
  });
  const sopsConfig = await readFile(join(options.rootDir, ".sops.yaml"), "utf8").catch(() => undefined);
  if (!sops || sopsConfig === undefined) {
    throw new UserError(
      "TOOL_MISSING",
      `plaintext secrets need encrypting and ${sops ? ".sops.yaml is missing" : "sops is not installed"}: ${pending.join(", ")}`,
      { hint: "install sops, keep .sops.yaml, and run configure again before committing" },
    );
  }
  for (const path of pending)
    await encryptSopsFileInPlace(path, { sops, rootDir: options.rootDir, sopsConfig, env: options.env });
  return pending;
}
