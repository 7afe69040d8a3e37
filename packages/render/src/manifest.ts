import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fsUserError, UserError } from "@homeops/core";

/** Where the ownership manifest lives, relative to the repository root. */
export const OWNERSHIP_MANIFEST_PATH = ".homeops/rendered.json";

/** What homeops recorded about one file it wrote. */
export interface OwnedFile {
  /** sha256 (hex) of the file as homeops left it on disk. */
  sha256: string;
  /** sha256 of the rendered plaintext when it differs from what is on disk (SOPS-encrypted files). */
  rendered?: string;
}

/** path (posix, relative to the repository root) → what homeops last wrote there. */
export interface OwnershipManifest {
  version: 1;
  files: Record<string, OwnedFile>;
}

export function emptyManifest(): OwnershipManifest {
  return { version: 1, files: {} };
}

export function hashContent(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Reads the manifest; a missing file is an empty manifest, a damaged one is a UserError. */
export async function readOwnershipManifest(path: string, display = path): Promise<OwnershipManifest> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyManifest();
    throw fsUserError(error, display, "read");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError("FILE_UNREADABLE", `${display}: the ownership manifest is not valid JSON`, {
      cause: error,
      hint: "restore it from Git (git checkout -- .homeops/rendered.json); without it homeops treats every file as not its own",
    });
  }
  const manifest = value as Partial<OwnershipManifest>;
  if (manifest?.version !== 1 || typeof manifest.files !== "object" || manifest.files === null) {
    throw new UserError("FILE_UNREADABLE", `${display}: unsupported ownership manifest (expected version 1)`);
  }
  for (const [path, entry] of Object.entries(manifest.files)) {
    // a path outside the repository would let a tampered manifest delete anything
    if (path.startsWith("/") || path.split("/").some((s) => s === ".." || s === "") || path.includes("\\")) {
      throw new UserError(
        "FILE_UNREADABLE",
        `${display}: entry '${path}' is not a path inside the repository`,
      );
    }
    if (typeof entry?.sha256 !== "string") {
      throw new UserError("FILE_UNREADABLE", `${display}: entry '${path}' has no sha256`);
    }
  }
  return manifest as OwnershipManifest;
}

/** Stable text of the manifest: sorted paths, 2-space JSON, trailing newline. */
export function formatOwnershipManifest(manifest: OwnershipManifest): string {
  const files: Record<string, OwnedFile> = {};
  for (const path of Object.keys(manifest.files).sort()) {
    const entry = manifest.files[path]!;
    files[path] =
      entry.rendered === undefined
        ? { sha256: entry.sha256 }
        : { sha256: entry.sha256, rendered: entry.rendered };
  }
  return `${JSON.stringify({ version: 1, files }, null, 2)}\n`;
}
