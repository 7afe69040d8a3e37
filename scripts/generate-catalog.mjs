#!/usr/bin/env node
// Generates packages/schema/catalog/: strict, standalone JSON Schemas (draft-07) for the Kubernetes
// built-in kinds of one pinned version and for the CRDs home-ops repos use.
//
// Upstream definitions come only through the Go module proxy (`go mod download -json`): each module zip
// carries the project's repository files, so the CRD YAMLs and Kubernetes' swagger.json are inside.
// Usage: node scripts/generate-catalog.mjs [--out <dir>] [--check]
//   --check  regenerate into a temp dir and exit 1 when it differs from the committed catalog.
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// `yaml` is a dependency of @homeops/core; resolve it from there (the root package has no deps).
const YAML = createRequire(join(repoRoot, "packages/core/package.json"))("yaml");
// The conversion rules live in @homeops/schema (the validator applies the same ones to a repository's
// CRDs at run time); build it first: `pnpm --filter @homeops/schema build`.
const schemaDist = join(repoRoot, "packages/schema/dist/index.js");
if (!existsSync(schemaDist)) {
  process.stderr.write("packages/schema/dist is missing: run `pnpm --filter @homeops/schema build` first\n");
  process.exit(2);
}
const {
  crdToSchemas,
  isMetaDefinition,
  KEPT_FORMATS,
  objectMetaDefinitions,
  prepareBuiltinDefinitions,
  SCHEMA_DRAFT,
  standaloneBuiltin,
} = await import(pathToFileURL(schemaDist).href);

/** Pinned Kubernetes version of the built-in kinds: the newest 1.36 patch the module proxy serves. */
const KUBERNETES = { module: "k8s.io/kubernetes", version: "v1.36.5", file: "api/openapi-spec/swagger.json" };

/** Beside SOURCES.json: the ObjectMeta definitions (see `objectMetaDefinitions`). */
const OBJECT_META_FILE = "object-meta.json";

const FLUX_OPERATOR = { module: "github.com/controlplaneio-fluxcd/flux-operator", version: "v0.59.0" };
/** The Flux distribution flux-operator installs (a directory of `config/data/flux/` in its module). */
const FLUX_VERSION = "v2.9.5";

/** CRD sources: module, version, file globs inside the module (only `*` within one path segment). */
const CRD_SOURCES = [
  {
    name: "flux",
    note: "Flux v2.9.5 distribution manifests as shipped in flux-operator (the controller modules are not served by the proxy), with the notification patch flux-operator applies when it installs them (internal/builder/templates.go notificationPatchTmpl)",
    ...FLUX_OPERATOR,
    globs: [`config/data/flux/${FLUX_VERSION}/*.yaml`],
    patch: fluxOperatorNotificationPatch,
  },
  { name: "flux-operator", ...FLUX_OPERATOR, globs: ["config/crd/bases/*.yaml"] },
  {
    name: "external-secrets",
    module: "github.com/external-secrets/external-secrets",
    version: "v1.3.2",
    globs: ["config/crds/bases/*.yaml"],
  },
  {
    name: "cert-manager",
    module: "github.com/cert-manager/cert-manager",
    version: "v1.21.2",
    globs: ["deploy/crds/*.yaml"],
  },
  {
    name: "gateway-api",
    note: "experimental channel (a superset of standard)",
    module: "sigs.k8s.io/gateway-api",
    version: "v1.7.0",
    globs: ["config/crd/experimental/*.yaml"],
  },
  {
    name: "cilium",
    module: "github.com/cilium/cilium",
    version: "v1.20.2",
    globs: ["pkg/k8s/apis/cilium.io/client/crds/*/*.yaml"],
  },
  {
    name: "volsync",
    module: "github.com/backube/volsync",
    version: "v0.14.0",
    globs: ["config/crd/bases/*.yaml"],
  },
  {
    name: "prometheus-operator",
    note: "newest version the module proxy serves",
    module: "github.com/prometheus-operator/prometheus-operator",
    version: "v0.94.0",
    globs: ["example/prometheus-operator-crd/*.yaml"],
  },
  {
    name: "grafana-operator",
    module: "github.com/grafana/grafana-operator/v5",
    version: "v5.25.0",
    globs: ["config/crd/bases/*.yaml"],
  },
  {
    name: "cloudnative-pg",
    module: "github.com/cloudnative-pg/cloudnative-pg",
    version: "v1.29.0",
    globs: ["config/crd/bases/*.yaml"],
  },
  {
    name: "barman-cloud",
    module: "github.com/cloudnative-pg/plugin-barman-cloud",
    version: "v0.15.0",
    globs: ["config/crd/bases/*.yaml"],
  },
  {
    name: "envoy-gateway",
    note: "Envoy Gateway's own kinds; its bundled Gateway API CRDs come from the gateway-api module",
    module: "github.com/envoyproxy/gateway",
    version: "v1.9.1",
    globs: ["charts/gateway-helm/charts/crds/crds/generated/*.yaml"],
  },
  {
    name: "external-dns",
    module: "sigs.k8s.io/external-dns",
    version: "v0.23.0",
    globs: ["config/crd/standard/*.yaml"],
  },
  {
    name: "node-feature-discovery",
    module: "sigs.k8s.io/node-feature-discovery",
    version: "v0.19.0",
    globs: ["deployment/base/nfd-crds/nfd-api-crds.yaml"],
  },
  {
    name: "keda",
    module: "github.com/kedacore/keda/v2",
    version: "v2.20.2",
    globs: ["config/crd/bases/*.yaml"],
  },
  {
    name: "snapshot-controller",
    note: "external-snapshotter's client module carries the CRDs",
    module: "github.com/kubernetes-csi/external-snapshotter/client/v8",
    version: "v8.7.0",
    globs: ["config/crd/*.yaml"],
  },
  {
    name: "multus",
    note: "NetworkAttachmentDefinition",
    module: "github.com/k8snetworkplumbingwg/network-attachment-definition-client",
    version: "v1.7.7",
    globs: ["artifacts/networks-crd.yaml"],
  },
  {
    name: "kyverno",
    module: "github.com/kyverno/kyverno",
    version: "v1.19.1",
    globs: ["config/crds/kyverno/*.yaml", "config/crds/policies.kyverno.io/*.yaml"],
  },
  {
    name: "traefik",
    module: "github.com/traefik/traefik/v3",
    version: "v3.7.13",
    globs: ["docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml"],
  },
  {
    name: "longhorn",
    module: "github.com/longhorn/longhorn-manager",
    version: "v1.10.0",
    globs: ["k8s/crds.yaml"],
    // the file doubles as a Helm template: its `labels: {{- include … }}` lines are not YAML
    clean: (text) =>
      text.replace(/^\s*labels: \{\{-? include "longhorn\.labels" \. \| nindent \d+ \}\}\n/gm, ""),
  },
  {
    name: "rook",
    note: "Ceph kinds and ObjectBucketClaim/ObjectBucket",
    module: "github.com/rook/rook",
    version: "v1.18.8",
    globs: ["deploy/examples/crds.yaml"],
  },
  {
    name: "opentelemetry-operator",
    module: "github.com/open-telemetry/opentelemetry-operator",
    version: "v0.140.0",
    globs: ["config/crd/bases/*.yaml"],
  },
  {
    name: "fluent-operator",
    module: "github.com/fluent/fluent-operator/v3",
    version: "v3.5.0",
    globs: ["config/crd/bases/*.yaml"],
  },
  {
    name: "toolhive",
    module: "github.com/stacklok/toolhive",
    version: "v0.63.0",
    globs: ["deploy/charts/operator-crds/files/crds/*.yaml"],
  },
];

/**
 * CRD families the development corpus uses that no registry reachable here carries (the Go module proxy
 * refuses these module paths at every version tried; no npm or PyPI package ships their CRDs). At run
 * time they come from the repository's own CRDs or from `homeops schemas pull`.
 */
const NOT_OBTAINABLE = [
  {
    name: "bjw-s app-template values schema",
    reason: "no package registry reachable here ships the chart or its values.schema.json",
  },
  ...[
    ["silence-operator (observability.giantswarm.io)", "github.com/giantswarm/silence-operator"],
    ["tuppr (tuppr.home-operations.com)", "github.com/home-operations/tuppr"],
    ["kopiur (kopiur.home-operations.com)", "github.com/home-operations/kopiur"],
    ["dragonfly-operator (dragonflydb.io)", "github.com/dragonflydb/dragonfly-operator"],
    ["1Password operator (onepassword.com)", "github.com/1Password/onepassword-operator"],
    ["VictoriaMetrics operator (operator.victoriametrics.com)", "github.com/VictoriaMetrics/operator"],
    ["kagent (kagent.dev)", "github.com/kagent-dev/kagent"],
    ["system-upgrade-controller (upgrade.cattle.io)", "github.com/rancher/system-upgrade-controller"],
    ["VolSync fork with spec.kopia (perfectra1n/volsync)", "github.com/perfectra1n/volsync"],
    ["Talos ServiceAccount (talos.dev)", "github.com/siderolabs/talos"],
  ].map(([name, module]) => ({ name, reason: `the Go module proxy refuses ${module} (403)` })),
];

function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const outIndex = args.indexOf("--out");
  const committed = join(repoRoot, "packages/schema/catalog");
  const out = check
    ? mkdtempSync(join(tmpdir(), "homeops-catalog-"))
    : outIndex >= 0
      ? resolve(args[outIndex + 1])
      : committed;
  const work = mkdtempSync(join(tmpdir(), "homeops-catalog-src-"));
  try {
    generate(out, work);
    if (check) {
      const diff = spawnDiff(committed, out);
      if (diff) {
        process.stderr.write(`catalog differs from a fresh generation:\n${diff}\n`);
        process.exitCode = 1;
      } else process.stdout.write("catalog is up to date\n");
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (check) rmSync(out, { recursive: true, force: true });
  }
}

function spawnDiff(a, b) {
  try {
    execFileSync("diff", ["-rq", "-x", "README.md", a, b], { encoding: "utf8" });
    return "";
  } catch (error) {
    return String(error.stdout || error.message);
  }
}

function generate(out, work) {
  const entries = new Map(); // relative file -> schema
  const sources = [];

  const k8sDir = moduleDir(KUBERNETES.module, KUBERNETES.version, work);
  const swagger = JSON.parse(readFileSync(join(k8sDir, KUBERNETES.file), "utf8"));
  const builtinDefs = prepareBuiltinDefinitions(swagger.definitions);
  const metaDefs = objectMetaDefinitions(builtinDefs);
  let builtinCount = 0;
  const builtinKinds = [];
  for (const [name, def] of Object.entries(swagger.definitions)) {
    const gvks = def["x-kubernetes-group-version-kind"];
    if (!Array.isArray(gvks) || gvks.length !== 1) continue; // multi-GVK defs are meta types (DeleteOptions, WatchEvent)
    const { group, version, kind } = gvks[0];
    if (kind.endsWith("List") || isMetaDefinition(name)) continue;
    const schema = standaloneBuiltin(name, builtinDefs);
    add(
      entries,
      group === "" ? version : `${group}/${version}`,
      kind,
      schema,
      `${KUBERNETES.module}@${KUBERNETES.version}`,
    );
    builtinCount++;
    builtinKinds.push(`${group === "" ? version : `${group}/${version}`}/${kind}`);
  }
  sources.push({
    name: "kubernetes",
    module: KUBERNETES.module,
    version: KUBERNETES.version,
    files: [KUBERNETES.file],
    kinds: builtinCount,
  });

  for (const source of CRD_SOURCES) {
    const dir = moduleDir(source.module, source.version, work);
    const files = source.globs.flatMap((glob) => expandGlob(dir, glob)).sort();
    if (files.length === 0)
      throw new Error(`${source.module}@${source.version}: no file matches ${source.globs.join(", ")}`);
    let kinds = 0;
    const patches = source.patch ? source.patch(dir) : [];
    for (const file of files) {
      const text = readFileSync(join(dir, file), "utf8");
      const docs = YAML.parseAllDocuments(source.clean ? source.clean(text) : text);
      for (const doc of docs) {
        const crd = doc.toJS();
        if (crd?.kind !== "CustomResourceDefinition") continue;
        for (const { target, ops } of patches) {
          if (target.kind === crd.kind && target.name === crd.metadata?.name) applyJsonPatch(crd, ops);
        }
        for (const { apiVersion, kind, schema } of crdToSchemas(crd, metaDefs)) {
          add(entries, apiVersion, kind, schema, `${source.module}@${source.version}`);
          kinds++;
        }
      }
    }
    sources.push({
      name: source.name,
      module: source.module,
      version: source.version,
      ...(source.note ? { note: source.note } : {}),
      files,
      kinds,
    });
  }

  // everything here is generated except the hand-written README.md
  mkdirSync(out, { recursive: true });
  for (const entry of readdirSync(out)) {
    if (entry !== "README.md") rmSync(join(out, entry), { recursive: true, force: true });
  }
  const index = {};
  for (const [file, { schema, apiVersion, kind }] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), `${JSON.stringify(schema)}\n`);
    index[`${apiVersion}/${kind}`] = file;
  }
  const manifest = {
    comment: "Generated by scripts/generate-catalog.mjs from the Go modules below; do not edit.",
    kubernetesVersion: KUBERNETES.version.replace(/^v/, ""),
    layout: "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json",
    draft: SCHEMA_DRAFT,
    formats: [...KEPT_FORMATS],
    sources,
    notObtainable: NOT_OBTAINABLE,
    schemas: index,
    builtinKinds: builtinKinds.sort(),
  };
  writeFileSync(join(out, "SOURCES.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  // ObjectMeta and what it reaches: what a repository's CRDs are completed with at run time
  writeFileSync(join(out, OBJECT_META_FILE), `${JSON.stringify({ definitions: metaDefs })}\n`);
  process.stdout.write(`wrote ${entries.size} schemas to ${relative(process.cwd(), out) || "."}\n`);
}

function add(entries, apiVersion, kind, schema, origin) {
  const parts = apiVersion.split("/");
  const group = parts[0];
  const version = parts[parts.length - 1];
  const file = `${group}/${kind.toLowerCase()}_${version}.json`;
  const existing = entries.get(file);
  if (existing && existing.origin !== origin) {
    throw new Error(`${apiVersion} ${kind}: defined by both ${existing.origin} and ${origin}`);
  }
  entries.set(file, { schema, apiVersion, kind, origin });
}

// ---------------------------------------------------------------------------------------------- patches

/**
 * The kustomize patches flux-operator applies to the Flux CRDs it installs, read from its own source
 * (`notificationPatchTmpl` in internal/builder/templates.go): Alert event sources and Receiver resources
 * also accept FluxInstance, ResourceSet and ResourceSetInputProvider. The template's only actions are
 * `{{- if le .VersionInfo.Minor N }}…{{- end }}` (which CRD versions exist per Flux minor) and
 * `{{.Namespace}}` (in a ClusterRole patch, not a CRD); anything else fails the generation.
 */
function fluxOperatorNotificationPatch(dir) {
  const source = readFileSync(join(dir, "internal/builder/templates.go"), "utf8");
  const match = /var notificationPatchTmpl = `([^`]*)`/.exec(source);
  if (!match)
    throw new Error("flux-operator: notificationPatchTmpl not found in internal/builder/templates.go");
  const minor = Number(/^v2\.(\d+)\./.exec(FLUX_VERSION)[1]);
  const rendered = match[1]
    .replace(/\n?\{\{- if le \.VersionInfo\.Minor (\d+) \}\}([\s\S]*?)\n?\{\{- end \}\}/g, (_, n, body) =>
      minor <= Number(n) ? body : "",
    )
    .replaceAll("{{.Namespace}}", "flux-system");
  if (rendered.includes("{{")) throw new Error("flux-operator: unsupported action in notificationPatchTmpl");
  return YAML.parse(rendered)
    .filter((p) => p.target.kind === "CustomResourceDefinition")
    .map((p) => ({ target: p.target, ops: YAML.parse(p.patch) }));
}

/** JSON6902 `add` (the only op the patches above use); `-` appends to an array. */
function applyJsonPatch(doc, ops) {
  for (const op of ops) {
    if (op.op !== "add") throw new Error(`unsupported patch op ${op.op}`);
    const segments = op.path
      .split("/")
      .slice(1)
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
    const last = segments.pop();
    let node = doc;
    for (const segment of segments) {
      node = Array.isArray(node) ? node[Number(segment)] : node?.[segment];
      if (node === undefined) throw new Error(`patch path ${op.path} does not exist`);
    }
    if (Array.isArray(node)) {
      if (last === "-") node.push(op.value);
      else node.splice(Number(last), 0, op.value);
    } else node[last] = op.value;
  }
}

// ---------------------------------------------------------------------------------------------- modules

function moduleDir(module, version, work) {
  const result = spawnSync("go", ["mod", "download", "-json", `${module}@${version}`], {
    encoding: "utf8",
    env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
  });
  let info = {};
  try {
    info = JSON.parse(result.stdout);
  } catch {
    throw new Error(`go mod download ${module}@${version} failed: ${result.stderr || result.stdout}`);
  }
  if (info.Dir && existsSync(info.Dir)) return info.Dir;
  // A module whose go.mod wants a newer Go still has its zip downloaded; only extraction was refused.
  if (!info.Zip || !existsSync(info.Zip))
    throw new Error(`${module}@${version}: ${info.Error ?? "no module zip"}`);
  const dest = join(work, `${module.replaceAll("/", "_")}@${version}`);
  if (!existsSync(dest)) {
    mkdirSync(dest, { recursive: true });
    execFileSync("unzip", ["-q", "-o", info.Zip, "-d", dest]);
  }
  return join(dest, `${module}@${version}`);
}

function expandGlob(root, glob) {
  let paths = [""];
  for (const segment of glob.split("/")) {
    const next = [];
    for (const base of paths) {
      if (!segment.includes("*")) {
        if (existsSync(join(root, base, segment))) next.push(base ? `${base}/${segment}` : segment);
        continue;
      }
      const re = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`);
      let names = [];
      try {
        names = readdirSync(join(root, base));
      } catch {
        continue;
      }
      for (const name of names) if (re.test(name)) next.push(base ? `${base}/${name}` : name);
    }
    paths = next;
  }
  return paths;
}

main();
