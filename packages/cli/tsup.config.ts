import { defineConfig } from "tsup";
import { defineHomeopsCliBuild } from "../../tsup.base.ts";

// @homeops/helm runs its WebAssembly module in a child process on Node < 22: the child's script sits
// beside the bundle that contains helm's code
export default defineConfig(defineHomeopsCliBuild("src/bin.ts", ["../helm/wasi-run.mjs"]));
