import * as http from "node:http";
import * as https from "node:https";
import { apiGroup, type Logger, noopLogger, UserError } from "@homeops/core";
import type { KubeConfig } from "@kubernetes/client-node";
import { describeNetworkError, isTransientStatus, transientNetworkError } from "./internal/net-errors.js";
import type { KubeObject } from "./internal/objects.js";

/** How a request is described in error messages: the RBAC verb and the resource it touches. */
export interface RequestTarget {
  verb: "get" | "list" | "watch" | "create" | "patch" | "update" | "delete";
  /** `kustomizations.kustomize.toolkit.fluxcd.io`, `namespaces`, `kustomize.toolkit.fluxcd.io/v1` (discovery) */
  resource: string;
  namespace?: string;
  name?: string;
}

export interface ClusterClientOptions {
  /** Per-request timeout in milliseconds. Default 15000. */
  requestTimeoutMs?: number;
  /** Retries of a request that failed transiently (connection refused, 429, 5xx, timeout). Default 3. */
  retries?: number;
  /** First retry delay in milliseconds; doubles each retry. Default 200. */
  retryDelayMs?: number;
  /** Progress/debug messages (never credentials). Default: no-op. */
  logger?: Logger;
  /** Sent as `User-Agent`. Default `homeops`. */
  userAgent?: string;
}

/** What the API server says about a kind: its resource name and whether it is namespaced. */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  /** plural resource name, e.g. `kustomizations` */
  plural: string;
  namespaced: boolean;
  /** `kustomizations.kustomize.toolkit.fluxcd.io` (core kinds: the plural alone) */
  qualified: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ApplyOptions {
  /** SSA field manager. */
  fieldManager: string;
  /** `All`: the server computes the result and stores nothing. */
  dryRun?: boolean;
  /** Take over fields owned by other managers (SSA `force=true`). Default true, like kustomize-controller. */
  force?: boolean;
}

interface RawRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  target: RequestTarget;
  /** Answer 404 with `undefined` instead of an error. */
  allowNotFound?: boolean;
}

interface RawResponse {
  status: number;
  body: unknown;
}

const DEFAULTS = { requestTimeoutMs: 15_000, retries: 3, retryDelayMs: 200, userAgent: "homeops" } as const;

/** Groups whose absence means "this controller is not installed", for the 404 hint. */
const PRODUCT_OF_GROUP: Record<string, string> = {
  "kustomize.toolkit.fluxcd.io": "Flux",
  "helm.toolkit.fluxcd.io": "Flux",
  "source.toolkit.fluxcd.io": "Flux",
  "notification.toolkit.fluxcd.io": "Flux",
  "external-secrets.io": "External Secrets Operator",
};

/**
 * A small REST client for one cluster. It uses `@kubernetes/client-node` for everything a kubeconfig
 * means (contexts, client certificates, tokens, exec plugins) and sends the requests itself, because the
 * generic object API of client-node 1.4 has no subresources (status) and its errors do not say which
 * verb on which resource was refused.
 */
export class ClusterClient {
  readonly server: string;
  readonly context: string;
  private readonly opts: Required<Omit<ClusterClientOptions, "logger">> & { logger: Logger };
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: ClusterClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) {
      throw new UserError("CONFIG_INVALID", "the kubeconfig has no cluster for its current context", {
        hint: "choose a context with --context, or check the kubeconfig's `contexts:`",
      });
    }
    this.server = cluster.server.replace(/\/+$/, "");
    this.context = kubeConfig.getCurrentContext();
    this.opts = {
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      retries: options.retries ?? DEFAULTS.retries,
      retryDelayMs: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
      userAgent: options.userAgent ?? DEFAULTS.userAgent,
      logger: options.logger ?? noopLogger,
    };
  }

  /** The resource of `apiVersion`/`kind`, from the server's discovery (cached per group-version). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let pending = this.discovery.get(apiVersion);
    if (!pending) {
      pending = this.discover(apiVersion);
      this.discovery.set(apiVersion, pending);
      pending.catch(() => this.discovery.delete(apiVersion));
    }
    const info = (await pending).get(kind);
    if (!info) {
      throw new UserError("CLUSTER_NOT_FOUND", `the cluster serves ${apiVersion} but not the kind ${kind}`, {
        hint: `is the CRD of ${kind} installed at this version? (\`kubectl api-resources --api-group=${apiGroup(apiVersion)}\`)`,
      });
    }
    return info;
  }

  /** Whether the cluster serves `apiVersion`/`kind` (false instead of a 404 error). */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      await this.resourceFor(apiVersion, kind);
      return true;
    } catch (error) {
      if (error instanceof UserError && error.code === "CLUSTER_NOT_FOUND") return false;
      throw error;
    }
  }

  async get(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<KubeObject | undefined> {
    const info = await this.resourceFor(apiVersion, kind);
    const response = await this.send({
      method: "GET",
      path: objectPath(info, namespace, name),
      target: target("get", info, namespace, name),
      allowNotFound: true,
    });
    return response.status === 404 ? undefined : (response.body as KubeObject);
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const info = await this.resourceFor(apiVersion, kind);
    const items: KubeObject[] = [];
    let continueToken: string | undefined;
    do {
      const response = await this.send({
        method: "GET",
        path: objectPath(info, options.namespace),
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: "500",
          continue: continueToken,
        },
        target: target("list", info, options.namespace),
      });
      const body = response.body as { items?: KubeObject[]; metadata?: { continue?: string } };
      for (const item of body.items ?? []) items.push({ ...item, apiVersion, kind });
      continueToken = body.metadata?.continue || undefined;
    } while (continueToken);
    return items;
  }

  /** JSON merge patch of an object (or its `status` subresource). */
  async mergePatch(
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
    patch: unknown,
    options: { fieldManager: string; subresource?: "status" },
  ): Promise<KubeObject> {
    const info = await this.resourceFor(ref.apiVersion, ref.kind);
    const response = await this.send({
      method: "PATCH",
      path: objectPath(info, ref.namespace, ref.name, options.subresource),
      query: { fieldManager: options.fieldManager },
      body: patch,
      contentType: "application/merge-patch+json",
      target: target("patch", info, ref.namespace, ref.name),
    });
    return response.body as KubeObject;
  }

  /** Server-side apply of a whole object (optionally a dry run that stores nothing). */
  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const info = await this.resourceFor(object.apiVersion, object.kind);
    const name = object.metadata?.name;
    if (!name) throw new UserError("USAGE", `cannot apply a ${object.kind} without metadata.name`);
    const namespace = info.namespaced ? object.metadata?.namespace : undefined;
    if (info.namespaced && !namespace) {
      throw new UserError(
        "USAGE",
        `cannot apply ${object.kind} ${name}: it is namespaced and has no namespace`,
      );
    }
    const response = await this.send({
      method: "PATCH",
      path: objectPath(info, namespace, name),
      query: {
        fieldManager: options.fieldManager,
        force: options.force === false ? undefined : "true",
        dryRun: options.dryRun ? "All" : undefined,
      },
      body: object,
      contentType: "application/apply-patch+yaml",
      target: target("patch", info, namespace, name),
    });
    return response.body as KubeObject;
  }

  /** Deletes an object; `false` when it was already gone. */
  async delete(ref: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
  }): Promise<boolean> {
    const info = await this.resourceFor(ref.apiVersion, ref.kind);
    const response = await this.send({
      method: "DELETE",
      path: objectPath(info, ref.namespace, ref.name),
      target: target("delete", info, ref.namespace, ref.name),
      allowNotFound: true,
    });
    return response.status !== 404;
  }

  private async discover(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const response = await this.send({
      method: "GET",
      path,
      target: { verb: "get", resource: `${apiVersion} (API discovery)` },
      allowNotFound: true,
    });
    if (response.status === 404) {
      const group = apiGroup(apiVersion);
      const product = PRODUCT_OF_GROUP[group];
      throw new UserError("CLUSTER_NOT_FOUND", `the cluster at ${this.server} does not serve ${apiVersion}`, {
        hint: product
          ? `${product} not installed? Its CRDs (${group}) are missing from the cluster: install ${product} (or its CRDs) first`
          : `install the CRDs of ${group}, or check the apiVersion`,
      });
    }
    const body = response.body as {
      resources?: { name: string; kind: string; namespaced: boolean }[];
    };
    const map = new Map<string, ResourceInfo>();
    const group = apiGroup(apiVersion);
    for (const r of body.resources ?? []) {
      if (r.name.includes("/")) continue; // subresources
      map.set(r.kind, {
        apiVersion,
        kind: r.kind,
        plural: r.name,
        namespaced: r.namespaced,
        qualified: group ? `${r.name}.${group}` : r.name,
      });
    }
    return map;
  }

  /** Sends a request with bounded retries for transient failures; every failure is a UserError. */
  private async send(request: RawRequest): Promise<RawResponse> {
    const safe = request.method === "GET" || request.query?.dryRun === "All";
    let delay = this.opts.retryDelayMs;
    for (let attempt = 0; ; attempt++) {
      let response: RawResponse;
      try {
        response = await this.once(request);
      } catch (error) {
        // a refused connection never reached the server: retrying a write is as safe as a read
        const transient = transientNetworkError(error);
        if (!transient || attempt >= this.opts.retries || (!safe && transient !== "refused")) {
          throw this.networkError(request, error, attempt + 1);
        }
        this.opts.logger.debug(`${describe(request.target)}: ${transient}, retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
        continue;
      }
      if (!(isTransientStatus(response.status) && safe && attempt < this.opts.retries)) {
        return this.check(request, response);
      }
      this.opts.logger.debug(`${describe(request.target)}: HTTP ${response.status}, retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }

  private async once(request: RawRequest): Promise<RawResponse> {
    const url = new URL(this.server + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const options: https.RequestOptions = { headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const headers: Record<string, string> = {
      ...(options.headers as Record<string, string>),
      Accept: "application/json",
      "User-Agent": this.opts.userAgent,
    };
    let payload: string | undefined;
    if (request.body !== undefined) {
      payload = JSON.stringify(request.body);
      headers["Content-Type"] = request.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const transport = url.protocol === "http:" ? http : https;
    const { headers: _ignored, ...tls } = options;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = transport.request(
        url,
        { ...tls, method: request.method, headers, timeout: this.opts.requestTimeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (a proxy's error page): keep the text
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on("timeout", () => {
        const error = new Error(`no answer within ${this.opts.requestTimeoutMs} ms`) as Error & {
          code: string;
        };
        error.code = "ETIMEDOUT";
        req.destroy(error);
      });
      req.on("error", reject);
      req.end(payload);
    });
  }

  private check(request: RawRequest, response: RawResponse): RawResponse {
    const { status } = response;
    if (status >= 200 && status < 300) return response;
    if (status === 404 && request.allowNotFound) return response;
    const what = describe(request.target);
    const serverMessage = statusMessage(response.body);
    const suffix = serverMessage ? `: ${serverMessage}` : "";
    if (status === 401) {
      return fail(
        "CLUSTER_UNAUTHORIZED",
        `the API server at ${this.server} rejected the credentials of context "${this.context}" (401 Unauthorized) while trying to ${what}`,
        "the token or client certificate is missing, expired or wrong: refresh the kubeconfig (e.g. `talosctl kubeconfig`), or pick another --context",
      );
    }
    if (status === 403) {
      return fail(
        "CLUSTER_FORBIDDEN",
        `forbidden (403): not allowed to ${what}${suffix}`,
        `grant the user of context "${this.context}" RBAC to ${request.target.verb} ${request.target.resource}, or use an admin kubeconfig`,
      );
    }
    if (status === 404) {
      return fail("CLUSTER_NOT_FOUND", `not found (404) while trying to ${what}${suffix}`);
    }
    if (status === 409) {
      return fail(
        "CLUSTER_ERROR",
        `conflict (409) while trying to ${what}${suffix}`,
        "another writer changed the object; run the command again",
      );
    }
    if (status === 422 || status === 400) {
      return fail("CLUSTER_ERROR", `the API server refused to ${what} (${status})${suffix}`);
    }
    return fail(
      "CLUSTER_ERROR",
      `the API server answered ${status} while trying to ${what}${suffix}`,
      "check the API server's health (`kubectl get --raw /readyz?verbose`)",
    );
  }

  private networkError(request: RawRequest, error: unknown, attempts: number): UserError {
    const { code, message, hint } = describeNetworkError(error, this.server);
    const tries = attempts > 1 ? ` (${attempts} attempts)` : "";
    return new UserError(code, `${message} while trying to ${describe(request.target)}${tries}`, {
      hint,
      cause: error,
    });
  }
}

function fail(code: ConstructorParameters<typeof UserError>[0], message: string, hint?: string): never {
  throw new UserError(code, message, hint === undefined ? {} : { hint });
}

function statusMessage(body: unknown): string | undefined {
  if (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string") {
    return (body as { message: string }).message;
  }
  if (typeof body === "string" && body.trim()) return body.trim().slice(0, 300);
  return undefined;
}

function target(
  verb: RequestTarget["verb"],
  info: ResourceInfo,
  namespace?: string,
  name?: string,
): RequestTarget {
  return {
    verb,
    resource: info.qualified,
    ...(info.namespaced && namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}

/** `list helmreleases.helm.toolkit.fluxcd.io in namespace flux-system` */
export function describe(t: RequestTarget): string {
  const object = t.name ? ` ${t.name}` : "";
  const where = t.namespace ? ` in namespace ${t.namespace}` : t.verb === "list" ? " (all namespaces)" : "";
  return `${t.verb} ${t.resource}${object}${where}`;
}

function objectPath(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  const base = info.apiVersion.includes("/") ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const object = name ? `/${encodeURIComponent(name)}` : "";
  const sub = name && subresource ? `/${subresource}` : "";
  return `${base}${ns}/${info.plural}${object}${sub}`;
}
