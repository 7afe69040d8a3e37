import type { TestProject } from "vitest/node";
import { startTestCluster, type TestClusterInfo } from "./cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    cluster: TestClusterInfo;
  }
}

/** Starts the test cluster once for every test file of the package; a missing build fails the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startTestCluster();
  const { stop, ...info } = cluster;
  project.provide("cluster", info);
  return stop;
}
