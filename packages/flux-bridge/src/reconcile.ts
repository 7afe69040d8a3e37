import { UserError } from "@homeops/core";
import type { ClusterClient } from "./cluster-client.js";
import { FLUX, HELM_RELEASE, HOMEOPS_FIELD_MANAGER, KUSTOMIZATION } from "./flux-kinds.js";
import { condition, isObj, type KubeObject, str } from "./internal/objects.js";

export type ReconcileKind = "ks" | "hr";

export interface WaitOptions {
  /** Give up waiting after this many milliseconds. Default 300000. */
  timeoutMs?: number;
  /** Time between polls. Default 1000. */
  intervalMs?: number;
  /** Progress messages (the CLI prints them on stderr). */
  onProgress?: (message: string) => void;
  /** The time stamp written into the annotations. Default: now (RFC 3339). */
  now?: () => Date;
}

export interface ReconcileOptions extends WaitOptions {
  /** Reconcile the object's source first (and wait for it). */
  withSource?: boolean;
  /** HelmRelease only: also set `reconcile.fluxcd.io/forceAt` (one-off forced upgrade). */
  force?: boolean;
}

export interface ReconcileResult {
  kind: string;
  name: string;
  namespace: string;
  /** Ready=True after the controller handled the request */
  ready: boolean;
  /** the Ready condition's reason and message once handled */
  reason: string;
  message: string;
  revision: string;
  /** sources reconciled first (`Kind namespace/name`) */
  sources: string[];
}

/** Asks Flux to reconcile a Kustomization or HelmRelease now (annotation), then waits until it is handled. */
export async function reconcileFluxObject(
  client: ClusterClient,
  kind: ReconcileKind,
  name: string,
  namespace: string,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const type = kind === "ks" ? KUSTOMIZATION : HELM_RELEASE;
  const object = await mustGet(client, type.apiVersion, type.kind, name, namespace);
  if (object.spec?.suspend === true) {
    throw new UserError("USAGE", `${type.kind} ${namespace}/${name} is suspended: nothing was requested`, {
      hint: `resume it first: homeops flux resume ${kind} ${name} -n ${namespace}`,
    });
  }
  const sources: string[] = [];
  if (options.withSource) {
    for (const source of sourcesOf(object, namespace)) {
      const live = await mustGet(client, source.apiVersion, source.kind, source.name, source.namespace);
      if (live.spec?.suspend === true) {
        throw new UserError("USAGE", `${source.kind} ${source.namespace}/${source.name} is suspended`, {
          hint: "resume the source, or reconcile without --with-source",
        });
      }
      options.onProgress?.(`reconciling ${source.kind} ${source.namespace}/${source.name}`);
      const token = await requestReconcile(client, live, false, options);
      const handled = await waitHandled(client, live, token, options);
      if (condition(handled, "Ready")?.status !== "True") {
        const c = condition(handled, "Ready");
        throw new UserError(
          "CLUSTER_ERROR",
          `${source.kind} ${source.namespace}/${source.name} is not Ready: ${c?.message ?? "no message"}`,
          {
            hint: `\`homeops flux doctor\` explains why; nothing more was requested`,
          },
        );
      }
      sources.push(`${source.kind} ${source.namespace}/${source.name}`);
    }
  }
  options.onProgress?.(`reconciling ${type.kind} ${namespace}/${name}`);
  const token = await requestReconcile(client, object, kind === "hr" && options.force === true, options);
  const handled = await waitHandled(client, object, token, options);
  const ready = condition(handled, "Ready");
  return {
    kind: type.kind,
    name,
    namespace,
    ready: ready?.status === "True",
    reason: ready?.reason ?? "",
    message: ready?.message ?? "",
    revision: str(handled.status?.lastAppliedRevision) ?? str(handled.status?.lastAttemptedRevision) ?? "",
    sources,
  };
}

export interface SuspendResult {
  kind: string;
  name: string;
  namespace: string;
  /** false when the object already had the requested `spec.suspend` */
  changed: boolean;
  /** resume only: the Ready condition after the controller handled the resume */
  ready?: boolean;
  message?: string;
}

/** Sets `spec.suspend: true` (merge patch, field manager `homeops`). */
export async function suspendFluxObject(
  client: ClusterClient,
  kind: ReconcileKind,
  name: string,
  namespace: string,
): Promise<SuspendResult> {
  const type = kind === "ks" ? KUSTOMIZATION : HELM_RELEASE;
  const object = await mustGet(client, type.apiVersion, type.kind, name, namespace);
  if (object.spec?.suspend === true) return { kind: type.kind, name, namespace, changed: false };
  await client.mergePatch(
    { apiVersion: type.apiVersion, kind: type.kind, name, namespace },
    { spec: { suspend: true } },
    { fieldManager: HOMEOPS_FIELD_MANAGER },
  );
  return { kind: type.kind, name, namespace, changed: true };
}

/** Sets `spec.suspend: false`, requests a reconcile and waits until it is handled and Ready is decided. */
export async function resumeFluxObject(
  client: ClusterClient,
  kind: ReconcileKind,
  name: string,
  namespace: string,
  options: WaitOptions = {},
): Promise<SuspendResult> {
  const type = kind === "ks" ? KUSTOMIZATION : HELM_RELEASE;
  const object = await mustGet(client, type.apiVersion, type.kind, name, namespace);
  const changed = object.spec?.suspend === true;
  const token = timestamp(options);
  const patched = await client.mergePatch(
    { apiVersion: type.apiVersion, kind: type.kind, name, namespace },
    { metadata: { annotations: { [FLUX.requestedAt]: token } }, spec: { suspend: false } },
    { fieldManager: HOMEOPS_FIELD_MANAGER },
  );
  options.onProgress?.(`resumed ${type.kind} ${namespace}/${name}; waiting for the controller`);
  const handled = await waitHandled(client, patched, token, options);
  const ready = condition(handled, "Ready");
  return {
    kind: type.kind,
    name,
    namespace,
    changed,
    ready: ready?.status === "True",
    message: ready?.message ?? "",
  };
}

// ------------------------------------------------------------------------------------------------ internals

async function mustGet(
  client: ClusterClient,
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string,
): Promise<KubeObject> {
  const object = await client.get(apiVersion, kind, name, namespace);
  if (!object) {
    throw new UserError("CLUSTER_NOT_FOUND", `${kind} ${namespace}/${name} does not exist in the cluster`, {
      hint: `list them with \`homeops flux status\``,
    });
  }
  return object;
}

function timestamp(options: WaitOptions): string {
  return (options.now?.() ?? new Date()).toISOString();
}

async function requestReconcile(
  client: ClusterClient,
  object: KubeObject,
  force: boolean,
  options: WaitOptions,
): Promise<string> {
  const token = timestamp(options);
  const annotations: Record<string, string> = { [FLUX.requestedAt]: token };
  if (force) annotations[FLUX.forceAt] = token;
  await client.mergePatch(
    {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata?.name ?? "",
      namespace: object.metadata?.namespace ?? "",
    },
    { metadata: { annotations } },
    { fieldManager: HOMEOPS_FIELD_MANAGER },
  );
  return token;
}

/** Polls until `status.lastHandledReconcileAt` is `token` and the Ready condition is decided for the current generation. */
async function waitHandled(
  client: ClusterClient,
  object: KubeObject,
  token: string,
  options: WaitOptions,
): Promise<KubeObject> {
  const name = object.metadata?.name ?? "";
  const namespace = object.metadata?.namespace ?? "";
  const timeoutMs = options.timeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  let last: KubeObject | undefined;
  for (;;) {
    last = await client.get(object.apiVersion, object.kind, name, namespace);
    if (!last)
      throw new UserError(
        "CLUSTER_NOT_FOUND",
        `${object.kind} ${namespace}/${name} was deleted while waiting`,
      );
    const handled = last.status?.lastHandledReconcileAt === token;
    const ready = condition(last, "Ready");
    const current = last.status?.observedGeneration === last.metadata?.generation;
    if (handled && current && ready && ready.status !== "Unknown") return last;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
  const handledAt = str(last.status?.lastHandledReconcileAt);
  throw new UserError(
    "CLUSTER_TIMEOUT",
    `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${object.kind} ${namespace}/${name} to handle the reconcile request of ${token} (last handled: ${handledAt ?? "never"})`,
    {
      hint: `is ${object.kind === "HelmRelease" ? "helm" : object.kind === "Kustomization" ? "kustomize" : "source"}-controller running? (\`kubectl -n flux-system get pods\`); the request stays in place and the controller handles it when it runs`,
    },
  );
}

interface SourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** The source a Kustomization or HelmRelease reads (HelmRelease with `chart.spec`: its HelmChart). */
function sourcesOf(object: KubeObject, namespace: string): SourceRef[] {
  const spec = object.spec ?? {};
  const ref = (r: unknown): SourceRef | undefined => {
    if (!isObj(r) || typeof r.kind !== "string" || typeof r.name !== "string") return undefined;
    return {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: r.kind,
      name: r.name,
      namespace: str(r.namespace) ?? namespace,
    };
  };
  if (object.kind === "Kustomization") {
    const s = ref(spec.sourceRef);
    return s ? [s] : [];
  }
  const chartRef = ref(spec.chartRef);
  if (chartRef) return [chartRef];
  const chart = isObj(spec.chart) && isObj(spec.chart.spec) ? spec.chart.spec : undefined;
  if (chart) {
    const source = ref(chart.sourceRef);
    const chartNamespace = source?.namespace ?? namespace;
    // helm-controller names the HelmChart `<namespace>-<name>` in the source's namespace
    return [
      ...(source ? [source] : []),
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "HelmChart",
        name: `${namespace}-${object.metadata?.name ?? ""}`,
        namespace: chartNamespace,
      },
    ];
  }
  return [];
}
