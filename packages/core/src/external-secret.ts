/**
 * What an ExternalSecret (external-secrets.io) writes: the one definition every package uses — the build's
 * substitution (a `substituteFrom` Secret an ExternalSecret produces) and the invariants' rules.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** true for an ExternalSecret of external-secrets.io. */
export function isExternalSecret(o: { apiVersion?: unknown; kind?: unknown }): boolean {
  return (
    o.kind === "ExternalSecret" &&
    typeof o.apiVersion === "string" &&
    o.apiVersion.startsWith("external-secrets.io/")
  );
}

/** Name of the Secret an ExternalSecret writes: `spec.target.name`, default the ExternalSecret's own name. */
export function externalSecretTarget(object: Obj): string {
  const spec = isObj(object.spec) ? object.spec : {};
  const target = isObj(spec.target) ? spec.target : {};
  if (typeof target.name === "string" && target.name !== "") return target.name;
  const meta = isObj(object.metadata) ? object.metadata : {};
  return typeof meta.name === "string" ? meta.name : "";
}

/** The keys of the Secret an ExternalSecret writes. */
export interface ExternalSecretKeys {
  /** Keys known from the manifest. */
  keys: Set<string>;
  /**
   * false when more keys may come that only the provider knows: `dataFrom` (extract/find), `templateFrom`,
   * or a template merged into the fetched data.
   */
  complete: boolean;
}

/**
 * The keys an ExternalSecret (or a ClusterExternalSecret's `externalSecretSpec`, passed as `{spec}`) writes
 * to its target Secret. A `target.template.data` without `mergePolicy: Merge` and without `templateFrom`
 * replaces the fetched data: its keys are exactly the template's. Otherwise the keys are `data[].secretKey`
 * plus the template's, and `dataFrom`/`templateFrom` make them open-ended.
 */
export function externalSecretKeys(object: Obj): ExternalSecretKeys {
  const spec = isObj(object.spec) ? object.spec : {};
  const target = isObj(spec.target) ? spec.target : {};
  const template = isObj(target.template) ? target.template : {};
  const templateData = isObj(template.data) ? template.data : undefined;
  const merge = template.mergePolicy === "Merge";
  const templateFrom = list(template.templateFrom).length > 0;
  if (templateData && !merge && !templateFrom)
    return { keys: new Set(Object.keys(templateData)), complete: true };
  const keys = new Set<string>();
  for (const d of list(spec.data)) if (isObj(d) && typeof d.secretKey === "string") keys.add(d.secretKey);
  if (templateData) for (const key of Object.keys(templateData)) keys.add(key);
  return { keys, complete: list(spec.dataFrom).length === 0 && !templateFrom };
}
