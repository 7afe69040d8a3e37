import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CHARTS } from "./oracle.js";

/**
 * A small home-ops repository in a temp dir: one Flux Kustomization (`kubernetes/flux/cluster/ks.yaml`) that
 * applies `kubernetes/apps/<file>` for each given file, plus fixture charts copied under `charts/`.
 */
export async function writeRepo(apps: Record<string, string>, charts: string[] = []): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "homeops-helm-repo-"));
  const files: Record<string, string> = {
    "kubernetes/flux/cluster/ks.yaml": [
      "apiVersion: kustomize.toolkit.fluxcd.io/v1",
      "kind: Kustomization",
      "metadata:",
      "  name: cluster-apps",
      "  namespace: flux-system",
      "spec:",
      "  interval: 1h",
      "  path: ./kubernetes/apps",
      "  prune: true",
      "  sourceRef:",
      "    kind: GitRepository",
      "    name: flux-system",
      "",
    ].join("\n"),
    "kubernetes/apps/kustomization.yaml": [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      ...Object.keys(apps).map((f) => `  - ./${f}`),
      "",
    ].join("\n"),
  };
  for (const [f, text] of Object.entries(apps)) files[`kubernetes/apps/${f}`] = text;
  for (const [f, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, f)), { recursive: true });
    await writeFile(join(root, f), text);
  }
  for (const c of charts) await cp(join(CHARTS, c), join(root, "charts", c), { recursive: true });
  return root;
}
