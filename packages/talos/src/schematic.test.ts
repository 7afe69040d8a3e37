import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { haveOracle, oracleDir } from "./internal/oracle.testkit.js";
import {
  canonicalSchematic,
  imageUrls,
  installerImage,
  schematicForExtensions,
  schematicId,
} from "./schematic.js";

interface Pair {
  name?: string;
  source?: string;
  schematic: string;
  id: string;
}

describe.skipIf(!haveOracle)(`Image Factory schematic ids (${join(oracleDir, "schematic-ids.yaml")})`, () => {
  const pairs = haveOracle
    ? (parse(readFileSync(join(oracleDir, "schematic-ids.yaml"), "utf8")) as Pair[])
    : [];
  it("has the oracle's pairs", () => expect(pairs.length).toBeGreaterThanOrEqual(9));
  for (const p of pairs) {
    it(p.name ?? p.id, () => expect(schematicId(p.schematic)).toBe(p.id));
  }
});

describe("schematic ids harvested from real repositories", () => {
  const pairs = parse(
    readFileSync(new URL("../test/fixtures/schematics/corpus-pairs.yaml", import.meta.url), "utf8"),
  ) as Pair[];
  it("has at least 3 pairs", () => expect(pairs.length).toBeGreaterThanOrEqual(3));
  for (const p of pairs) {
    it(p.source ?? p.id, () => expect(schematicId(p.schematic)).toBe(p.id));
  }
});

describe("canonical form", () => {
  it("is the factory's yaml.v4 form: 4-space indent, field order, empty fields dropped", () => {
    expect(
      canonicalSchematic(
        '{"customization":{"systemExtensions":{"officialExtensions":["siderolabs/i915"]},"extraKernelArgs":["a=b"],"meta":[]}}',
      ),
    ).toBe(
      "customization:\n    extraKernelArgs:\n        - a=b\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/i915\n",
    );
  });
  it("refuses unknown fields (the factory decodes with known fields only)", () => {
    expect(() => schematicId("customization:\n  extensions: [a]\n")).toThrow(
      /not an Image Factory schematic/,
    );
  });
  it("builds the schematic for a list of extensions", () => {
    expect(schematicId(schematicForExtensions([]))).toBe(
      "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
    );
  });
  it("installer and image URLs", () => {
    const id = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    expect(installerImage({ schematicId: id, talosVersion: "v1.13.2" })).toBe(
      `factory.talos.dev/metal-installer/${id}:v1.13.2`,
    );
    expect(imageUrls({ schematicId: id, talosVersion: "1.13.2", secureboot: true })).toEqual({
      installer: `factory.talos.dev/metal-installer-secureboot/${id}:v1.13.2`,
      iso: `https://factory.talos.dev/image/${id}/v1.13.2/metal-amd64-secureboot.iso`,
      rawDisk: `https://factory.talos.dev/image/${id}/v1.13.2/metal-amd64-secureboot.raw.zst`,
      pxe: `https://pxe.factory.talos.dev/pxe/${id}/v1.13.2/metal-amd64-secureboot`,
    });
  });
});
