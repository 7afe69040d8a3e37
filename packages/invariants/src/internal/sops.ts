export { hasSopsMetadata, isSopsEncryptedText, isSopsPath } from "@homeops/core";

const ENC = /^ENC\[[A-Z0-9_]+,data:/;

/** true for a SOPS-encrypted value. */
export function isEncryptedValue(value: unknown): boolean {
  return typeof value === "string" && ENC.test(value);
}
