import type { CommandSpec } from "../command.js";
import { bootstrapCommand } from "./bootstrap.js";
import { checkCommand } from "./check.js";
import { configureCommand } from "./configure.js";
import { diffCommand } from "./diff.js";
import { explainCommand } from "./explain.js";
import { fluxCommand } from "./flux.js";
import { initCommand } from "./init.js";
import { kubeconformCommand } from "./kubeconform.js";
import { renderCommand } from "./render.js";
import { reportCommand } from "./report.js";
import { schemasCommand } from "./schemas.js";
import { talosCommandSpec } from "./talos.js";
import { taskfileCommand } from "./taskfile.js";
import { validateCommand } from "./validate.js";

/** One file per command; this list is the only place commands are registered. */
export const commands: readonly CommandSpec[] = [
  taskfileCommand,
  initCommand,
  renderCommand,
  configureCommand,
  kubeconformCommand,
  schemasCommand,
  validateCommand,
  checkCommand,
  diffCommand,
  explainCommand,
  talosCommandSpec,
  fluxCommand,
  bootstrapCommand,
  reportCommand,
];
