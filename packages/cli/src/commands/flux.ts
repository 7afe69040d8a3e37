import type { CommandSpec } from "../command.js";
import { registerReads } from "./flux/reads.js";
import { registerStatus } from "./flux/status.js";
import { registerWrites } from "./flux/writes.js";

/** `homeops flux …`: the live cluster. Only `reconcile`, `suspend`, `resume` write (field manager `homeops`). */
export const fluxCommand: CommandSpec = {
  name: "flux",
  register(program, run) {
    const flux = program
      .command("flux")
      .description(
        "the live cluster: status, reconcile, suspend/resume, diff, drift, doctor (exit 0 ok, 1 findings/diff, 2 cannot run)",
      );
    registerStatus(flux, run);
    registerWrites(flux, run);
    registerReads(flux, run);
  },
};
