import { defineConfig } from "tsup";
import { defineHomeopsBuild } from "../../tsup.base.ts";

// the catalog on its own entry too (`@homeops/schema/catalog`): validating manifests loads no zod
export default defineConfig(
  defineHomeopsBuild({ entry: { index: "src/index.ts", "catalog/index": "src/catalog/index.ts" } }),
);
