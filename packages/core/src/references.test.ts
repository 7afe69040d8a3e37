import { describe, expect, it } from "vitest";
import {
  hasSopsMetadata,
  isRemoteReference,
  isSopsEncryptedText,
  isSopsPath,
  KUSTOMIZATION_FILES,
} from "./references.js";

describe("shared references", () => {
  it("kustomization file names in kustomize's order", () => {
    expect(KUSTOMIZATION_FILES).toEqual(["kustomization.yaml", "kustomization.yml", "Kustomization"]);
  });
  it("SOPS metadata needs an encrypted MAC (render's sops test checks the real sops output)", () => {
    expect(isSopsEncryptedText("a: ENC[x]\nsops:\n  mac: ENC[AES256_GCM,data:x]\n")).toBe(true);
    expect(isSopsEncryptedText("sops:\n  lastmodified: now\n")).toBe(false);
    expect(isSopsEncryptedText("[sops]\nmac = ENC[AES256_GCM,data:x]\n")).toBe(true);
    expect(isSopsEncryptedText("sops_version=3\n")).toBe(false);
    expect(hasSopsMetadata({ sops: { mac: "ENC[AES256_GCM,data:x]" } })).toBe(true);
    expect(hasSopsMetadata({ sops: { lastmodified: "now" } })).toBe(false);
    expect(hasSopsMetadata("sops")).toBe(false);
  });
  it("remote kustomize entries", () => {
    for (const r of [
      "https://github.com/x/y/releases/download/v1/crds.yaml",
      "git::https://github.com/x/y//deploy?ref=v1",
      "gh:x/y",
      "ssh://git@github.com/x/y",
      "git@github.com:x/y.git",
      "github.com/x/y/deploy?ref=v1",
      "GitLab.com/x/y",
    ])
      expect(isRemoteReference(r), r).toBe(true);
    for (const l of ["./app", "../../components/common", "ks.yaml", "/abs/path", "github.company.local/x"])
      expect(isRemoteReference(l), l).toBe(false);
  });
  it("SOPS files by name", () => {
    for (const p of ["a/secret.sops.yaml", "x.sops.yml", "b/c.sops.json", "d.sops.env", "e.sops.ini"])
      expect(isSopsPath(p), p).toBe(true);
    for (const p of [
      ".sops.yaml",
      "sops.yaml",
      "a/secret.yaml",
      "a/secret.sops.yaml.eta",
      "a/.sops.yaml",
      "x.sops.txt",
    ])
      expect(isSopsPath(p), p).toBe(false);
  });
});
