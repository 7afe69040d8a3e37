import { resolve } from "node:path";
import { isPathInside, relativePath } from "@homeops/core";
import { normalizeFluxPath } from "./build-repo.js";
import { fetchRemoteText } from "./internal/fetch-remote.js";
import { FileStore } from "./internal/files.js";
import { buildTopLevel } from "./internal/kustomize.js";
import { toBuiltObject } from "./internal/res.js";
import { withKustomizeFlavour } from "./internal/select.js";
import type { BuildKustomizationOptions, KustomizationBuild } from "./types.js";

/**
 * Builds one directory holding a kustomization.yaml with plain kustomize semantics (no Flux layer),
 * like `kustomize build <dir>`. `dir` is relative to `root` (or absolute inside it).
 */
export async function buildKustomizationDir(
  root: string,
  dir: string,
  options: BuildKustomizationOptions = {},
): Promise<KustomizationBuild> {
  const absRoot = resolve(root);
  const absDir = resolve(absRoot, dir);
  if (!isPathInside(absRoot, absDir)) {
    return {
      dir,
      objects: [],
      skippedRemote: [],
      findings: [
        {
          ruleId: "build/path-outside-root",
          severity: "error",
          message: `${dir} is outside the repository ${absRoot}`,
        },
      ],
      ok: false,
    };
  }
  const rel = normalizeFluxPath(relativePath(absRoot, absDir));
  // a plain build is `kustomize build`: the CLI's kustomize, not the one Flux pins
  const built = await withKustomizeFlavour("cli", () =>
    buildTopLevel(
      {
        files: new FileStore(absRoot, options.contents, false, options.maxFileBytes),
        allowNetwork: options.allowNetwork ?? false,
        fetchRemote: fetchRemoteText,
        findings: [],
        skipped: [],
        dirCache: new Map(),
      },
      rel,
      [],
    ),
  );
  return {
    dir: rel,
    objects: built.resources.map(toBuiltObject),
    skippedRemote: built.skipped,
    findings: built.findings,
    ok: built.ok,
  };
}
