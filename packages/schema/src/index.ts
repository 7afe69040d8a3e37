export * from "./catalog/index.js";
export {
  type Cidr,
  type CidrProblem,
  cidrContains,
  cidrsOverlap,
  hostCount,
  inspectCidr,
  ipv4ToNumber,
  isIpv4Address,
  nthHost,
  numberToIpv4,
  parseCidr,
} from "./config/cidr.js";
export { CONFIG_DEFAULTS, CONFIG_VERSION, VANILLA_SCHEMATIC_ID } from "./config/defaults.js";
export { isPlaceholder, KNOWN_SSH_HOSTS, RESERVED_NODE_NAMES } from "./config/fields.js";
export { createConfigJsonSchema, serializeConfigJsonSchema } from "./config/json-schema.js";
export {
  type ConfigMigration,
  configMigrations,
  type MigrationOutcome,
  migrateConfig,
} from "./config/migrations.js";
export { type ConfigRule, configRule, configRules } from "./config/rules.js";
export { type ConfigInput, configSchema } from "./config/schema.js";
export type {
  ClusterConfig,
  ClusterNode,
  DerivedValues,
  LiteralValue,
  PlaceholderValue,
} from "./config/types.js";
export {
  type LoadClusterConfigOptions,
  loadClusterConfig,
  type ValidateClusterConfigOptions,
  validateClusterConfig,
} from "./config/validate.js";
