import type { YamlPath } from "@homeops/core";

/** One step from config version `from` to `from + 1`. */
export interface ConfigMigration {
  from: number;
  to: number;
  /** one line: what changed */
  description: string;
  /** the migrated value (pure; never mutates its input) */
  up(raw: Record<string, unknown>): Record<string, unknown>;
  /** maps a path in the migrated value back to the path in a file of version `from` (for locations) */
  sourcePath(path: YamlPath): YamlPath;
}

/** Maps whose keys are user data, never renamed by a migration. */
const USER_MAPS = new Set(["labels", "exports"]);

const toCamel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const toSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function renameKeys(value: unknown, rename: (key: string) => string, parentKey?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, rename, parentKey));
  if (value === null || typeof value !== "object") return value;
  const userMap = parentKey !== undefined && USER_MAPS.has(parentKey);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const next = userMap ? key : rename(key);
    out[next] = userMap ? child : renameKeys(child, rename, next);
  }
  return out;
}

/** Ordered steps; a file of version N runs every step whose `from` is ≥ N. */
export const configMigrations: readonly ConfigMigration[] = [
  {
    from: 0,
    to: 1,
    description:
      "keys moved from snake_case to camelCase (node_cidr → nodeCidr, known_hosts → knownHosts, …)",
    up(raw) {
      const out = renameKeys(raw, toCamel) as Record<string, unknown>;
      out.version = 1;
      return out;
    },
    sourcePath(path) {
      return path.map((segment, i) =>
        typeof segment === "number" || (i > 0 && USER_MAPS.has(String(path[i - 1])))
          ? segment
          : toSnake(segment),
      );
    },
  },
];

export interface MigrationOutcome {
  value: Record<string, unknown>;
  /** the steps that ran, oldest first */
  applied: ConfigMigration[];
  /** maps a path in `value` back to the path in the original file */
  sourcePath(path: YamlPath): YamlPath;
}

/** Runs every migration from `version` to the current one, in order. */
export function migrateConfig(
  raw: Record<string, unknown>,
  version: number,
  migrations: readonly ConfigMigration[] = configMigrations,
): MigrationOutcome {
  const applied: ConfigMigration[] = [];
  let value = raw;
  let current = version;
  for (const step of [...migrations].sort((a, b) => a.from - b.from)) {
    if (step.from !== current) continue;
    value = step.up(value);
    applied.push(step);
    current = step.to;
  }
  return {
    value,
    applied,
    sourcePath: (path) => applied.reduceRight<YamlPath>((p, step) => step.sourcePath(p), path),
  };
}

/** The oldest version a migration path starts from. */
export function oldestSupportedVersion(migrations: readonly ConfigMigration[] = configMigrations): number {
  return Math.min(...migrations.map((m) => m.from));
}
