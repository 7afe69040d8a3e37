import { existsSync, readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { UserError } from "@homeops/core";
import { KubeConfig } from "@kubernetes/client-node";
import { ClusterClient, type ClusterClientOptions } from "./cluster-client.js";

export interface ConnectOptions extends ClusterClientOptions {
  /** `--kubeconfig`: used when given (a missing file is an error). */
  kubeconfig?: string;
  /** The value of `KUBECONFIG` (the CLI passes it; libraries never read the environment). First existing file wins. */
  kubeconfigEnv?: string;
  /** Repository root: its `kubeconfig` file is used when neither of the above names one. */
  repoRoot?: string;
  /** Home directory: `~/.kube/config` is the last file tried. */
  homeDir?: string;
  /** Context to use instead of the kubeconfig's current-context. */
  context?: string;
  /**
   * In-cluster config (`KUBERNETES_SERVICE_HOST`/`_PORT`, the mounted service-account token and CA),
   * used when no kubeconfig file is found.
   */
  inCluster?: { host: string; port: string };
  /** Directory of the service-account token and CA. Default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  serviceAccountDir?: string;
}

/** Where the kubeconfig came from, for messages (never its contents). */
export interface KubeConfigSource {
  kind: "flag" | "env" | "repository" | "home" | "in-cluster";
  path?: string;
}

export interface Connection {
  client: ClusterClient;
  source: KubeConfigSource;
}

/** Finds the kubeconfig as kubectl would (plus the repository's own `kubeconfig`), selects the context, returns a client. */
export function connectCluster(options: ConnectOptions = {}): Connection {
  const { kubeConfig, source } = loadKubeConfig(options);
  if (options.context) {
    const names = kubeConfig.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new UserError("USAGE", `the kubeconfig has no context "${options.context}"`, {
        hint: names.length ? `contexts: ${names.join(", ")}` : "the kubeconfig defines no context",
      });
    }
    kubeConfig.setCurrentContext(options.context);
  }
  if (!kubeConfig.getCurrentContext() && source.kind !== "in-cluster") {
    throw new UserError("CONFIG_INVALID", `${source.path ?? "the kubeconfig"} has no current-context`, {
      hint: "pass --context <name>",
    });
  }
  return { client: new ClusterClient(kubeConfig, options), source };
}

function loadKubeConfig(options: ConnectOptions): { kubeConfig: KubeConfig; source: KubeConfigSource } {
  const kubeConfig = new KubeConfig();
  const fromFile = (path: string, kind: KubeConfigSource["kind"]) => {
    try {
      kubeConfig.loadFromString(readFileSync(path, "utf8"));
    } catch (error) {
      throw new UserError("CONFIG_INVALID", `cannot read kubeconfig ${path}: ${firstLine(error)}`, {
        hint: "is it a kubeconfig file (apiVersion: v1, kind: Config)?",
        location: { file: path },
      });
    }
    return { kubeConfig, source: { kind, path } };
  };
  if (options.kubeconfig) {
    const path = resolve(options.kubeconfig);
    if (!existsSync(path)) {
      throw new UserError("FILE_NOT_FOUND", `kubeconfig ${options.kubeconfig} does not exist`, {
        hint: "pass the path of a kubeconfig file with --kubeconfig",
      });
    }
    return fromFile(path, "flag");
  }
  const tried: string[] = [];
  if (options.kubeconfigEnv) {
    for (const path of options.kubeconfigEnv.split(delimiter).filter(Boolean)) {
      tried.push(path);
      if (existsSync(path)) return fromFile(resolve(path), "env");
    }
  }
  if (options.repoRoot) {
    const path = join(options.repoRoot, "kubeconfig");
    tried.push(path);
    if (existsSync(path)) return fromFile(path, "repository");
  }
  if (options.homeDir) {
    const path = join(options.homeDir, ".kube", "config");
    tried.push(path);
    if (existsSync(path)) return fromFile(path, "home");
  }
  if (options.inCluster?.host) {
    const dir = options.serviceAccountDir ?? "/var/run/secrets/kubernetes.io/serviceaccount";
    const host = options.inCluster.host.includes(":")
      ? `[${options.inCluster.host}]`
      : options.inCluster.host;
    kubeConfig.loadFromClusterAndUser(
      {
        name: "in-cluster",
        server: `https://${host}:${options.inCluster.port || "443"}`,
        caFile: join(dir, "ca.crt"),
        skipTLSVerify: false,
      },
      { name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: join(dir, "token") } } },
    );
    return { kubeConfig, source: { kind: "in-cluster" } };
  }
  throw new UserError("FILE_NOT_FOUND", "no kubeconfig found", {
    hint: `looked at ${tried.length ? tried.join(", ") : "nothing"}; pass --kubeconfig, set KUBECONFIG, or run \`task bootstrap:talos\` to write ./kubeconfig`,
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
