import { defineHomeopsProject } from "../../vitest.shared.ts";

// rendering through WebAssembly and building a registry-backed cache take seconds, not milliseconds
export default defineHomeopsProject("@homeops/helm", 120_000);
