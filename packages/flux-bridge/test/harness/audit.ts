import { readFileSync } from "node:fs";

export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string };
  stage: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

const READ_VERBS = new Set(["get", "list", "watch"]);

export function readAudit(file: string): AuditEvent[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.stage === "ResponseComplete");
}

/** A request that can change stored state: not a read, and not a dry run. */
export function isWrite(e: AuditEvent): boolean {
  if (READ_VERBS.has(e.verb)) return false;
  return !/[?&]dryRun=All(&|$)/.test(e.requestURI);
}

export interface AuditSummary {
  readerRequests: number;
  readerDryRuns: number;
  readerWrites: AuditEvent[];
  writerWrites: number;
  writerWritesWithoutHomeopsManager: AuditEvent[];
}

/** What the read-only user ("reader", every homeops read-only command) and the write user did. */
export function summarizeAudit(events: AuditEvent[]): AuditSummary {
  const reader = events.filter((e) => e.user.username === "reader");
  const writer = events.filter((e) => e.user.username === "writer" && isWrite(e));
  return {
    readerRequests: reader.length,
    readerDryRuns: reader.filter((e) => !READ_VERBS.has(e.verb) && !isWrite(e)).length,
    readerWrites: reader.filter(isWrite),
    writerWrites: writer.length,
    writerWritesWithoutHomeopsManager: writer.filter(
      (e) => !/[?&]fieldManager=homeops(&|$)/.test(e.requestURI),
    ),
  };
}
