import { isRecord } from "./text.js";

export { isSopsPath } from "@homeops/core";

const ENC = /^ENC\[[A-Z0-9_]+,data:/;

/** true for a SOPS-encrypted value. */
export function isEncryptedValue(value: unknown): boolean {
  return typeof value === "string" && ENC.test(value);
}

/** true when a YAML/JSON document carries SOPS metadata. */
export function hasSopsMetadata(value: unknown): boolean {
  return (
    isRecord(value) &&
    isRecord(value.sops) &&
    (value.sops.mac !== undefined || value.sops.lastmodified !== undefined)
  );
}

/** true when a dotenv/ini text was written by SOPS. */
export function isSopsText(text: string): boolean {
  return /^sops_(version|mac|lastmodified)=/m.test(text) || /^\[sops\]/m.test(text);
}
