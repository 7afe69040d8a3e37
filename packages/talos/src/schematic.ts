import { createHash } from "node:crypto";
import { UserError } from "@homeops/core";
import { parseAllDocuments } from "yaml";
import { type GoStruct, GoTypes } from "./internal/go-type.js";
import { decodeNode, emitYaml, GoValueError, toYNode } from "./internal/go-value.js";

/**
 * The Image Factory's schematic (siderolabs/image-factory pkg/schematic): fields in their Go order, with
 * their yaml tags. Its id is the SHA-256 of this struct re-marshalled by yaml.v4.
 */
const schematicTypes = new GoTypes({
  "schematic.Schematic": {
    kind: "struct",
    fields: [
      { name: "owner", go: "Owner", type: "string", omitempty: true },
      { name: "overlay", go: "Overlay", type: "Overlay", omitempty: true },
      { name: "customization", go: "Customization", type: "Customization" },
    ],
  },
  "schematic.Customization": {
    kind: "struct",
    fields: [
      {
        name: "embeddedMachineConfiguration",
        go: "EmbeddedMachineConfiguration",
        type: "string",
        omitempty: true,
      },
      { name: "extraKernelArgs", go: "ExtraKernelArgs", type: "[]string", omitempty: true },
      { name: "meta", go: "Meta", type: "[]MetaValue", omitempty: true },
      { name: "systemExtensions", go: "SystemExtensions", type: "SystemExtensions", omitempty: true },
      { name: "bootloader", go: "Bootloader", type: "BootloaderKind", omitempty: true },
      { name: "secureboot", go: "SecureBoot", type: "SecureBootCustomization", omitempty: true },
      { name: "diskImage", go: "DiskImage", type: "DiskImageCustomization", omitempty: true },
    ],
  },
  "schematic.MetaValue": {
    kind: "struct",
    fields: [
      { name: "key", go: "Key", type: "uint8" },
      { name: "value", go: "Value", type: "string" },
    ],
  },
  "schematic.SystemExtensions": {
    kind: "struct",
    fields: [{ name: "officialExtensions", go: "OfficialExtensions", type: "[]string", omitempty: true }],
  },
  "schematic.Overlay": {
    kind: "struct",
    fields: [
      { name: "image", go: "Image", type: "string" },
      { name: "name", go: "Name", type: "string" },
      { name: "options", go: "Options", type: "map[string]any", omitempty: true },
    ],
  },
  "schematic.SecureBootCustomization": {
    kind: "struct",
    fields: [
      { name: "enrollKeys", go: "EnrollKeys", type: "string", omitempty: true },
      {
        name: "includeWellKnownCertificates",
        go: "IncludeWellKnownCertificates",
        type: "bool",
        omitempty: true,
      },
    ],
  },
  "schematic.DiskImageCustomization": {
    kind: "struct",
    fields: [{ name: "sectorSize", go: "SectorSize", type: "uint", omitempty: true }],
  },
  "schematic.BootloaderKind": { kind: "named", of: "string", methods: ["MarshalText"] },
});
const schematicType = schematicTypes.named("schematic.Schematic");

/** The schematic text (YAML or JSON) as the factory re-serialises it. */
export function canonicalSchematic(text: string, file = "schematic.yaml"): string {
  const docs = parseAllDocuments(text, { keepSourceTokens: true });
  const doc = (Array.isArray(docs) ? docs[0] : docs) as
    | { errors: { message: string }[]; contents: unknown }
    | undefined;
  if (doc && doc.errors.length > 0)
    throw new UserError("YAML_SYNTAX", `${file}: ${doc.errors[0]?.message}`, { location: { file } });
  try {
    const value =
      (decodeNode(schematicType, (doc?.contents ?? null) as never, "schematic") as GoStruct | undefined) ??
      {};
    return emitYaml(toYNode(schematicType, value));
  } catch (e) {
    if (e instanceof GoValueError)
      throw new UserError("CONFIG_INVALID", `${file}: not an Image Factory schematic: ${e.message}`, {
        location: { file },
        hint: "fields: overlay, customization.{extraKernelArgs, meta, systemExtensions.officialExtensions, secureboot, …}",
      });
    throw e;
  }
}

/** The Image Factory schematic id: hex SHA-256 of the canonical schematic. Computed offline. */
export function schematicId(text: string, file?: string): string {
  return createHash("sha256").update(canonicalSchematic(text, file)).digest("hex");
}

/** A schematic with these official system extensions (and nothing else). */
export function schematicForExtensions(
  extensions: readonly string[],
  extraKernelArgs: readonly string[] = [],
): string {
  const customization: Record<string, unknown> = {};
  if (extraKernelArgs.length > 0) customization.extraKernelArgs = extraKernelArgs;
  if (extensions.length > 0) customization.systemExtensions = { officialExtensions: extensions };
  return JSON.stringify({ customization });
}

export interface ImageOptions {
  schematicId: string;
  /** e.g. v1.13.2 */
  talosVersion: string;
  /** default metal */
  platform?: string;
  /** default amd64 */
  arch?: string;
  secureboot?: boolean;
  /** default factory.talos.dev */
  factory?: string;
}

const v = (version: string) => (version.startsWith("v") ? version : `v${version}`);

/** `factory.talos.dev/<platform>-installer[-secureboot]/<id>:<version>` */
export function installerImage(o: ImageOptions): string {
  return `${o.factory ?? "factory.talos.dev"}/${o.platform ?? "metal"}-installer${o.secureboot ? "-secureboot" : ""}/${o.schematicId}:${v(o.talosVersion)}`;
}

/** Image Factory URLs for a schematic and version. */
export interface ImageUrls {
  installer: string;
  iso: string;
  rawDisk: string;
  pxe: string;
}

export function imageUrls(o: ImageOptions): ImageUrls {
  const host = o.factory ?? "factory.talos.dev";
  const name = `${o.platform ?? "metal"}-${o.arch ?? "amd64"}${o.secureboot ? "-secureboot" : ""}`;
  return {
    installer: installerImage(o),
    iso: `https://${host}/image/${o.schematicId}/${v(o.talosVersion)}/${name}.iso`,
    rawDisk: `https://${host}/image/${o.schematicId}/${v(o.talosVersion)}/${name}.raw.zst`,
    pxe: `https://pxe.${host}/pxe/${o.schematicId}/${v(o.talosVersion)}/${name}`,
  };
}
