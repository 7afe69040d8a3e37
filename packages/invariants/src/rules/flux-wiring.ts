import { posix } from "node:path";
import { formatYamlPath, getOrCompute } from "@homeops/core";
import type { BuiltObject, FluxKustomizationNode, RepoGraph } from "@homeops/manifests";
import {
  describeObject,
  isFluxKustomization,
  locateKustomization,
  nodeId,
  objectKey,
  partialObjects,
} from "../internal/graph.js";
import {
  isCommentedOut,
  isKustomizationFile,
  isManifestFile,
  kustomizationFileIn,
  kustomizeRefs,
  resolveEntry,
} from "../internal/kustomize-refs.js";
import { field, isRecord, list, str } from "../internal/text.js";
import type { RepoFiles } from "../repo-files.js";
import type { Rule, RuleContext, RuleHit } from "../rule.js";

/** Kustomization files under the manifests directory. */
function kustomizationFiles(ctx: RuleContext): string[] {
  return ctx.files.under(ctx.settings.kubernetesDir).filter(isKustomizationFile);
}

/** Every path referenced by some kustomization file of the manifests directory. */
function referencedPaths(ctx: RuleContext): Set<string> {
  const referenced = new Set<string>();
  for (const file of kustomizationFiles(ctx)) {
    for (const ref of kustomizeRefs(ctx.files, file)) {
      referenced.add(ref.target);
      const inner = kustomizationFileIn(ctx.files, ref.target);
      if (inner) referenced.add(inner);
    }
  }
  return referenced;
}

/** The nearest directory at or above `dir` (inside `stop`) that has a kustomization file. */
function nearestKustomization(
  files: RepoFiles,
  dir: string,
  stop: string,
  fluxPaths: ReadonlySet<string>,
): string | undefined {
  let current = dir;
  while (current === stop || current.startsWith(`${stop}/`)) {
    const found = kustomizationFileIn(files, current);
    if (found) return found;
    // a Flux Kustomization path without kustomization.yaml: Flux generates one that includes everything
    if (fluxPaths.has(current)) return undefined;
    if (current === stop) break;
    current = posix.dirname(current);
  }
  return undefined;
}

/** Files that their nearest kustomization file (and every other one) leaves out. */
// flux/unwired-app and flux/unreferenced-file both ask, on one context: worked out once per run
const unreferencedByRun = new WeakMap<RuleContext, readonly { file: string; owner: string }[]>();

function unreferencedFiles(ctx: RuleContext): readonly { file: string; owner: string }[] {
  return getOrCompute(unreferencedByRun, ctx, () => findUnreferencedFiles(ctx));
}

function findUnreferencedFiles(ctx: RuleContext): { file: string; owner: string }[] {
  const root = ctx.settings.kubernetesDir;
  const referenced = referencedPaths(ctx);
  const fluxPaths = declaredFluxPaths(ctx);
  const out: { file: string; owner: string }[] = [];
  // a bootstrap step (not Flux) applies what lies under <kubernetesDir>/bootstrap/
  const bootstrap = `${root}/bootstrap/`;
  for (const file of ctx.files.under(root)) {
    if (file.startsWith(bootstrap)) continue;
    const base = posix.basename(file);
    if (isKustomizationFile(file)) {
      // a kustomization directory (e.g. a namespace dir) must be listed by the kustomization right above it
      const dir = posix.dirname(file);
      const parent = posix.dirname(dir);
      if (referenced.has(file) || fluxPaths.has(dir) || dir === root || !parent.startsWith(root)) continue;
      if (field(ctx.files.yaml(file)?.documents[0]?.value, "kind") === "Component") continue;
      // only the directory right above: an app's `app/` dir is wired by its ks.yaml path, not by a parent
      const owner = kustomizationFileIn(ctx.files, parent);
      if (owner && !isCommentedOut(ctx.files, owner, dir)) out.push({ file, owner });
      continue;
    }
    // only manifests can be forgotten entries: config files, scripts, values and test data are read by tools
    if (base.startsWith(".") || referenced.has(file) || !isManifestFile(ctx.files, file)) continue;
    const owner = nearestKustomization(ctx.files, posix.dirname(file), root, fluxPaths);
    if (owner && !isCommentedOut(ctx.files, owner, file) && !inDisabledApp(ctx.files, owner, file)) {
      out.push({ file, owner });
    }
  }
  return out;
}

/**
 * A file of an app whose entry (its ks.yaml, or its directory) is commented out in `owner`: the whole app
 * is disabled on purpose, and what lies beside its ks.yaml goes with it.
 */
function inDisabledApp(files: RepoFiles, owner: string, file: string): boolean {
  const stop = posix.dirname(owner);
  for (let dir = posix.dirname(file); dir.startsWith(`${stop}/`); dir = posix.dirname(dir)) {
    const entries = [dir, ...["ks.yaml", "ks.yml"].map((b) => `${dir}/${b}`).filter((f) => files.hasFile(f))];
    if (entries.some((entry) => isCommentedOut(files, owner, entry))) return true;
  }
  return false;
}

/** `spec.path` of every Flux Kustomization written in the manifests directory (wired or not), repo-relative. */
export function declaredFluxPaths(ctx: RuleContext): Set<string> {
  const paths = new Set<string>();
  for (const file of ctx.files.under(ctx.settings.kubernetesDir)) {
    if (!/\.ya?ml$/.test(file) || !ctx.files.text(file)?.includes("kustomize.toolkit.fluxcd.io")) continue;
    for (const doc of ctx.files.yaml(file)?.documents ?? []) {
      const v = doc.value;
      if (!isRecord(v) || v.kind !== "Kustomization" || typeof v.apiVersion !== "string") continue;
      if (!v.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")) continue;
      const path = str(field(v, "spec", "path"));
      if (path && !path.includes("${")) paths.add(resolveEntry(".", path));
    }
  }
  return paths;
}

const isKsFile = (file: string) => /^ks\.ya?ml$/.test(posix.basename(file));

export const unwiredApp: Rule = {
  id: "flux/unwired-app",
  title: "App Kustomization not listed in its namespace kustomization.yaml",
  severity: "warning",
  needs: "files",
  kind: "invariant",
  rationale:
    "Flux only applies the ks.yaml files a namespace kustomization.yaml lists. An app whose ks.yaml is missing there is never deployed, and nothing reports it. Leaving an app out may be deliberate, so this is a warning; an entry commented out (`# - ./app/ks.yaml`) says so and is not reported.",
  hint: "add `./<app>/ks.yaml` to `resources:` of the namespace kustomization.yaml",
  docs: `Checks every \`ks.yaml\` below the manifests directory: the nearest kustomization.yaml above it
(normally \`kubernetes/apps/<namespace>/kustomization.yaml\`) or any other kustomization file must list it,
directly or through a directory entry whose kustomization.yaml lists it. Likewise a directory with its own
kustomization.yaml (a namespace directory) must be listed by the kustomization.yaml above it, when there is
one (without \`kubernetes/apps/kustomization.yaml\` Flux generates one that lists every directory).

    # kubernetes/apps/games/kustomization.yaml
    resources:
      - ./namespace.yaml
      - ./romm/ks.yaml        # without this line games/romm is never deployed

The finding points at \`resources:\` of the kustomization.yaml that should list the app.`,
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const { file, owner } of unreferencedFiles(ctx)) {
      if (!isKsFile(file) && !isKustomizationFile(file)) continue;
      const doc = ctx.files.yaml(owner)?.documents[0];
      const at = doc?.locateKey(["resources"]) ?? { line: 1, column: 1 };
      const target = isKustomizationFile(file) ? posix.dirname(file) : file;
      const rel = `./${posix.relative(posix.dirname(owner), target)}`;
      hits.push({
        file: owner,
        line: at.line,
        column: at.column,
        message: `${target} is not listed in ${owner}: Flux never applies it`,
        hint: `add \`${rel}\` to resources: of ${owner}`,
        path: "resources",
      });
    }
    return hits;
  },
};

export const missingEntry: Rule = {
  id: "kustomize/missing-entry",
  title: "kustomization.yaml entry that does not exist",
  severity: "error",
  needs: "files",
  kind: "invariant",
  owns: [
    "build/missing-resource",
    "build/missing-component",
    "build/missing-file",
    "build/missing-patch",
    "build/missing-kustomization",
  ],
  rationale:
    "kustomize fails the whole build when a resource, component, patch or generator file is missing, so Flux stops applying everything in that Kustomization.",
  hint: "fix the path or remove the entry",
  docs: `Checks \`resources\`, \`components\`, \`patches[].path\`, \`patchesStrategicMerge\`, \`patchesJson6902[].path\`,
\`replacements[].path\` and generator \`files\`/\`envs\` of every kustomization file below the manifests
directory. Remote entries (URLs, git bases) are not checked. A directory entry must contain a kustomization file.
A kustomization file that no Flux Kustomization builds (an archive, a disabled app) gets a warning: nothing
fails today, but it breaks the day it is wired in.`,
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const file of kustomizationFiles(ctx)) {
      // a kustomization no Flux Kustomization builds breaks nothing today (dead code): a warning
      const unbuilt = ctx.graph !== undefined && !ctx.graph.files.has(file);
      for (const ref of kustomizeRefs(ctx.files, file)) {
        // located only for a hit: a position may mean parsing the file again (a restored parse)
        const located = () => {
          const at = ref.document.locate(ref.path);
          return {
            file,
            line: at.line,
            column: at.column,
            path: formatYamlPath(ref.path),
            ...(unbuilt ? { severity: "warning" as const } : {}),
          };
        };
        if (ref.target.startsWith("..")) {
          hits.push({
            ...located(),
            message: `${ref.field} entry '${ref.entry}' points outside the repository`,
          });
        } else if (ctx.files.hasFile(ref.target)) {
        } else if (ctx.files.hasDir(ref.target)) {
          if (
            ["resources", "components", "transformers", "generators", "validators"].includes(ref.field) &&
            !kustomizationFileIn(ctx.files, ref.target)
          ) {
            hits.push({
              ...located(),
              message: `${ref.field} entry '${ref.entry}' is a directory without a kustomization.yaml`,
              hint: "add a kustomization.yaml to the directory or list its files",
            });
          }
        } else {
          hits.push({
            ...located(),
            message: `${ref.field} entry '${ref.entry}' does not exist (${ref.target})`,
          });
        }
      }
    }
    return hits;
  },
};

export const unreferencedFile: Rule = {
  id: "flux/unreferenced-file",
  title: "Manifest in an app directory that no kustomization.yaml references",
  severity: "warning",
  needs: "files",
  kind: "invariant",
  rationale:
    "kustomize only builds what a kustomization.yaml lists. A manifest beside it that is not listed is never applied — often a forgotten entry, sometimes a file kept on purpose (a warning; a commented-out entry says it is deliberate and is not reported).",
  hint: "list the file in the directory's kustomization.yaml (resources, patches or a generator), or delete it",
  docs: `Checks every manifest below the manifests directory — a YAML file with a document that has a Kubernetes
\`apiVersion\` and \`kind\` (not kustomization files, not ks.yaml files — see flux/unwired-app) — whose directory
or a parent directory has a kustomization file: some kustomization file must reference it, as a resource,
patch, generator input, \`configurations:\`/\`transformers:\`/\`generators:\` entry or Helm values file. Files
that are not manifests (application config, values files, scripts, test data, Talos or helmfile files) are
inputs of other tools and are not checked. An entry that is commented out in the kustomization file marks a
deliberate omission; when it is an app's (its ks.yaml or directory), the files beside that ks.yaml go with it.
A manifest that a script, Taskfile, helmfile or template names (\`kubectl apply -f "\${DIR}/cluster.yaml"\`,
\`readFile "../apps/x/app/secret.yaml"\`) may be applied or read by that tool: an info, "cannot tell". Directories without any kustomization file are left alone: Flux generates one that
includes every manifest in them; so is \`<manifests dir>/bootstrap/\`, which a bootstrap task applies.`,
  check(ctx) {
    const namedByTool = toolMentions(ctx.files);
    return unreferencedFiles(ctx)
      .filter(({ file }) => !isKsFile(file) && !isKustomizationFile(file))
      .map(({ file, owner }) => {
        const tool = namedByTool(file);
        return {
          file,
          line: 1,
          column: 1,
          message: tool
            ? `${file} is not referenced by ${owner} (or any kustomization file), but ${tool} names it: a tool may apply or read it, cannot tell`
            : `${file} is not referenced by ${owner} (or any kustomization file): it is never applied`,
          ...(tool ? { severity: "info" as const } : {}),
        };
      });
  },
};

/** Scripts, Taskfiles, helmfiles and templates: tools that may apply or read a manifest by its path. */
const TOOL_FILE =
  /\.(sh|bash|zsh|gotmpl|j2|tmpl|tpl|just|mk)$|(^|\/)[Tt]askfile[^/]*\.ya?ml$|(^|\/)\.taskfiles\/|(^|\/)helmfile[^/]*\.ya?ml$|(^|\/)(Makefile|justfile)$/;

/**
 * The tool file that names a manifest, if any: by `<dir>/<file name>` (a literal or templated path:
 * `readFile "../apps/x/app/secret.yaml"`, `apps/%s/%s/app/helm-release.yaml`), or by `/<file name>` in a
 * file that also names its directory (`kubectl apply -f "${MIGRATION_DIR}/cluster.yaml"`).
 */
function toolMentions(files: RepoFiles): (file: string) => string | undefined {
  let tools: { path: string; text: string }[] | undefined;
  return (file) => {
    tools ??= files
      .paths()
      .filter((p) => TOOL_FILE.test(p))
      .map((path) => ({ path, text: files.text(path) ?? "" }));
    const base = posix.basename(file);
    const dir = posix.basename(posix.dirname(file));
    return tools.find(
      ({ path, text }) =>
        path !== file &&
        (text.includes(`${dir}/${base}`) || (text.includes(`/${base}`) && text.includes(dir))),
    )?.path;
  };
}

/** Git-repository sources whose content is this repository. */
function isRepoSource(graph: RepoGraph, node: FluxKustomizationNode): boolean {
  const ref = node.sourceRef;
  const source = graph.sources.find(
    (s) => s.kind === ref.kind && s.name === ref.name && s.namespace === ref.namespace,
  );
  return (
    source?.isRepoRoot === true ||
    (ref.kind === "GitRepository" && ref.name === "flux-system" && ref.namespace === "flux-system")
  );
}

export const pathInvalid: Rule = {
  id: "flux/path-invalid",
  title: "Flux Kustomization spec.path missing or outside its source",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  owns: ["flux/path-not-found", "build/path-outside-root"],
  rationale:
    "A Kustomization whose path does not exist in its source fails to build; Flux applies nothing from it.",
  hint: "point spec.path at an existing directory of the repository (relative to the repository root, e.g. ./kubernetes/apps/<ns>/<app>/app)",
  docs: `For every Flux Kustomization whose source is this repository (the flux-system GitRepository), checks
that \`spec.path\` (after parent patches and substitution) names a directory of the repository and does not
climb out of it with \`..\`. Kustomizations whose source is another repository or an OCI artifact are skipped.`,
  check(ctx) {
    const graph = ctx.graph!;
    const hits: RuleHit[] = [];
    for (const node of graph.kustomizations) {
      if (!isRepoSource(graph, node)) continue;
      const raw = str(node.spec.path) ?? "./";
      const path = node.path;
      let message: string | undefined;
      if (path.startsWith("..") || posix.isAbsolute(path)) {
        message = `spec.path '${raw}' of Kustomization ${nodeId(node)} leaves the source`;
      } else if (!ctx.files.hasDir(path)) {
        message = `spec.path '${raw}' of Kustomization ${nodeId(node)} does not exist in the repository`;
      }
      if (!message) continue;
      const at = locateKustomization(graph, ctx.files, node, ["spec", "path"]);
      hits.push({ ...at, message, path: "spec.path" });
    }
    return hits;
  },
};

export const missingDependency: Rule = {
  id: "flux/missing-dependency",
  title: "dependsOn target that does not exist",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  rationale:
    "Flux waits forever for a dependsOn target that does not exist: the dependent Kustomization or HelmRelease never becomes ready and never applies.",
  hint: "fix the name (and namespace) in dependsOn, or add the missing Kustomization/HelmRelease",
  docs: `A Kustomization's \`dependsOn\` must name a Flux Kustomization of the repository, a HelmRelease's
\`dependsOn\` a HelmRelease. An entry without \`namespace\` means the dependent's own namespace (as Flux
resolves it), so \`dependsOn: [{name: cert-manager}]\` in namespace \`network\` looks for network/cert-manager.`,
  check(ctx) {
    const graph = ctx.graph!;
    const hits: RuleHit[] = [];
    const known = new Set(graph.kustomizations.map(nodeId));
    const failed = new Set(graph.kustomizations.filter((k) => k.status === "error").map(nodeId));
    for (const node of graph.kustomizations) {
      // built by a Kustomization whose build failed: its namespace (and its targets') may be wrong
      if (node.parent && failed.has(node.parent)) continue;
      node.dependsOn.forEach((dep, i) => {
        if (known.has(nodeId(dep))) return;
        const at = locateKustomization(graph, ctx.files, node, ["spec", "dependsOn", i, "name"]);
        hits.push({
          ...at,
          message: `Kustomization ${nodeId(node)} depends on ${nodeId(dep)}, which does not exist`,
          path: `spec.dependsOn[${i}].name`,
        });
      });
    }
    const releases = new Set(graph.helmReleases.map((r) => `${r.namespace}/${r.name}`));
    const partial = partialObjects(graph);
    for (const release of graph.helmReleases) {
      if (partial.has(release.object)) continue;
      list(field(release.object.object, "spec", "dependsOn")).forEach((dep, i) => {
        const name = str(field(dep, "name"));
        if (!name) return;
        const id = `${str(field(dep, "namespace")) ?? release.namespace}/${name}`;
        if (releases.has(id)) return;
        const at = release.object.locate(["spec", "dependsOn", i, "name"]);
        hits.push({
          ...at,
          message: `HelmRelease ${release.namespace}/${release.name} depends on HelmRelease ${id}, which does not exist`,
          path: `spec.dependsOn[${i}].name`,
        });
      });
    }
    return hits;
  },
};

export const dependencyCycle: Rule = {
  id: "flux/dependency-cycle",
  title: "dependsOn cycle",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  rationale:
    "Kustomizations (or HelmReleases) that depend on each other in a cycle all wait for each other forever.",
  hint: "remove one dependsOn edge of the cycle",
  docs: `Finds cycles in the dependsOn graph of Flux Kustomizations and, separately, of HelmReleases, and prints
each cycle (a → b → a) at every dependsOn entry that belongs to it, so the finding is next to whichever
edge was added last.`,
  check(ctx) {
    const graph = ctx.graph!;
    const hits: RuleHit[] = [];
    const ks = new Map(graph.kustomizations.map((k) => [nodeId(k), k]));
    const kEdges = new Map([...ks].map(([id, k]) => [id, k.dependsOn.map(nodeId).filter((d) => ks.has(d))]));
    for (const cycle of findCycles(kEdges)) {
      for (let i = 0; i < cycle.length - 1; i++) {
        const node = ks.get(cycle[i]!)!;
        const index = node.dependsOn.findIndex((d) => nodeId(d) === cycle[i + 1]);
        const at = locateKustomization(graph, ctx.files, node, ["spec", "dependsOn", index, "name"]);
        hits.push({
          ...at,
          message: `dependsOn cycle: ${cycle.join(" → ")}`,
          path: `spec.dependsOn[${index}].name`,
        });
      }
    }
    const hrs = new Map(graph.helmReleases.map((r) => [`${r.namespace}/${r.name}`, r]));
    const deps = (r: (typeof graph.helmReleases)[number]) =>
      list(field(r.object.object, "spec", "dependsOn")).map(
        (d) => `${str(field(d, "namespace")) ?? r.namespace}/${str(field(d, "name")) ?? ""}`,
      );
    const hEdges = new Map([...hrs].map(([id, r]) => [id, deps(r).filter((d) => hrs.has(d))]));
    for (const cycle of findCycles(hEdges)) {
      for (let i = 0; i < cycle.length - 1; i++) {
        const release = hrs.get(cycle[i]!)!;
        const index = deps(release).indexOf(cycle[i + 1]!);
        const at = release.object.locate(["spec", "dependsOn", index, "name"]);
        hits.push({
          ...at,
          message: `HelmRelease dependsOn cycle: ${cycle.join(" → ")}`,
          path: `spec.dependsOn[${index}].name`,
        });
      }
    }
    return hits;
  },
};

/** Elementary cycles reachable in a small graph, each once, rotated to start at its smallest id. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, "active");
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === "active") {
        const loop = stack.slice(stack.indexOf(next));
        const min = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(min), ...loop.slice(0, min)];
        const key = rotated.join("\0");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]!]);
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of [...edges.keys()].sort()) if (!state.has(id)) visit(id);
  return cycles;
}

export const missingSource: Rule = {
  id: "flux/missing-source",
  title: "sourceRef / chartRef to a source that does not exist",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  rationale:
    "A Kustomization or HelmRelease whose source does not exist never gets an artifact and never applies.",
  hint: "fix kind/name/namespace of the reference, or add the source (e.g. the OCIRepository beside the HelmRelease)",
  docs: `Checks Kustomization \`spec.sourceRef\`, HelmRelease \`spec.chartRef\` and \`spec.chart.spec.sourceRef\`
against the Flux sources the repository declares (GitRepository, OCIRepository, HelmRepository, HelmChart,
Bucket), with the namespace defaulting to the referrer's. The \`flux-system\` GitRepository counts as
present even without YAML (flux-operator or bootstrap creates it), and so does a source written anywhere in
the repository that the build does not reach (applied by a bootstrap step).`,
  check(ctx) {
    const graph = ctx.graph!;
    const hits: RuleHit[] = [];
    const sources = new Set(graph.sources.map((s) => `${s.kind}/${s.namespace}/${s.name}`));
    for (const o of graph.objects) {
      if (o.apiVersion.startsWith("source.toolkit.fluxcd.io/"))
        sources.add(`${o.kind}/${o.namespace ?? ""}/${o.name}`);
    }
    // a source declared in the repository but applied outside the build (a bootstrap step, another root)
    for (const s of declaredSources(ctx.files)) sources.add(s);
    const chartObjects = new Set(
      graph.objects
        .filter((o) => o.kind === "HelmChart")
        .map((o) => `HelmChart/${o.namespace ?? ""}/${o.name}`),
    );
    const exists = (kind: string, ns: string, name: string) =>
      sources.has(`${kind}/${ns}/${name}`) ||
      chartObjects.has(`${kind}/${ns}/${name}`) ||
      (kind === "GitRepository" && ns === "flux-system" && name === "flux-system");
    for (const node of graph.kustomizations) {
      const ref = node.sourceRef;
      if (exists(ref.kind, ref.namespace, ref.name)) continue;
      const at = locateKustomization(graph, ctx.files, node, ["spec", "sourceRef", "name"]);
      hits.push({
        ...at,
        message: `Kustomization ${nodeId(node)}: sourceRef ${ref.kind} ${ref.namespace}/${ref.name} does not exist`,
        path: "spec.sourceRef.name",
      });
    }
    const partial = partialObjects(graph);
    for (const release of graph.helmReleases) {
      if (partial.has(release.object)) continue;
      const spec = field(release.object.object, "spec");
      const refs: [unknown, string[]][] = [
        [field(spec, "chartRef"), ["spec", "chartRef"]],
        [field(spec, "chart", "spec", "sourceRef"), ["spec", "chart", "spec", "sourceRef"]],
      ];
      for (const [ref, path] of refs) {
        if (!isRecord(ref)) continue;
        const kind = str(ref.kind) ?? "";
        const name = str(ref.name) ?? "";
        const ns = str(ref.namespace) ?? release.namespace;
        if (exists(kind, ns, name)) continue;
        const at = release.object.locate([...path, "name"]);
        hits.push({
          ...at,
          message: `HelmRelease ${release.namespace}/${release.name}: ${path.slice(1).join(".")} ${kind} ${ns}/${name} does not exist`,
          path: [...path, "name"].join("."),
        });
      }
    }
    return hits;
  },
};

/** `Kind/namespace/name` of every Flux source written in the repository's YAML files (namespace default flux-system). */
function declaredSources(files: RepoFiles): Set<string> {
  const out = new Set<string>();
  for (const file of files.paths()) {
    if (!/\.ya?ml$/.test(file) || !files.text(file)?.includes("source.toolkit.fluxcd.io")) continue;
    for (const doc of files.yaml(file)?.documents ?? []) {
      const v = doc.value;
      if (
        !isRecord(v) ||
        typeof v.apiVersion !== "string" ||
        !v.apiVersion.startsWith("source.toolkit.fluxcd.io/")
      )
        continue;
      const name = str(field(v, "metadata", "name"));
      if (name)
        out.add(`${String(v.kind)}/${str(field(v, "metadata", "namespace")) ?? "flux-system"}/${name}`);
    }
  }
  return out;
}

export const duplicateObject: Rule = {
  id: "flux/duplicate-object",
  title: "The same object produced by two Kustomizations",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  rationale:
    "Two Flux Kustomizations that apply the same object fight over it: each reconcile overwrites the other's version, and pruning one deletes the object the other still wants.",
  hint: "keep the object in exactly one Kustomization (move shared objects to their own Kustomization and depend on it)",
  docs: `Compares the built output of all Flux Kustomizations by API group, kind, namespace and name. The
finding points at the second producer's source. Two producers of different content fight over the object (an
error); identical copies (a component's shared Secret, a repository source declared twice) only make the
ownership labels flip and pruning one delete the other's copy until its next reconcile (a warning). A
Kustomization that applies its own definition (flux-system does) and objects whose name still holds an
unresolved \`\${VAR}\` (the build reports the variable) are not compared.`,
  check(ctx) {
    const graph = ctx.graph!;
    const first = new Map<string, { node: FluxKustomizationNode; object: BuiltObject }>();
    const hits: RuleHit[] = [];
    for (const node of graph.kustomizations) {
      for (const object of node.objects) {
        if (`${object.name}/${object.namespace ?? ""}`.includes("${")) continue;
        // a Kustomization that applies its own definition manages itself: one object, one owner in effect
        if (
          isFluxKustomization(object) &&
          object.name === node.name &&
          (object.namespace ?? node.namespace) === node.namespace
        )
          continue;
        const key = objectKey(object);
        const owner = first.get(key);
        if (!owner) first.set(key, { node, object });
        else if (owner.node !== node) {
          if (
            isFluxKustomization(object) &&
            object.name === owner.node.name &&
            (object.namespace ?? owner.node.namespace) === owner.node.namespace
          )
            continue;
          const same = sameContent(owner.object, object);
          hits.push({
            file: object.provenance.file,
            line: object.provenance.line,
            column: object.provenance.column,
            message: `${describeObject(object)} is applied by both Kustomization ${nodeId(owner.node)} and ${nodeId(node)}${
              same
                ? " (identical copies: the ownership labels flip and pruning one deletes the object until the other reconciles)"
                : " with different content: each reconcile overwrites the other's version"
            }`,
            ...(same ? { severity: "warning" as const } : {}),
          });
        }
      }
    }
    return hits;
  },
};

/** true when two built objects have the same content apart from metadata (labels Flux adds per owner). */
function sameContent(a: BuiltObject, b: BuiltObject): boolean {
  const strip = (o: BuiltObject) => {
    const { metadata: _metadata, ...rest } = o.object as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  return strip(a) === strip(b);
}
