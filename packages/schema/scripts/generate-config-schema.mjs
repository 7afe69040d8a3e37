#!/usr/bin/env node
// Writes config.schema.json from the zod schema in the built package (run through `pnpm generate:config-schema`,
// which builds first). The test in src/config/json-schema.test.ts fails when the committed file is stale.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createConfigJsonSchema, serializeConfigJsonSchema } from "../dist/index.js";

const target = fileURLToPath(new URL("../config.schema.json", import.meta.url));
writeFileSync(target, serializeConfigJsonSchema(createConfigJsonSchema()));
process.stdout.write(`wrote ${target}\n`);
