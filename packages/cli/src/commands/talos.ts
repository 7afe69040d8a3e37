import type { CommandSpec } from "../command.js";
import { registerCommand } from "./talos/command.js";
import { registerGenerate } from "./talos/generate.js";
import { registerUrl } from "./talos/url.js";
import { registerValidate } from "./talos/validate.js";

/** `homeops talos …`: one file per subcommand under `talos/`. */
export const talosCommandSpec: CommandSpec = {
  name: "talos",
  register(program, run) {
    const talos = program
      .command("talos")
      .description("Talos machine configs, secrets, images and talosctl commands");
    registerGenerate(talos, run);
    registerValidate(talos, run);
    registerUrl(talos, run);
    registerCommand(talos, run);
  },
};
