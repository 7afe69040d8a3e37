import { posix } from "node:path";
import { isFluxKustomization } from "../internal/graph.js";
import { isKustomizationFile, isManifestFile, kustomizeRefs } from "../internal/kustomize-refs.js";
import { isRecord } from "../internal/text.js";
import type { Rule, RuleHit } from "../rule.js";
import { declaredFluxPaths } from "./flux-wiring.js";

const isFluxKind = (v: Record<string, unknown>) =>
  typeof v.apiVersion === "string" &&
  typeof v.kind === "string" &&
  isFluxKustomization({ apiVersion: v.apiVersion, kind: v.kind });

const isInside = (dir: string, file: string) => dir === "." || file === dir || file.startsWith(`${dir}/`);

export const unreachableManifest: Rule = {
  id: "gitops/unreachable-manifest",
  title: "Manifest under kubernetes/ that no Flux Kustomization reaches",
  severity: "warning",
  needs: "graph",
  kind: "convention",
  rationale:
    "Flux is the only authority over the cluster. A manifest no Flux Kustomization applies can only be applied by hand, and then drifts away from Git unnoticed. Real repositories keep examples, archives and other clusters' trees beside the live one, so this is a homeops convention and a warning.",
  hint: "wire it into a Flux Kustomization (a kustomization.yaml entry or a ks.yaml path), or delete it",
  docs: `A YAML file below the manifests directory is reached when a built object comes from it, when a
kustomization file references it (resources, patches, generators), when it lies under the \`spec.path\` of a
Flux Kustomization declared anywhere in the repository, or below the cluster root (\`kubernetes/flux\`, applied
at bootstrap). Only manifests count (YAML with a Kubernetes \`apiVersion\` and \`kind\`). Everything else is reported once per file. Files that a kustomization.yaml next to them does
not list are reported by flux/unreferenced-file, and ks.yaml files missing from their namespace by
flux/unwired-app, not here.`,
  check(ctx) {
    const graph = ctx.graph!;
    const reached = new Set<string>();
    const dirs = new Set<string>([graph.clusterRoot]);
    for (const o of graph.objects) reached.add(o.provenance.file);
    for (const node of graph.kustomizations) {
      reached.add(node.file);
      dirs.add(node.path);
      for (const o of node.objects) reached.add(o.provenance.file);
    }
    const root = ctx.settings.kubernetesDir;
    // only manifests: helmfile, Talos, Taskfile and application config files are other tools' inputs
    const yamls = ctx.files.under(root).filter((f) => isKustomizationFile(f) || isManifestFile(ctx.files, f));
    for (const file of yamls) {
      if (isKustomizationFile(file)) {
        for (const ref of kustomizeRefs(ctx.files, file)) reached.add(ref.target);
        continue;
      }
      // a file that declares Flux Kustomizations is a ks.yaml: its wiring is flux/unwired-app's job
      if (ctx.files.yaml(file)?.documents.some((d) => isRecord(d.value) && isFluxKind(d.value)))
        reached.add(file);
    }
    // Flux Kustomizations declared anywhere (wired or not) claim their path
    for (const dir of declaredFluxPaths(ctx)) dirs.add(dir);
    const hits: RuleHit[] = [];
    for (const file of yamls) {
      if (reached.has(file) || isKustomizationFile(file)) continue;
      if ([...dirs].some((d) => isInside(d, file))) continue;
      if (/^ks\.ya?ml$/.test(posix.basename(file))) continue;
      hits.push({ file, line: 1, column: 1, message: `${file} is not applied by any Flux Kustomization` });
    }
    return hits;
  },
};

const TASK_FILE =
  /(^|\/)(Taskfile|taskfile)(\.dist)?\.ya?ml$|(^|\/)\.taskfiles\/|\.(sh|bash|zsh)$|(^|\/)scripts\/|(^|\/)(Makefile|justfile)$/;
const KUBECTL = /\bkubectl\b.*?\b(apply|create|replace)\b/;

export const kubectlApply: Rule = {
  id: "gitops/kubectl-apply",
  title: "Task or script that kubectl-applies files under kubernetes/apps",
  severity: "warning",
  needs: "files",
  kind: "convention",
  rationale:
    "Applying app manifests by hand bypasses Flux (no substitution, no dependsOn, no prune) and leaves objects Flux will later fight over. Apps go through Git.",
  hint: "commit the change and let Flux apply it (`task flux:reconcile`), or apply only bootstrap manifests outside kubernetes/apps",
  docs: `Looks at Taskfiles (\`Taskfile.yaml\`, \`.taskfiles/**\`), shell scripts (\`*.sh\`, \`scripts/**\`), Makefiles and
justfiles for a \`kubectl apply|create|replace\` whose line names a path under \`<kubernetesDir>/apps\`
(also through \`{{.KUBERNETES_DIR}}/apps\` or \`$KUBERNETES_DIR/apps\`). Bootstrap applies (CRDs, the Flux
instance) are fine.`,
  check(ctx) {
    const hits: RuleHit[] = [];
    const apps = new RegExp(
      `(${ctx.settings.kubernetesDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}|KUBERNETES_DIR\\}*)/apps\\b`,
    );
    for (const file of ctx.files.paths()) {
      if (!TASK_FILE.test(file)) continue;
      const lines = (ctx.files.text(file) ?? "").split("\n");
      lines.forEach((line, i) => {
        if (line.trimStart().startsWith("#")) return;
        const match = KUBECTL.exec(line);
        if (!match || !apps.test(line)) return;
        hits.push({
          file,
          line: i + 1,
          column: match.index + 1,
          message: `kubectl ${match[1]} of manifests under kubernetes/apps`,
        });
      });
    }
    return hits;
  },
};
