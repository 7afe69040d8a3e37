import { getOrCompute } from "@homeops/core";
import type { BuiltObject } from "@homeops/manifests";
import { isHelmRelease } from "./graph.js";
import { field, isRecord, list, str } from "./text.js";
import { isTemplated, walkValues } from "./walk.js";

/** A name an object refers to, with the path of the reference in the object. */
export interface ObjectRef {
  name: string;
  path: (string | number)[];
}

export interface SecretKeyRef extends ObjectRef {
  key: string;
}

interface ObjectRefs {
  secrets: ObjectRef[];
  secretKeys: SecretKeyRef[];
  claims: ObjectRef[];
}

// three rules (missing-secret, missing-key, missing-claim) ask about every built object: one walk of each
// object answers all of them (three walks were ~110 ms of a check of 1,000 apps)
const refsOfObject = new WeakMap<BuiltObject, ObjectRefs>();

/**
 * Secret names an object refers to: `envFrom[].secretRef`, `valueFrom.secretKeyRef`, `secret.secretName`
 * anywhere; HelmRelease `valuesFrom` of kind Secret; in HelmRelease values `existingSecret`, app-template's
 * `envFrom: [{secret: name}]` and `persistence` entries of `type: secret`. Optional and templated ones left out.
 */
export function secretRefs(object: BuiltObject): ObjectRef[] {
  return getOrCompute(refsOfObject, object, () => findRefs(object)).secrets;
}

/** `env[].valueFrom.secretKeyRef` references (name and key) of an object, with the path of each key. */
export function secretKeyRefs(object: BuiltObject): SecretKeyRef[] {
  return getOrCompute(refsOfObject, object, () => findRefs(object)).secretKeys;
}

/**
 * PersistentVolumeClaim names an object mounts: `persistentVolumeClaim.claimName` anywhere, and
 * `existingClaim` in HelmRelease values (its entry enabled, of no type or a PVC type). Templated ones included.
 */
export function claimRefs(object: BuiltObject): ObjectRef[] {
  return getOrCompute(refsOfObject, object, () => findRefs(object)).claims;
}

function findRefs(object: BuiltObject): ObjectRefs {
  const out: ObjectRef[] = [];
  const keyRefs: SecretKeyRef[] = [];
  const claims: ObjectRef[] = [];
  const hr = isHelmRelease(object);
  if (hr) {
    list(field(object.object, "spec", "valuesFrom")).forEach((v, i) => {
      const name = str(field(v, "name"));
      if (str(field(v, "kind")) === "Secret" && name && field(v, "optional") !== true) {
        out.push({ name, path: ["spec", "valuesFrom", i, "name"] });
      }
    });
  }
  walkValues(object.object, (value, path) => {
    const last = path[path.length - 1];
    const parent = path[path.length - 2];
    if (hr && last === "existingClaim" && path[1] === "values" && typeof value === "string") {
      const entry = field(object.object, ...path.slice(0, -1));
      const type = str(field(entry, "type"));
      if (
        field(entry, "enabled") !== false &&
        (type === undefined || type === "persistentVolumeClaim" || type === "pvc")
      )
        claims.push({ name: value, path: [...path] });
    }
    if (last === "persistentVolumeClaim" && isRecord(value) && typeof value.claimName === "string") {
      claims.push({ name: value.claimName, path: [...path, "claimName"] });
    }
    const inEnvFrom =
      last === "secretRef" && typeof parent === "number" && path[path.length - 3] === "envFrom";
    const inValueFrom = last === "secretKeyRef" && parent === "valueFrom";
    if ((inEnvFrom || inValueFrom) && isRecord(value) && typeof value.name === "string") {
      if (value.optional !== true) out.push({ name: value.name, path: [...path, "name"] });
      const { name, key } = value;
      if (
        inValueFrom &&
        value.optional !== true &&
        typeof key === "string" &&
        !isTemplated(name) &&
        !isTemplated(key)
      )
        keyRefs.push({ name, key, path: [...path, "key"] });
    } else if (last === "secret" && isRecord(value) && typeof value.secretName === "string") {
      if (value.optional !== true) out.push({ name: value.secretName, path: [...path, "secretName"] });
    } else if (hr && path[1] === "values") {
      if (last === "existingSecret" && typeof value === "string" && value !== "")
        out.push({ name: value, path: [...path] });
      // app-template shorthand: envFrom: [{secret: name}]
      else if (
        last === "secret" &&
        typeof value === "string" &&
        typeof parent === "number" &&
        path[path.length - 3] === "envFrom"
      ) {
        out.push({ name: value, path: [...path] });
      }
      // app-template persistence entry of type secret
      else if (
        isRecord(value) &&
        value.type === "secret" &&
        typeof value.name === "string" &&
        path[path.length - 2] === "persistence"
      ) {
        out.push({ name: value.name, path: [...path, "name"] });
      }
    }
  });
  return { secrets: out.filter((r) => !isTemplated(r.name)), secretKeys: keyRefs, claims };
}
