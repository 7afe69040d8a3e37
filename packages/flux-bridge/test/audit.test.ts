// The API server's audit log (every request, level Metadata) proves that read-only commands never write.
// Every read-only homeops run in these tests acts as the user "reader" (system:masters: a write would succeed,
// so only homeops itself keeps it read-only); the write verbs act as "writer". The global teardown checks the
// whole run's log again after every test file.
import { join } from "node:path";
import { buildRepoGraph } from "@homeops/manifests";
import { describe, expect, it } from "vitest";
import { diffFlux } from "../src/diff.js";
import { doctorFlux } from "../src/doctor.js";
import { detectDrift } from "../src/drift.js";
import { getFluxStatus } from "../src/status.js";
import { type AuditEvent, isWrite, readAudit, summarizeAudit } from "./harness/audit.js";
import { clientAs, cluster, fixtures, runHomeops } from "./harness/helpers.js";

describe("request audit: read-only verbs never write", () => {
  it("status, diff, drift and doctor send only reads and dry runs", async () => {
    const reader = clientAs("reader");
    const graph = await buildRepoGraph(join(fixtures, "diff"));
    await getFluxStatus(reader);
    await diffFlux(reader, graph);
    await detectDrift(reader, graph);
    await doctorFlux(reader, await buildRepoGraph(join(fixtures, "doctor")));
    const env = { KUBECONFIG: cluster().kubeconfigs.reader };
    for (const args of [
      ["flux", "status"],
      ["flux", "diff", "ks", "--all"],
      ["flux", "drift"],
      ["flux", "doctor"],
    ]) {
      const r = runHomeops(args, { cwd: join(fixtures, "diff"), env });
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBeLessThan(2);
    }
    const summary = summarizeAudit(readAudit(cluster().auditLog));
    expect(summary.readerRequests).toBeGreaterThan(20);
    expect(summary.readerDryRuns).toBeGreaterThan(0); // diff's server-side dry runs are in the log
    expect(summary.readerWrites).toEqual([]);
  });

  it("the classifier tells reads and dry runs from writes", () => {
    const event = (verb: string, requestURI: string): AuditEvent => ({
      verb,
      requestURI,
      user: { username: "reader" },
      stage: "ResponseComplete",
    });
    expect(isWrite(event("get", "/api/v1/namespaces/x"))).toBe(false);
    expect(
      isWrite(
        event("patch", "/api/v1/namespaces/a/configmaps/b?dryRun=All&fieldManager=kustomize-controller"),
      ),
    ).toBe(false);
    expect(isWrite(event("patch", "/api/v1/namespaces/a/configmaps/b?fieldManager=homeops"))).toBe(true);
    expect(isWrite(event("create", "/api/v1/namespaces"))).toBe(true);
    expect(summarizeAudit([event("delete", "/api/v1/namespaces/x")]).readerWrites).toHaveLength(1);
  });
});
