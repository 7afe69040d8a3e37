import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { addConnectionOptions, connectOptions } from "../internal/connection-options.js";

/** `homeops bootstrap apps`: namespaces, bootstrap secrets (SOPS, decrypted in memory) and the Flux root. */
export const bootstrapCommand: CommandSpec = {
  name: "bootstrap",
  register(program, run) {
    const bootstrap = program.command("bootstrap").description("first-time cluster setup steps");
    addConnectionOptions(
      bootstrap
        .command("apps")
        .description(
          "create the app namespaces, apply the bootstrap secrets and the Flux root (idempotent: a second run changes nothing)",
        )
        .option("--sops <path>", "the sops binary", "sops"),
    ).action((opts: { kubeconfig?: string; context?: string; requestTimeout: string; sops: string }) =>
      run(async (ctx) => {
        const { bootstrapApps, connectCluster } = await import("@homeops/flux-bridge");
        const { client } = connectCluster(connectOptions(ctx, opts));
        const result = await bootstrapApps(client, { root: ctx.cwd, sops: opts.sops, env: ctx.env });
        for (const s of result.steps) {
          ctx.stdout.write(
            `${s.action.padEnd(10)} ${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}  ${ctx.color.dim(s.file)}\n`,
          );
        }
        ctx.stdout.write(result.changed ? "bootstrap applied\n" : "nothing to change\n");
        return ExitCode.Clean;
      }),
    );
  },
};
