import { defineProject, mergeConfig } from "vitest/config";
import { defineHomeopsProject } from "../../vitest.shared.ts";

// Every test file here runs against one real kube-apiserver (test/harness), started once per run.
export default mergeConfig(
  defineHomeopsProject("@homeops/flux-bridge", 90_000),
  defineProject({ test: { globalSetup: ["./test/harness/global-setup.ts"], hookTimeout: 120_000 } }),
);
