import type { ClusterConfig } from "@homeops/schema";
import type { ForbiddenLiteral } from "./rule.js";

/** The placeholder manifests use for each placeholder-capable config value. */
const PLACEHOLDERS: Record<string, string> = {
  "cluster.domain": "${SECRET_DOMAIN}",
  "secrets.vaultAddress": "${VAULT_ADDR}",
  "storage.nfs.server": "${NFS_SERVER}",
  "storage.backupTarget": "${BACKUP_REPOSITORY}",
};

/**
 * The config values that must never appear literally in manifests: the placeholder-capable values
 * (domain, Vault address, NFS server and exports, backup target) that the config writes literally.
 */
export function forbiddenLiteralsFromConfig(config: Pick<ClusterConfig, "derived">): ForbiddenLiteral[] {
  return config.derived.literals.map((literal) => {
    const placeholder = PLACEHOLDERS[literal.path];
    return { name: literal.path, value: literal.value, ...(placeholder ? { placeholder } : {}) };
  });
}
