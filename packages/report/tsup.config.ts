import { defineConfig } from "tsup";
import { defineHomeopsBuild } from "../../tsup.base.ts";

export default defineConfig(defineHomeopsBuild());
