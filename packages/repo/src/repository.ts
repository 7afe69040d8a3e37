import { existsSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type Finding, type Logger, noopLogger, readRepoFile, toPosixPath, UserError } from "@homeops/core";
import type { InvariantsSettings } from "@homeops/invariants";
import type { RepoGraph } from "@homeops/manifests";
import type { ClusterConfig } from "@homeops/schema";
import { gitFiles } from "./internal/git.js";

/** The config file a repository has when nothing else is said (repo-relative). */
export const DEFAULT_CONFIG_FILE = "bootstrap/config.yaml";

/** A cluster config that was already loaded and validated (e.g. by `configure` before it rendered). */
export interface LoadedConfig {
  /** repo-relative path it was read from */
  file: string;
  value: ClusterConfig;
}

export interface OpenRepositoryOptions {
  /** Directory `dir` is relative to. Default: the process working directory is never read; pass it. */
  cwd: string;
  /** The config, already validated, so the repository does not read it again. */
  config?: LoadedConfig;
  /** Debug messages (which Kustomization is being built). Default: no-op. */
  logger?: Logger;
  /**
   * Keep YAML parses and Flux Kustomization builds between runs in this directory (keyed by file
   * content): an unchanged file is restored instead of parsed, a build whose Kustomization and inputs are
   * unchanged is restored instead of built. Default: none (every file is parsed, everything built).
   */
  parseCacheDir?: string;
}

/** The repo-level settings (`.homeops/invariants.yaml`) and the findings about that file itself. */
export interface RepositorySettings {
  settings?: InvariantsSettings;
  findings: Finding[];
}

export interface GraphOptions {
  /** Directory of the Flux entry points, repo-relative. */
  clusterRoot: string;
  /** strict substitution (default true; a discovered root says what its Flux runs) */
  strict?: boolean;
  /** this repository's URL and the GitRepositories that are it (from `discoverFluxRoots`) */
  repositoryUrl?: string;
  repositorySources?: readonly string[];
  /** Fetch remote kustomize inputs. Default false. */
  allowNetwork?: boolean;
}

/**
 * A home-ops repository opened once. Each part is read on first use and kept: the tracked files
 * (read once), the `.homeops/` settings, the cluster config, and the RepoGraph of each Flux cluster
 * root (built once, with Flux's strict substitution; stages that want the lenient verdict derive it).
 */
export class Repository {
  private filesPromise: Promise<ReadonlyMap<string, string>> | undefined;
  private readonly fileProblems: Finding[] = [];
  private readonly bytes = new Map<string, Promise<Buffer>>();
  private settingsPromise: Promise<RepositorySettings> | undefined;
  private readonly configs = new Map<string, Promise<ClusterConfig | undefined>>();
  private readonly graphs = new Map<string, Promise<RepoGraph>>();

  constructor(
    /** absolute root */
    readonly root: string,
    readonly logger: Logger = noopLogger,
    preloaded?: LoadedConfig,
    /** the parse and build caches are kept between runs (`parseCacheDir`): a run may keep a snapshot too */
    readonly keepsCaches = false,
  ) {
    if (preloaded) this.configs.set(preloaded.file, Promise.resolve(preloaded.value));
  }

  /** The repository's text files (tracked and untracked-but-not-ignored; every file outside Git), read once. */
  files(): Promise<ReadonlyMap<string, string>> {
    this.filesPromise ??= (async () => {
      const { readRepoFiles } = await import("@homeops/invariants");
      const paths = await gitFiles(this.root);
      return readRepoFiles(this.root, {
        ...(paths ? { paths } : {}),
        read: (rel) => this.read(rel),
        findings: this.fileProblems,
      });
    })();
    return this.filesPromise;
  }

  /** Findings about files `files()` could not check (outside the repository, unreadable, too large, binary). */
  async fileFindings(): Promise<readonly Finding[]> {
    await this.files();
    return this.fileProblems;
  }

  /** Writes what the parse and build caches (`parseCacheDir`) learned in this run; nothing when nothing changed. */
  async saveCaches(): Promise<void> {
    const manifests = await import("@homeops/manifests");
    manifests.saveParseCache();
    manifests.saveBuildCache();
  }

  /** The bytes of one file (repo-relative posix path), read from disk once and shared by every reader. */
  read(rel: string): Promise<Buffer> {
    let p = this.bytes.get(rel);
    if (!p) {
      // inside the repository after every symlink, within the size limit, errors named (core's boundary)
      p = readRepoFile(this.root, rel);
      this.bytes.set(rel, p);
    }
    return p;
  }

  /** `.homeops/invariants.yaml` when the repository has it (parsed once). */
  settings(): Promise<RepositorySettings> {
    this.settingsPromise ??= (async () => {
      const inv = await import("@homeops/invariants");
      const text = (await this.files()).get(inv.SETTINGS_FILE);
      if (text === undefined) return { findings: [] };
      return inv.parseInvariantsSettings(text, inv.SETTINGS_FILE);
    })();
    return this.settingsPromise;
  }

  /** Where the Flux manifests live (settings `kubernetesDir`, default `kubernetes`). */
  async kubernetesDir(): Promise<string> {
    return (await this.settings()).settings?.kubernetesDir ?? "kubernetes";
  }

  /**
   * The validated cluster config of `file` (repo-relative; default `bootstrap/config.yaml` when it
   * exists), read once. A missing default is `undefined`; a missing named file is a `UserError`; an
   * invalid config is `undefined` with a warning (see `homeops validate config`).
   */
  config(file?: string): Promise<ClusterConfig | undefined> {
    const rel = file ?? DEFAULT_CONFIG_FILE;
    let p = this.configs.get(rel);
    if (!p) {
      p = (async () => {
        if (!existsSync(join(this.root, rel))) {
          if (file)
            throw new UserError("FILE_NOT_FOUND", `${rel}: no such file`, { location: { file: rel } });
          return undefined;
        }
        const { loadClusterConfig } = await import("@homeops/schema");
        const result = await loadClusterConfig(join(this.root, rel), { file: rel });
        if (!result.ok) {
          this.logger.warn(
            `${rel} is not valid (see \`homeops validate config\`); placeholder literals are not checked`,
          );
          return undefined;
        }
        return result.value;
      })();
      this.configs.set(rel, p);
    }
    return p;
  }

  /** true when `rel` (repo-relative) exists; `dir` requires a directory. */
  has(rel: string, kind?: "dir"): boolean {
    const abs = join(this.root, rel);
    if (!existsSync(abs)) return false;
    return kind === "dir" ? statSync(abs).isDirectory() : true;
  }

  /** The RepoGraph of a Flux cluster root, built once (strict substitution, as the controllers do). */
  graph(options: GraphOptions): Promise<RepoGraph> {
    const key = JSON.stringify([
      options.clusterRoot,
      options.allowNetwork === true,
      options.strict,
      options.repositoryUrl,
      options.repositorySources,
    ]);
    let p = this.graphs.get(key);
    if (!p) {
      p = (async () => {
        const { buildRepoGraph } = await import("@homeops/manifests");
        return buildRepoGraph(this.root, {
          clusterRoot: options.clusterRoot,
          strict: options.strict ?? true,
          ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
          ...(options.repositorySources ? { repositorySources: options.repositorySources } : {}),
          allowNetwork: options.allowNetwork ?? false,
          // read through readRepoFile (inside the repository after every symlink): not checked again
          contents: (rel) => this.read(rel).catch(() => undefined),
          contentsInsideRoot: true,
          logger: this.logger,
        });
      })();
      this.graphs.set(key, p);
    }
    return p;
  }

  /** `path` (absolute or relative to the root) as a repo-relative posix path; `.` for the root. */
  relative(path: string): string {
    return toPosixPath(relative(this.root, resolve(this.root, path))) || ".";
  }
}

/**
 * Opens the repository at `dir` (relative to `options.cwd`). Nothing is read yet: every part is read
 * on first use, once. A missing directory is a `UserError`.
 */
export async function openRepository(dir: string, options: OpenRepositoryOptions): Promise<Repository> {
  const root = resolve(options.cwd, dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError("FILE_NOT_FOUND", `${dir}: no such directory`);
  }
  const preloaded = options.config
    ? {
        file: toPosixPath(relative(root, resolve(options.cwd, options.config.file))),
        value: options.config.value,
      }
    : undefined;
  if (options.parseCacheDir) {
    const manifests = await import("@homeops/manifests");
    manifests.useParseCache(options.parseCacheDir);
    manifests.useBuildCache(options.parseCacheDir);
  }
  return new Repository(root, options.logger, preloaded, options.parseCacheDir !== undefined);
}
