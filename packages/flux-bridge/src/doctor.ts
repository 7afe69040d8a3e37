import type { Finding } from "@homeops/core";
import { sortFindings } from "@homeops/core";
import type { BuiltObject, FluxKustomizationNode, RepoGraph } from "@homeops/manifests";
import type { ClusterClient } from "./cluster-client.js";
import { EXTERNAL_SECRET, HELM_RELEASE, KUSTOMIZATION } from "./flux-kinds.js";
import { condition, isObj, type KubeObject, refString, str } from "./internal/objects.js";
import { statusRow } from "./status.js";

export interface DoctorOptions {
  /** Only Kustomizations/HelmReleases in this namespace. Default: all namespaces. */
  namespace?: string;
}

export interface DoctorReport {
  /** Objects examined because they were not Ready (`Kind namespace/name`). */
  examined: string[];
  findings: Finding[];
}

interface Where {
  file?: string;
  line?: number;
}

/**
 * Explains every Kustomization and HelmRelease that is not Ready, from the cluster and the repository:
 * dependsOn chains, sources, substituteFrom objects, ExternalSecrets, PVCs, Helm failures, suspension.
 * Read-only. Each finding names the repository file:line that declares the object.
 */
export async function doctorFlux(
  client: ClusterClient,
  graph: RepoGraph,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const ns = options.namespace ? { namespace: options.namespace } : {};
  const kustomizations = await client.list(KUSTOMIZATION.apiVersion, KUSTOMIZATION.kind, ns);
  const helmReleases = await client.list(HELM_RELEASE.apiVersion, HELM_RELEASE.kind, ns);
  const esServed = await client.serves(EXTERNAL_SECRET.apiVersion, EXTERNAL_SECRET.kind);
  const live = new Map<string, KubeObject>();
  for (const o of [...kustomizations, ...helmReleases])
    live.set(key(o.kind, o.metadata?.namespace, o.metadata?.name), o);

  const findings: Finding[] = [];
  const examined: string[] = [];
  const ctx: Ctx = { client, graph, live, findings, esServed, cache: new Map() };
  for (const object of [...kustomizations, ...helmReleases]) {
    const row = statusRow(object);
    if (row.state === "ready") continue;
    examined.push(`${object.kind} ${refString(row.name, row.namespace)}`);
    await explain(ctx, object);
  }
  return { examined, findings: dedupe(sortFindings(findings)) };
}

interface Ctx {
  client: ClusterClient;
  graph: RepoGraph;
  live: Map<string, KubeObject>;
  findings: Finding[];
  esServed: boolean;
  cache: Map<string, Promise<KubeObject | undefined>>;
}

function key(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? ""}/${name ?? ""}`;
}

async function explain(ctx: Ctx, object: KubeObject): Promise<void> {
  const name = object.metadata?.name ?? "";
  const namespace = object.metadata?.namespace ?? "";
  const label = `${object.kind} ${namespace}/${name}`;
  const where = declaredAt(ctx.graph, object.kind, namespace, name);
  const row = statusRow(object);
  const before = ctx.findings.length;
  const add = (f: Omit<Finding, "file" | "line"> & Where) =>
    ctx.findings.push({
      ...where,
      ...f,
      message: `${label}: ${f.message}${where.file ? "" : " (not declared in the repository)"}`,
    });

  if (row.suspended) {
    add({
      ruleId: "doctor/suspended",
      severity: "warning",
      message: "is suspended: Flux does not reconcile it",
      hint: `resume it with \`homeops flux resume ${object.kind === "HelmRelease" ? "hr" : "ks"} ${name} -n ${namespace}\``,
    });
    return;
  }

  // dependsOn: walk the chain to the first object that is not Ready for a reason of its own
  for (const dep of dependsOnOf(object, namespace)) {
    const chain = [label];
    const blocker = blockingChain(ctx, object.kind, dep, chain, new Set([key(object.kind, namespace, name)]));
    if (!blocker) continue;
    const blockerRow = blocker.object ? statusRow(blocker.object) : undefined;
    const why = blocker.object
      ? `${blockerRow?.state}${blockerRow?.message ? `: ${blockerRow.message}` : ""}`
      : "does not exist in the cluster";
    add({
      ruleId: "doctor/depends-on-not-ready",
      severity: "error",
      message: `blocked by its dependsOn chain ${blocker.chain.join(" → ")}; ${blocker.chain.at(-1)} ${why}`,
      hint: `fix ${blocker.chain.at(-1)} first${blocker.where.file ? ` (declared at ${blocker.where.file}:${blocker.where.line})` : ""}; \`homeops flux doctor\` explains it below`,
    });
  }

  // source
  const source = sourceOf(object, namespace);
  if (source) {
    const liveSource = await getCached(
      ctx,
      "source.toolkit.fluxcd.io/v1",
      source.kind,
      source.name,
      source.namespace,
    );
    const sourceLabel = `${source.kind} ${source.namespace}/${source.name}`;
    if (!liveSource) {
      add({
        ruleId: "doctor/source-missing",
        severity: "error",
        message: `its source ${sourceLabel} does not exist in the cluster`,
        hint: "check the sourceRef, or the Kustomization that should create the source",
      });
    } else {
      const s = statusRow(liveSource);
      if (s.state !== "ready") {
        add({
          ruleId: "doctor/source-not-ready",
          severity: "error",
          message: `its source ${sourceLabel} is ${s.state}${s.message ? `: ${s.message}` : ""}`,
          hint: `reconcile the source (\`homeops flux reconcile ks ${name} -n ${namespace} --with-source\`) once its URL/credentials are fixed`,
        });
      }
    }
  }

  if (object.kind === "Kustomization") await explainKustomization(ctx, object, add);
  else await explainHelmRelease(ctx, object, add);

  if (ctx.findings.length === before) {
    add({
      ruleId: "doctor/not-ready",
      severity: "error",
      message: `is ${row.state}${row.reason ? ` (${row.reason})` : ""}${row.message ? `: ${row.message}` : ""}`,
      hint: "no cause found in the repository or the cluster objects it uses; read the controller's events (`kubectl events -n flux-system`)",
    });
  }
}

type Add = (f: Omit<Finding, "file" | "line"> & Where) => void;

async function explainKustomization(ctx: Ctx, object: KubeObject, add: Add): Promise<void> {
  const name = object.metadata?.name ?? "";
  const namespace = object.metadata?.namespace ?? "";
  const spec = object.spec ?? {};
  const postBuild = isObj(spec.postBuild) ? spec.postBuild : {};
  for (const ref of Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []) {
    if (!isObj(ref) || ref.optional === true) continue;
    const kind = str(ref.kind);
    const refName = str(ref.name);
    if ((kind !== "ConfigMap" && kind !== "Secret") || !refName) continue;
    if (await getCached(ctx, "v1", kind, refName, namespace)) continue;
    const declared = findObject(ctx.graph, kind, namespace, refName);
    const producer = kind === "Secret" ? externalSecretFor(ctx.graph, namespace, refName) : undefined;
    add({
      ruleId: "doctor/substitute-source-missing",
      severity: "error",
      message: `postBuild.substituteFrom ${kind} ${namespace}/${refName} does not exist in the cluster`,
      hint: producer
        ? `it should be produced by ExternalSecret ${namespace}/${producer.name} (${producer.provenance.file}:${producer.provenance.line}); check that ExternalSecret's status`
        : declared
          ? `the repository declares it at ${declared.provenance.file}:${declared.provenance.line}: reconcile the Kustomization that applies it`
          : `the repository never declares it: create the ${kind} (for a Secret: a SOPS file or an ExternalSecret) or mark the reference \`optional: true\``,
    });
  }
  // what this Kustomization applies: from the repository build (the cluster's inventory may be empty when it never applied)
  const node = findKustomization(ctx.graph, namespace, name);
  const objects = node?.objects ?? [];
  await explainObjects(ctx, objects, add);
}

async function explainHelmRelease(ctx: Ctx, object: KubeObject, add: Add): Promise<void> {
  const released = condition(object, "Released");
  const ready = condition(object, "Ready");
  const failure = [ready, released].find(
    (c) =>
      c &&
      c.status === "False" &&
      /(Install|Upgrade|Test|Rollback|Uninstall)Failed|RetriesExceeded/.test(c.reason ?? ""),
  );
  if (failure) {
    const history = Array.isArray(object.status?.history)
      ? (object.status?.history as Record<string, unknown>[])
      : [];
    const last = history[0];
    add({
      ruleId: "doctor/helm-release-failed",
      severity: "error",
      message: `Helm ${String(failure.reason)
        .replace(/Failed$/, "")
        .toLowerCase()} failed: ${failure.message ?? ""}${last ? ` (last release: ${str(last.chartName) ?? ""} ${str(last.chartVersion) ?? ""}, ${str(last.status) ?? ""})` : ""}`,
      hint: "fix the values or chart version in the repository; after a fix helm-controller retries (or `homeops flux reconcile hr … --force`)",
    });
  }
  // claims and secrets the release's values name
  const name = object.metadata?.name ?? "";
  const namespace = object.metadata?.namespace ?? "";
  const declared = ctx.graph.helmReleases.find((h) => h.name === name && h.namespace === namespace);
  if (declared) {
    const targetNs = str(object.spec?.targetNamespace) ?? namespace;
    await explainClaims(ctx, claimsInValues(declared.object), targetNs, add);
  }
}

/** ExternalSecrets and PVCs among a Kustomization's objects. */
async function explainObjects(ctx: Ctx, objects: readonly BuiltObject[], add: Add): Promise<void> {
  const claims: Claim[] = [];
  for (const o of objects) {
    if (o.kind === "ExternalSecret" && ctx.esServed) {
      const live = await getCached(
        ctx,
        EXTERNAL_SECRET.apiVersion,
        "ExternalSecret",
        o.name,
        o.namespace ?? "",
      );
      const ready = condition(live, "Ready");
      const esSpec = isObj(o.object.spec) ? o.object.spec : {};
      const target = (isObj(esSpec.target) ? str(esSpec.target.name) : undefined) ?? o.name;
      if (!live) {
        add({
          ruleId: "doctor/external-secret-missing",
          severity: "error",
          file: o.provenance.file,
          line: o.provenance.line,
          message: `ExternalSecret ${o.namespace}/${o.name} is not in the cluster (it should produce Secret ${o.namespace}/${target})`,
          hint: "the Kustomization has not applied it yet; see its own status",
        });
      } else if (ready?.status !== "True") {
        const secret = await getCached(ctx, "v1", "Secret", target, o.namespace ?? "");
        add({
          ruleId: "doctor/external-secret-not-synced",
          severity: "error",
          file: o.provenance.file,
          line: o.provenance.line,
          message: `ExternalSecret ${o.namespace}/${o.name} is not synced (${ready?.reason ?? "no Ready condition"}${ready?.message ? `: ${ready.message}` : ""}); Secret ${o.namespace}/${target} ${secret ? "exists but may be stale" : "does not exist"}`,
          hint: "check the secret store and the remote key (`spec.dataFrom`/`spec.data`) in the password manager",
        });
      }
    }
    if (o.kind === "PersistentVolumeClaim")
      claims.push({ name: o.name, namespace: o.namespace ?? "", usedAt: o });
    claims.push(...claimsInPodSpec(o));
  }
  await explainClaims(ctx, claims, undefined, add);
}

interface Claim {
  name: string;
  namespace: string;
  /** the object whose file:line uses (or declares) the claim */
  usedAt: BuiltObject;
  path?: (string | number)[];
}

/** PVCs that are Pending or missing, and whether the repository declares them. */
async function explainClaims(
  ctx: Ctx,
  claims: readonly Claim[],
  namespace: string | undefined,
  add: Add,
): Promise<void> {
  const seen = new Set<string>();
  for (const claim of claims) {
    const ns = namespace ?? claim.namespace;
    const k = `${ns}/${claim.name}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const live = await getCached(ctx, "v1", "PersistentVolumeClaim", claim.name, ns);
    const declared = findObject(ctx.graph, "PersistentVolumeClaim", ns, claim.name);
    const at = claim.path ? claim.usedAt.locate(claim.path) : claim.usedAt.provenance;
    if (!live) {
      add({
        ruleId: "doctor/pvc-missing",
        severity: "error",
        file: at.file,
        line: at.line,
        message: `PersistentVolumeClaim ${k} does not exist in the cluster`,
        hint: declared
          ? `the repository declares it at ${declared.provenance.file}:${declared.provenance.line}; its Kustomization has not applied it`
          : "the repository never declares it: add the PVC (e.g. the volsync component with APP set) or fix the claim name",
      });
    } else if (str(live.status?.phase) === "Pending") {
      add(pendingFinding(k, live, declared, at));
    }
  }
}

function pendingFinding(
  ref: string,
  pvc: KubeObject,
  declared: BuiltObject | undefined,
  usedAt: { file: string; line: number } | undefined,
): Omit<Finding, "file" | "line"> & Where {
  const storageClass = str(pvc.spec?.storageClassName);
  const at = declared?.provenance ?? usedAt;
  return {
    ruleId: "doctor/pvc-pending",
    severity: "error",
    ...(at ? { file: at.file, line: at.line } : {}),
    message: `PersistentVolumeClaim ${ref} is Pending${storageClass ? ` (storageClassName ${storageClass})` : ""}; ${declared ? `declared at ${declared.provenance.file}:${declared.provenance.line}` : "the repository never declares it"}`,
    hint: declared
      ? "check the storage class and its provisioner (`kubectl describe pvc`)"
      : "a PVC nobody declares was created by hand or by a chart: declare it in the repository (volsync component) or delete it",
  };
}

// ------------------------------------------------------------------------------------------------ helpers

function blockingChain(
  ctx: Ctx,
  kind: string,
  dep: { name: string; namespace: string },
  chain: string[],
  visited: Set<string>,
): { chain: string[]; object?: KubeObject; where: Where } | undefined {
  const k = key(kind, dep.namespace, dep.name);
  const label = `${kind} ${dep.namespace}/${dep.name}`;
  const object = ctx.live.get(k);
  const next = [...chain, label];
  const where = declaredAt(ctx.graph, kind, dep.namespace, dep.name);
  if (!object) return { chain: next, where };
  const row = statusRow(object);
  if (row.state === "ready") return undefined;
  if (visited.has(k)) return { chain: next, object, where };
  visited.add(k);
  // descend while the dependency is itself blocked by a dependency
  for (const d of dependsOnOf(object, dep.namespace)) {
    const deeper = blockingChain(ctx, kind, d, next, visited);
    if (deeper) return deeper;
  }
  return { chain: next, object, where };
}

function dependsOnOf(object: KubeObject, namespace: string): { name: string; namespace: string }[] {
  const raw = object.spec?.dependsOn;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(isObj)
    .map((d) => ({ name: str(d.name) ?? "", namespace: str(d.namespace) ?? namespace }))
    .filter((d) => d.name);
}

function sourceOf(
  object: KubeObject,
  namespace: string,
): { kind: string; name: string; namespace: string } | undefined {
  const spec = object.spec ?? {};
  const ref =
    object.kind === "Kustomization"
      ? spec.sourceRef
      : (spec.chartRef ??
        (isObj(spec.chart) && isObj(spec.chart.spec) ? spec.chart.spec.sourceRef : undefined));
  if (!isObj(ref) || !str(ref.kind) || !str(ref.name)) return undefined;
  return { kind: str(ref.kind) ?? "", name: str(ref.name) ?? "", namespace: str(ref.namespace) ?? namespace };
}

function declaredAt(graph: RepoGraph, kind: string, namespace: string, name: string): Where {
  if (kind === "Kustomization") {
    const node = findKustomization(graph, namespace, name);
    return node ? { file: node.file, line: node.line } : {};
  }
  const hr = graph.helmReleases.find((h) => h.name === name && h.namespace === namespace);
  return hr ? { file: hr.object.provenance.file, line: hr.object.provenance.line } : {};
}

function findKustomization(
  graph: RepoGraph,
  namespace: string,
  name: string,
): FluxKustomizationNode | undefined {
  return graph.kustomizations.find((k) => k.name === name && k.namespace === namespace);
}

function findObject(
  graph: RepoGraph,
  kind: string,
  namespace: string,
  name: string,
): BuiltObject | undefined {
  return graph.objects.find((o) => o.kind === kind && o.name === name && (o.namespace ?? "") === namespace);
}

function externalSecretFor(graph: RepoGraph, namespace: string, secret: string): BuiltObject | undefined {
  return graph.objects.find((o) => {
    if (o.kind !== "ExternalSecret" || (o.namespace ?? "") !== namespace) return false;
    const target =
      isObj(o.object.spec) && isObj(o.object.spec.target) ? str(o.object.spec.target.name) : undefined;
    return (target ?? o.name) === secret;
  });
}

/** `persistentVolumeClaim.claimName` in a workload's pod template. */
function claimsInPodSpec(o: BuiltObject): Claim[] {
  const spec = isObj(o.object.spec) ? o.object.spec : undefined;
  const template = spec && isObj(spec.template) ? spec.template : undefined;
  const podSpec = template && isObj(template.spec) ? template.spec : undefined;
  const volumes = podSpec && Array.isArray(podSpec.volumes) ? podSpec.volumes : [];
  const out: Claim[] = [];
  volumes.forEach((v, i) => {
    if (isObj(v) && isObj(v.persistentVolumeClaim) && str(v.persistentVolumeClaim.claimName)) {
      out.push({
        name: str(v.persistentVolumeClaim.claimName) ?? "",
        namespace: o.namespace ?? "",
        usedAt: o,
        path: ["spec", "template", "spec", "volumes", i, "persistentVolumeClaim", "claimName"],
      });
    }
  });
  return out;
}

/** `existingClaim` anywhere in a HelmRelease's values (app-template `persistence.<key>.existingClaim`). */
function claimsInValues(hr: BuiltObject): Claim[] {
  const out: Claim[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, [...path, i]);
    } else if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === "existingClaim" && typeof v === "string" && v) {
          out.push({ name: v, namespace: hr.namespace ?? "", usedAt: hr, path: [...path, k] });
        } else walk(v, [...path, k]);
      }
    }
  };
  const spec = isObj(hr.object.spec) ? hr.object.spec : {};
  walk(spec.values, ["spec", "values"]);
  return out;
}

function getCached(ctx: Ctx, apiVersion: string, kind: string, name: string, namespace: string) {
  const k = `${apiVersion}/${key(kind, namespace, name)}`;
  let p = ctx.cache.get(k);
  if (!p) {
    p = ctx.client.get(apiVersion, kind, name, namespace);
    ctx.cache.set(k, p);
  }
  return p;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}\0${f.file}\0${f.line}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
