import type { TestProject } from "vitest/node";
import { readAudit, summarizeAudit } from "./audit.js";
import { startTestCluster, type TestClusterInfo } from "./cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    cluster: TestClusterInfo;
  }
}

/**
 * Starts the test cluster once for every test file of the package; a missing build fails the run. At the
 * end, the audit log of the whole run must show no write by the read-only user and only `homeops`-managed
 * writes by the write user.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startTestCluster();
  const { stop, stopApiServer: _stopApiServer, ...info } = cluster;
  project.provide("cluster", info);
  return async () => {
    try {
      const summary = summarizeAudit(readAudit(info.auditLog));
      const problems = [
        ...summary.readerWrites.map((e) => `read-only user wrote: ${e.verb} ${e.requestURI}`),
        ...summary.writerWritesWithoutHomeopsManager.map(
          (e) => `write without field manager homeops: ${e.verb} ${e.requestURI}`,
        ),
      ];
      if (problems.length > 0)
        throw new Error(`audit of the test cluster's requests:\n${problems.join("\n")}`);
    } finally {
      await stop();
    }
  };
}
