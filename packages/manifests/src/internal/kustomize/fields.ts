// Which kustomization.yaml fields are built (everything a development-corpus repository uses), which
// are refused with the reason, and the shape checks kustomize makes before building.
import type { Builder } from "../kustomize.js";
import { err, type Kustomization, pos, posKey } from "./common.js";

export const SUPPORTED_FIELDS = new Set([
  "apiVersion",
  "kind",
  "metadata",
  "resources",
  "bases",
  "components",
  "namespace",
  "namePrefix",
  "nameSuffix",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "images",
  "replicas",
  "patches",
  "patchesStrategicMerge",
  "patchesJson6902",
  "configMapGenerator",
  "secretGenerator",
  "generatorOptions",
  "replacements",
  "buildMetadata",
  "configurations",
  "sortOptions",
  "transformers",
]);

export const LIST_FIELDS = [
  "resources",
  "bases",
  "components",
  "patches",
  "patchesStrategicMerge",
  "patchesJson6902",
  "images",
  "replacements",
  "configMapGenerator",
  "secretGenerator",
  "labels",
  "replicas",
  "configurations",
  "transformers",
];

export const UNSUPPORTED_FIELDS: Record<string, string> = {
  helmCharts: "helm chart inflation is not supported offline (render the chart, or let a HelmRelease do it)",
  helmChartInflationGenerator: "helm chart inflation is not supported",
  helmGlobals: "helm chart inflation is not supported",
  generators: "generator plugins are not supported (kustomize-controller disables plugins too)",
  validators: "validator plugins are not supported (kustomize-controller disables plugins too)",
  vars: "`vars` is deprecated and not supported; use `replacements`",
  crds: "`crds` (custom name reference config) is not supported",
  openapi: "custom openapi schemas are not supported",
};

const KNOWN_FIELDS = [...SUPPORTED_FIELDS, ...Object.keys(UNSUPPORTED_FIELDS)];

/** Unknown and unsupported fields, wrongly typed scalars and lists: each a finding at the key. */
export function checkFields(b: Builder, kust: Kustomization): void {
  const { k, doc } = kust;
  for (const key of Object.keys(k)) {
    // kustomize decodes the kustomization with Go's encoding/json, which matches field names without
    // regard to case (`configMapgenerator` is `configMapGenerator`)
    const canonical = KNOWN_FIELDS.find((f) => f !== key && f.toLowerCase() === key.toLowerCase());
    if (canonical !== undefined && !SUPPORTED_FIELDS.has(key) && UNSUPPORTED_FIELDS[key] === undefined) {
      k[canonical] = k[key];
      delete k[key];
    }
  }
  for (const key of Object.keys(k)) {
    if (UNSUPPORTED_FIELDS[key]) {
      b.fail(
        err(
          "build/unsupported-field",
          `${kust.file}: \`${key}\`: ${UNSUPPORTED_FIELDS[key]}`,
          posKey(doc, [key]),
        ),
      );
    } else if (!SUPPORTED_FIELDS.has(key)) {
      b.fail(
        err(
          "build/unknown-field",
          `${kust.file}: unknown kustomization field \`${key}\``,
          posKey(doc, [key]),
        ),
      );
    }
  }
  for (const key of ["namespace", "namePrefix", "nameSuffix"]) {
    if (k[key] !== undefined && k[key] !== null && typeof k[key] !== "string") {
      b.fail(
        err("build/invalid-kustomization", `${kust.file}: \`${key}\` must be a string`, pos(doc, [key])),
      );
    }
  }
  for (const key of LIST_FIELDS) {
    if (k[key] !== undefined && k[key] !== null && !Array.isArray(k[key])) {
      b.fail(err("build/invalid-kustomization", `${kust.file}: \`${key}\` must be a list`, pos(doc, [key])));
    }
  }
}
