import type { Finding } from "@homeops/core";
import type { ClusterConfig } from "@homeops/schema";
import { type ImageUrls, imageUrls, schematicForExtensions, schematicId } from "./schematic.js";

/** A node's boot image: its schematic and the Image Factory URLs. */
export interface NodeImage {
  node: string;
  schematicId: string;
  secureboot: boolean;
  urls: ImageUrls;
}

export interface ImageReport {
  images: NodeImage[];
  /** the id of `talos.extensions` computed offline, when extensions are listed */
  extensionsSchematicId?: string;
  findings: Finding[];
}

export interface ImageReportOptions {
  /** a schematic file's text: its id is computed offline and reported */
  schematic?: { text: string; file: string };
  /** only this node (name or address) */
  node?: string;
}

/** `homeops talos url`: every node's schematic id and installer / ISO / PXE URLs, checked offline. */
export function imageReport(config: ClusterConfig, options: ImageReportOptions = {}): ImageReport {
  const findings: Finding[] = [];
  let extensionsSchematicId: string | undefined;
  if (config.talos.extensions.length > 0) {
    extensionsSchematicId = schematicId(schematicForExtensions(config.talos.extensions));
    if (extensionsSchematicId !== config.talos.schematicId)
      findings.push({
        ruleId: "homeops-talos/schematic-id",
        severity: "error",
        message: `talos.schematicId ${config.talos.schematicId} is not the id of talos.extensions (${extensionsSchematicId})`,
        hint: `set talos.schematicId: ${extensionsSchematicId} (the Image Factory computes the same id)`,
        file: "bootstrap/config.yaml",
        path: "talos.schematicId",
      });
  }
  const fileId = options.schematic ? schematicId(options.schematic.text, options.schematic.file) : undefined;
  const images = config.nodes
    .filter((n) => options.node === undefined || n.name === options.node || n.address === options.node)
    .map((n) => {
      const id = fileId ?? n.schematicId;
      return {
        node: n.name,
        schematicId: id,
        secureboot: n.secureboot,
        urls: imageUrls({ schematicId: id, talosVersion: config.talos.version, secureboot: n.secureboot }),
      };
    });
  return { images, ...(extensionsSchematicId ? { extensionsSchematicId } : {}), findings };
}
