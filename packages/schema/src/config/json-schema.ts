import * as z from "zod";
import { configSchema } from "./schema.js";

/** Where the published schema lives (the `$id` editors and tools see). */
const SCHEMA_ID = "https://unpkg.com/@homeops/schema/config.schema.json";

/**
 * The JSON Schema (draft 2020-12) of `bootstrap/config.yaml`, generated from the zod schema.
 * It carries every field rule a pattern or range can express; cross-field rules (overlaps,
 * containment, uniqueness) stay with the validator, except BGP all-or-none, added here.
 */
export function createConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  const bgp = properties.bgp;
  if (bgp) bgp.required = ["routerAddress", "routerAsn", "nodeAsn"];
  return { $schema: schema.$schema, $id: SCHEMA_ID, ...schema };
}

/** The committed form of the schema: 2-space JSON with a trailing newline. */
export function serializeConfigJsonSchema(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
