import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "@homeops/core";

/** The layout of the built-in catalog, as a kubeconform `-schema-location` template below its directory. */
export const CATALOG_LAYOUT = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json";

/** What kubeconform appends to a location that does not end in `json` (its fork of kubernetes-json-schema). */
const KUBECONFORM_DIR_SUFFIX =
  "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json";

/** The values kubeconform offers to a `-schema-location` template. */
export interface SchemaTemplateData {
  NormalizedKubernetesVersion: string;
  StrictSuffix: string;
  ResourceKind: string;
  ResourceAPIVersion: string;
  Group: string;
  KindSuffix: string;
}

/** Template variables for one object, computed exactly as kubeconform's `schemaPath` does. */
export function schemaTemplateData(
  kind: string,
  apiVersion: string,
  kubernetesVersion: string,
  strict: boolean,
): SchemaTemplateData {
  const groupParts = apiVersion.split("/");
  const versionParts = groupParts[0]!.split(".");
  let kindSuffix = `-${versionParts[0]!.toLowerCase()}`;
  if (groupParts.length > 1) kindSuffix += `-${groupParts[1]!.toLowerCase()}`;
  return {
    NormalizedKubernetesVersion: kubernetesVersion === "master" ? "master" : `v${kubernetesVersion}`,
    StrictSuffix: strict ? "-strict" : "",
    ResourceKind: kind.toLowerCase(),
    ResourceAPIVersion: groupParts[groupParts.length - 1]!,
    Group: groupParts[0]!,
    KindSuffix: kindSuffix,
  };
}

const TEMPLATE_VAR = /\{\{\s*\.(\w+)\s*\}\}/g;

/**
 * Expands a kubeconform schema location for one object. A location that does not end in `json` gets
 * kubeconform's default suffix, as kubeconform does. Only `{{ .Var }}` actions are supported.
 */
export function expandSchemaLocation(location: string, data: SchemaTemplateData): string {
  const template = location.endsWith("json") ? location : `${location}${KUBECONFORM_DIR_SUFFIX}`;
  return template.replace(TEMPLATE_VAR, (whole, name: string) => {
    if (!(name in data)) {
      throw new UserError("USAGE", `schema location '${location}': unknown template variable ${whole}`, {
        hint: `use ${Object.keys(data)
          .map((k) => `{{.${k}}}`)
          .join(", ")}`,
      });
    }
    return data[name as keyof SchemaTemplateData];
  });
}

/** Checks a location's template once, up front, so a typo fails before anything is validated. */
export function checkSchemaLocation(location: string): void {
  if (location === "default") return;
  const leftover = expandSchemaLocation(
    location,
    schemaTemplateData("Deployment", "apps/v1", "master", true),
  );
  if (leftover.includes("{{")) {
    throw new UserError("USAGE", `schema location '${location}': unsupported template syntax`, {
      hint: "only {{.Var}} substitutions are supported",
    });
  }
}

export function isRemoteLocation(location: string): boolean {
  return /^https?:\/\//.test(location);
}

let cachedCatalogDir: string | undefined;

/**
 * The committed catalog directory shipped with this package (`catalog/` beside `src/` or `dist/`). When
 * this module runs inside another package's bundle (the `homeops` executable), the catalog is found
 * through the package itself, which that package depends on.
 */
export function builtinCatalogDir(): string {
  if (cachedCatalogDir) return cachedCatalogDir;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates: string[] = [];
  for (let i = 0, dir = here; i < 5; i++, dir = dirname(dir)) candidates.push(join(dir, "catalog"));
  try {
    candidates.push(
      join(dirname(createRequire(import.meta.url).resolve("@homeops/schema/package.json")), "catalog"),
    );
  } catch {
    // not resolvable from here: only the directories above
  }
  for (const candidate of candidates) {
    if (existsSync(join(candidate, "SOURCES.json"))) {
      cachedCatalogDir = candidate;
      return candidate;
    }
  }
  throw new UserError("FILE_NOT_FOUND", "the built-in schema catalog is missing from @homeops/schema", {
    hint: "reinstall @homeops/schema; in the repository run `node scripts/generate-catalog.mjs`",
  });
}
