import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { UserError } from "@homeops/core";
import { describe, expect, it } from "vitest";
import { connectCluster } from "../src/connect.js";
import { getFluxStatus } from "../src/status.js";
import { writeKubeconfig } from "./harness/cluster.js";
import { cluster } from "./harness/helpers.js";

function layout() {
  const dir = mkdtempSync(join(tmpdir(), "homeops-connect-"));
  const make = (name: string, server: string) => {
    const file = join(dir, name);
    mkdirSync(join(file, ".."), { recursive: true });
    return writeKubeconfig(file, server, cluster().caFile, cluster().tokens.reader, "reader");
  };
  return { dir, make };
}

describe("kubeconfig resolution", () => {
  it("--kubeconfig, then KUBECONFIG (first existing), then ./kubeconfig, then ~/.kube/config", () => {
    const { dir, make } = layout();
    const flag = make("flag.yaml", "https://127.0.0.1:1");
    const env = make("env.yaml", "https://127.0.0.1:2");
    make("repo/kubeconfig", "https://127.0.0.1:3");
    make("home/.kube/config", "https://127.0.0.1:4");
    const base = { repoRoot: join(dir, "repo"), homeDir: join(dir, "home") };
    expect(connectCluster({ ...base, kubeconfig: flag, kubeconfigEnv: env }).client.server).toBe(
      "https://127.0.0.1:1",
    );
    const envList = [join(dir, "missing.yaml"), env].join(delimiter);
    expect(connectCluster({ ...base, kubeconfigEnv: envList }).source).toEqual({ kind: "env", path: env });
    expect(connectCluster(base).client.server).toBe("https://127.0.0.1:3");
    expect(connectCluster({ homeDir: join(dir, "home") }).client.server).toBe("https://127.0.0.1:4");
  });

  it("in-cluster config when no file is found; a clear error when nothing is there", () => {
    const { dir } = layout();
    const inCluster = connectCluster({
      homeDir: dir,
      inCluster: { host: "10.43.0.1", port: "443" },
      serviceAccountDir: dir,
    });
    expect(inCluster.source.kind).toBe("in-cluster");
    expect(inCluster.client.server).toBe("https://10.43.0.1:443");
    let error: unknown;
    try {
      connectCluster({ homeDir: dir, repoRoot: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe("no kubeconfig found");
    expect((error as UserError).hint).toContain(join(dir, "kubeconfig"));
  });

  it("selects a context, and the selected context is the one used", async () => {
    const { dir } = layout();
    const file = join(dir, "two-contexts");
    writeKubeconfig(file, cluster().server, cluster().caFile, cluster().tokens.reader, "reader");
    const text = readFileSync(file, "utf8");
    writeFileSync(
      file,
      text
        .replace("users:\n", `users:\n  - name: nobody\n    user:\n      token: wrong\n`)
        .replace(
          "contexts:\n",
          "contexts:\n  - name: broken\n    context:\n      cluster: test\n      user: nobody\n",
        )
        .replace("current-context: reader@test", "current-context: broken"),
    );
    const broken = await getFluxStatus(connectCluster({ kubeconfig: file }).client, { scope: "ks" }).catch(
      (e) => e,
    );
    expect(broken.code).toBe("CLUSTER_UNAUTHORIZED");
    const ok = await getFluxStatus(connectCluster({ kubeconfig: file, context: "reader@test" }).client, {
      scope: "ks",
    });
    expect(Array.isArray(ok.rows)).toBe(true);
  });
});
