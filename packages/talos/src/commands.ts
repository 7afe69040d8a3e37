import { UserError } from "@homeops/core";
import { nodeLinks, type TalosClusterModel, type TalosNode } from "./model.js";
import { TALOS_LAYOUT } from "./repository.js";

export const talosActions = ["apply", "bootstrap", "kubeconfig", "upgrade", "upgrade-k8s", "reset"] as const;
export type TalosAction = (typeof talosActions)[number];

export interface TalosCommandOptions {
  /** the node's address (or name); default: every node (apply, upgrade, reset) or the first controller */
  node?: string;
  /** `apply --insecure` for a node still in maintenance mode */
  insecure?: boolean;
  /** repository-relative paths are used as they are (the commands run from the repository root) */
  talosconfig?: string;
}

/** One talosctl invocation. */
export interface TalosCommand {
  node: string;
  argv: string[];
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** A command as one shell line. */
export function commandLine(c: TalosCommand): string {
  return c.argv.map(quote).join(" ");
}

function pick(model: TalosClusterModel, node: string | undefined, all: boolean): TalosNode[] {
  if (node !== undefined) {
    const found = model.nodes.find((n) => n.address === node || n.name === node);
    if (!found)
      throw new UserError("USAGE", `no node ${node} in bootstrap/config.yaml`, {
        hint: `nodes: ${model.nodes.map((n) => `${n.name} (${n.address})`).join(", ")}`,
      });
    return [found];
  }
  const first = model.nodes.find((n) => n.role === "controlplane");
  if (!first) throw new UserError("CONFIG_INVALID", "the config has no controller node");
  return all ? model.nodes : [first];
}

/**
 * The exact talosctl command lines for an action (what talhelper's gencommand prints), run from the
 * repository root. apply/upgrade/reset default to every node, the others to the first controller.
 */
export function talosCommands(
  model: TalosClusterModel,
  action: TalosAction,
  options: TalosCommandOptions = {},
): TalosCommand[] {
  const tc = options.talosconfig ?? TALOS_LAYOUT.talosconfig;
  const base = (n: TalosNode) => [
    "talosctl",
    "--talosconfig",
    tc,
    "--nodes",
    n.address,
    "--endpoints",
    n.address,
  ];
  const file = (n: TalosNode) => `${TALOS_LAYOUT.clusterconfig}/${model.clusterName}-${n.name}.yaml`;
  switch (action) {
    case "apply":
      return pick(model, options.node, true).map((n) => ({
        node: n.name,
        argv: [...base(n), "apply-config", ...(options.insecure ? ["--insecure"] : []), "--file", file(n)],
      }));
    case "bootstrap":
      return pick(model, options.node, false).map((n) => ({ node: n.name, argv: [...base(n), "bootstrap"] }));
    case "kubeconfig":
      return pick(model, options.node, false).map((n) => ({
        node: n.name,
        argv: [...base(n), "kubeconfig", "--force", "--force-context-name", model.clusterName, "kubeconfig"],
      }));
    case "upgrade":
      return pick(model, options.node, true).map((n) => ({
        node: n.name,
        argv: [...base(n), "upgrade", "--image", n.installImage, "--wait"],
      }));
    case "upgrade-k8s":
      return pick(model, options.node, false).map((n) => ({
        node: n.name,
        argv: [...base(n), "upgrade-k8s", "--to", model.kubernetesVersion],
      }));
    case "reset":
      return pick(model, options.node, true).map((n) => ({
        node: n.name,
        argv: [
          ...base(n),
          "reset",
          "--system-labels-to-wipe",
          "STATE",
          "--system-labels-to-wipe",
          "EPHEMERAL",
          "--graceful=false",
          "--reboot",
        ],
      }));
  }
}

/** The link a node's address lives on (for messages). */
export function nodeAddressLink(node: TalosNode): string {
  return nodeLinks(node).addressed;
}

export interface RunTalosctlOptions {
  /** the talosctl binary */
  talosctl: string;
  /** the repository root (commands use repository-relative paths) */
  cwd: string;
  env: Record<string, string | undefined>;
  /** where talosctl's output goes (the CLI passes its stdout/stderr) */
  stdio?: "inherit" | "ignore";
}

/** Run the commands one after the other; stops at the first failure and says which. */
export async function runTalosCommands(
  commands: readonly TalosCommand[],
  options: RunTalosctlOptions,
): Promise<void> {
  const { spawn } = await import("node:child_process");
  for (const c of commands) {
    const [, ...args] = c.argv;
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(options.talosctl, args, {
        cwd: options.cwd,
        env: options.env as NodeJS.ProcessEnv,
        stdio: options.stdio ?? "inherit",
      });
      child.on("error", (e) =>
        reject(
          new UserError("TOOL_MISSING", `cannot run talosctl (${options.talosctl}): ${e.message}`, {
            hint: "install talosctl, or print the commands with --dry-run",
          }),
        ),
      );
      child.on("close", (exitCode) => resolve(exitCode ?? 1));
    });
    if (code !== 0)
      throw new UserError("TOOL_FAILED", `talosctl failed (exit ${code}) on ${c.node}: ${commandLine(c)}`, {
        hint: "nothing after it was run",
      });
  }
}
