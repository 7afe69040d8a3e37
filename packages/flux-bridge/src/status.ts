import { UserError } from "@homeops/core";
import type { ClusterClient } from "./cluster-client.js";
import { EXTERNAL_SECRET, type FluxKind, kindsOf, type StatusScope } from "./flux-kinds.js";
import { condition, type KubeObject, str } from "./internal/objects.js";

/** Readiness of one object as `flux get` shows it. */
export type ReadyState = "ready" | "not-ready" | "reconciling" | "stalled" | "suspended" | "unknown";

export interface StatusRow {
  kind: string;
  name: string;
  namespace: string;
  /** applied revision (Kustomization), chart version (HelmRelease), artifact revision (sources) */
  revision: string;
  suspended: boolean;
  /** the Ready condition's status: `True`, `False`, `Unknown` (absent: `Unknown`) */
  ready: string;
  state: ReadyState;
  /** the Ready condition's reason */
  reason: string;
  message: string;
}

export interface StatusOptions {
  /** Which kinds. Default `all`. */
  scope?: StatusScope;
  /** Only this namespace. Default: all namespaces. */
  namespace?: string;
  /** `<condition>=<status>` like flux's `--status-selector`, e.g. `ready=false`. */
  statusSelector?: string;
}

export interface StatusReport {
  rows: StatusRow[];
  /** Kinds the cluster does not serve that `all` skipped (e.g. ExternalSecret without ESO). */
  notServed: string[];
}

/** Lists Flux objects (and ExternalSecrets) with their readiness, sorted by kind, namespace, name. */
export async function getFluxStatus(
  client: ClusterClient,
  options: StatusOptions = {},
): Promise<StatusReport> {
  const scope = options.scope ?? "all";
  const selector = options.statusSelector ? parseStatusSelector(options.statusSelector) : undefined;
  const rows: StatusRow[] = [];
  const notServed: string[] = [];
  for (const kind of kindsOf(scope)) {
    // in `all`, optional kinds the cluster lacks are noted; the Flux core kinds and explicit scopes must exist
    if (scope === "all" && isOptional(kind) && !(await client.serves(kind.apiVersion, kind.kind))) {
      notServed.push(`${kind.kind} (${kind.apiVersion})`);
      continue;
    }
    const objects = await client.list(kind.apiVersion, kind.kind, {
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
    for (const object of objects) {
      if (selector && !matchesSelector(object, selector)) continue;
      rows.push(statusRow(object));
    }
  }
  rows.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
  return { rows, notServed };
}

export interface WatchStatusOptions extends StatusOptions {
  /** Give up after this many milliseconds. Default 300000. */
  timeoutMs?: number;
  /** Time between refreshes. Default 2000. */
  intervalMs?: number;
  /** Called with each refresh (the CLI prints progress on stderr). */
  onUpdate?: (report: StatusReport) => void;
}

export interface WatchStatusResult extends StatusReport {
  /** every row that is not suspended is Ready */
  allReady: boolean;
  timedOut: boolean;
}

/** Refreshes the status until every (not suspended) row is Ready, or the timeout. */
export async function watchFluxStatus(
  client: ClusterClient,
  options: WatchStatusOptions = {},
): Promise<WatchStatusResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const interval = options.intervalMs ?? 2000;
  for (;;) {
    const report = await getFluxStatus(client, options);
    options.onUpdate?.(report);
    const allReady = report.rows.every((r) => r.suspended || r.state === "ready");
    if (allReady) return { ...report, allReady, timedOut: false };
    if (Date.now() + interval > deadline) return { ...report, allReady, timedOut: true };
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** One row from a live object. */
export function statusRow(object: KubeObject): StatusRow {
  const ready = condition(object, "Ready");
  const stalled = condition(object, "Stalled");
  const reconciling = condition(object, "Reconciling");
  const suspended = object.spec?.suspend === true;
  const generation = object.metadata?.generation;
  const observed = object.status?.observedGeneration;
  let state: ReadyState;
  if (suspended) state = "suspended";
  else if (stalled?.status === "True") state = "stalled";
  else if (
    ready?.status === "True" &&
    (typeof observed !== "number" || observed === generation || observed < 0)
  ) {
    state = "ready";
  } else if (ready?.status === "True" || reconciling?.status === "True" || ready?.status === "Unknown") {
    state = "reconciling";
  } else if (ready?.status === "False") state = "not-ready";
  else state = "unknown";
  return {
    kind: object.kind,
    name: object.metadata?.name ?? "",
    namespace: object.metadata?.namespace ?? "",
    revision: revisionOf(object),
    suspended,
    ready: ready?.status ?? "Unknown",
    state,
    reason: (stalled?.status === "True" ? stalled.reason : ready?.reason) ?? "",
    message: (stalled?.status === "True" ? stalled.message : ready?.message) ?? "",
  };
}

function revisionOf(object: KubeObject): string {
  const s = object.status ?? {};
  if (object.kind === "HelmRelease") {
    const history = Array.isArray(s.history) ? (s.history as Record<string, unknown>[]) : [];
    return str(history[0]?.chartVersion) ?? str(s.lastAttemptedRevision) ?? "";
  }
  if (object.kind === "ExternalSecret") return str(s.syncedResourceVersion) ?? "";
  const artifact = s.artifact as Record<string, unknown> | undefined;
  return str(s.lastAppliedRevision) ?? str(artifact?.revision) ?? "";
}

function isOptional(kind: FluxKind): boolean {
  return kind === EXTERNAL_SECRET;
}

function parseStatusSelector(selector: string): { type: string; status: string } {
  const match = /^\s*([A-Za-z]+)\s*=\s*([A-Za-z]+)\s*$/.exec(selector);
  if (!match) {
    throw new UserError("USAGE", `invalid --status-selector "${selector}"`, {
      hint: "use <condition>=<status>, e.g. ready=false or stalled=true",
    });
  }
  return { type: (match[1] ?? "").toLowerCase(), status: (match[2] ?? "").toLowerCase() };
}

function matchesSelector(object: KubeObject, selector: { type: string; status: string }): boolean {
  const conditions = (object.status?.conditions ?? []) as { type: string; status: string }[];
  const c = conditions.find((x) => x.type.toLowerCase() === selector.type);
  return (c?.status ?? "unknown").toLowerCase() === selector.status;
}
