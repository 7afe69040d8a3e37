import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRepository } from "./check-repository.js";
import { lenientView } from "./internal/lenient.js";
import { openRepository } from "./repository.js";
import { validateManifests } from "./validate-manifests.js";

const fixture = join(import.meta.dirname, "../../cli/test/fixtures/check-repo");

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "homeops-repo-"));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

describe("openRepository", () => {
  it("a missing directory is a UserError", async () => {
    await expect(openRepository("nope", { cwd: tmpdir() })).rejects.toThrow("nope: no such directory");
  });

  it("builds the graph once per cluster root and shares it between the stages", async () => {
    const repo = await openRepository(".", { cwd: copy() });
    const first = repo.graph({ clusterRoot: "kubernetes/flux" });
    expect(repo.graph({ clusterRoot: "kubernetes/flux" })).toBe(first);
    expect(await repo.files()).toBe(await repo.files());
    const validated = await validateManifests(repo, { dir: "kubernetes" });
    const checked = await checkRepository(repo);
    expect(validated.data?.counts.valid).toBeGreaterThan(0);
    expect(checked.data?.kustomizations).toBe((await first).kustomizations.length);
  }, 120_000);

  it("reads each file from disk once, whoever asks", async () => {
    const repo = await openRepository(".", { cwd: copy() });
    expect(repo.read("kubernetes/flux/cluster/ks.yaml")).toBe(repo.read("kubernetes/flux/cluster/ks.yaml"));
  });
});

describe("one strict build, the lenient verdict derived", () => {
  it("drops build/undefined-variable and marks a Kustomization failing only for it as built", async () => {
    const repo = await openRepository(".", { cwd: copy() });
    const strict = await repo.graph({ clusterRoot: "kubernetes/flux" });
    const failing = strict.kustomizations.filter((k) =>
      k.findings.some((f) => f.ruleId === "build/undefined-variable"),
    );
    // the fixture's romm app uses ${SECRET_DOMAIN}, which nothing sets
    expect(failing.map((k) => `${k.namespace}/${k.name}`)).toEqual(["games/romm"]);
    expect(failing[0]!.status).toBe("error");
    const lenient = lenientView(strict);
    expect(lenient.findings.some((f) => f.ruleId === "build/undefined-variable")).toBe(false);
    expect(lenient.kustomizations.find((k) => k.name === "romm")!.status).toBe("built");
    // the strict graph itself is untouched (the kubeconform stage reads it)
    expect(strict.findings.some((f) => f.ruleId === "build/undefined-variable")).toBe(true);
  }, 60_000);

  it("keeps a Kustomization that also fails for another reason an error", async () => {
    const dir = copy();
    writeFileSync(
      join(dir, "kubernetes/apps/games/romm/app/kustomization.yaml"),
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmrelease.yaml\n  - ./missing.yaml\n",
    );
    const repo = await openRepository(".", { cwd: dir });
    const lenient = lenientView(await repo.graph({ clusterRoot: "kubernetes/flux" }));
    expect(lenient.kustomizations.find((k) => k.name === "romm")!.status).toBe("error");
  });
});
