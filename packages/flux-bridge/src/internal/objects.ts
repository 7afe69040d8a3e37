/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    managedFields?: unknown[];
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export function conditionsOf(object: KubeObject | undefined): Condition[] {
  const raw = object?.status?.conditions;
  return Array.isArray(raw) ? (raw.filter((c) => c && typeof c === "object") as Condition[]) : [];
}

export function condition(object: KubeObject | undefined, type: string): Condition | undefined {
  return conditionsOf(object).find((c) => c.type === type);
}

export { isRecord as isObj, str } from "@homeops/core";

/** `namespace/name` or `name` for cluster-scoped objects. */
export function refString(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
