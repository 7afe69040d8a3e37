// configMapGenerator / secretGenerator with kustomize's rules (api/kv, api/internal/generators):
// envs, literals (matching quotes stripped), files (`key=path` or basename), global generatorOptions
// merged into local ones (a local false cannot undo a global true), non-UTF-8 file content → binaryData.
import { posix } from "node:path";
import type { Finding, YamlDocument } from "@homeops/core";
import type { SourcePosition } from "../types.js";
import type { FileStore } from "./files.js";
import { joinPath } from "./files.js";
import { isObj, type Obj, type Res, stringMap } from "./res.js";

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export async function buildGenerated(
  files: FileStore,
  dir: string,
  kustFile: string,
  doc: YamlDocument,
  k: Obj,
  chain: string[],
): Promise<{ resources: Res[]; findings: Finding[] }> {
  const findings: Finding[] = [];
  const resources: Res[] = [];
  const global = isObj(k.generatorOptions) ? k.generatorOptions : undefined;
  for (const kind of ["ConfigMap", "Secret"] as const) {
    const field = kind === "ConfigMap" ? "configMapGenerator" : "secretGenerator";
    const list = Array.isArray(k[field]) ? (k[field] as unknown[]) : [];
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      const p = doc.locate([field, i]);
      const at: SourcePosition = { file: kustFile, line: p.line, column: p.column };
      if (!isObj(entry) || typeof entry.name !== "string" || entry.name === "") {
        findings.push(fail("build/invalid-generator", `${kustFile}: ${field}[${i}] needs a name`, at));
        continue;
      }
      const pairs: [string, string, boolean][] = [];
      let ok = true;
      const envs = [
        ...(Array.isArray(entry.envs) ? entry.envs : []),
        ...(typeof entry.env === "string" ? [entry.env] : []),
      ];
      for (const env of envs) {
        if (typeof env !== "string") continue;
        const envPath = joinPath(dir, env);
        const buf = await files.bytes(envPath);
        if (buf === undefined) {
          const refused = files.readError(envPath);
          findings.push(
            refused
              ? fail("build/unreadable-file", `${kustFile}: env file '${env}': ${refused.message}`, at)
              : fail("build/missing-file", `${kustFile}: env file '${env}' does not exist`, at),
          );
          ok = false;
          continue;
        }
        const lines = buf.toString("utf8").split(/\r?\n/);
        for (let n = 0; n < lines.length; n++) {
          let line = lines[n]!;
          if (n === 0) line = line.replace(/^\uFEFF/, "");
          line = line.replace(/^\s+/, "");
          if (line === "" || line.startsWith("#")) continue;
          const eq = line.indexOf("=");
          const key = eq < 0 ? line : line.slice(0, eq);
          if (!ENV_NAME.test(key)) {
            findings.push(
              fail("build/invalid-generator", `${env}:${n + 1}: invalid env var name '${key}'`, at),
            );
            ok = false;
            continue;
          }
          pairs.push([key, eq < 0 ? "" : line.slice(eq + 1), true]);
        }
      }
      for (const lit of Array.isArray(entry.literals) ? entry.literals : []) {
        const s = String(lit);
        const eq = s.indexOf("=");
        if (eq <= 0) {
          findings.push(
            fail(
              "build/invalid-generator",
              `${kustFile}: invalid literal source '${s}', expected key=value`,
              at,
            ),
          );
          ok = false;
          continue;
        }
        pairs.push([s.slice(0, eq), removeQuotes(s.slice(eq + 1)), true]);
      }
      for (const src of Array.isArray(entry.files) ? entry.files : []) {
        const s = String(src);
        const eq = s.indexOf("=");
        const key = eq < 0 ? posix.basename(s) : s.slice(0, eq);
        const path = eq < 0 ? s : s.slice(eq + 1);
        const filePath = joinPath(dir, path);
        const buf = await files.bytes(filePath);
        if (buf === undefined) {
          const refused = files.readError(filePath);
          findings.push(
            refused
              ? fail("build/unreadable-file", `${kustFile}: generator file '${path}': ${refused.message}`, at)
              : fail("build/missing-file", `${kustFile}: generator file '${path}' does not exist`, at),
          );
          ok = false;
          continue;
        }
        const text = buf.toString("utf8");
        const valid = Buffer.from(text, "utf8").equals(buf);
        pairs.push([key, valid ? text : buf.toString("base64"), valid]);
      }
      if (!ok) continue;
      const seen = new Set<string>();
      const data: Record<string, string> = {};
      const binaryData: Record<string, string> = {};
      for (const [key, value, text] of pairs) {
        if (seen.has(key)) {
          findings.push(
            fail("build/invalid-generator", `${kustFile}: ${entry.name}: duplicate key '${key}'`, at),
          );
          ok = false;
        }
        seen.add(key);
        if (kind === "Secret") data[key] = text ? Buffer.from(value, "utf8").toString("base64") : value;
        else if (text) data[key] = value;
        else binaryData[key] = value;
      }
      if (!ok) continue;
      const local = isObj(entry.options) ? entry.options : {};
      const labels = { ...stringMap(global?.labels), ...stringMap(local.labels) };
      const annotations = { ...stringMap(global?.annotations), ...stringMap(local.annotations) };
      const disableHash = global?.disableNameSuffixHash === true || local.disableNameSuffixHash === true;
      const immutable = global?.immutable === true || local.immutable === true;
      const metadata: Obj = { name: entry.name };
      if (typeof entry.namespace === "string" && entry.namespace) metadata.namespace = entry.namespace;
      if (Object.keys(labels).length) metadata.labels = labels;
      if (Object.keys(annotations).length) metadata.annotations = annotations;
      const obj: Obj = { apiVersion: "v1", kind, metadata };
      if (kind === "Secret") obj.type = typeof entry.type === "string" && entry.type ? entry.type : "Opaque";
      if (Object.keys(data).length) obj.data = data;
      if (Object.keys(binaryData).length) obj.binaryData = binaryData;
      if (immutable) obj.immutable = true;
      const behavior = typeof entry.behavior === "string" ? entry.behavior : "create";
      if (!["create", "merge", "replace"].includes(behavior)) {
        findings.push(fail("build/invalid-generator", `${kustFile}: unknown behavior '${behavior}'`, at));
        continue;
      }
      resources.push({
        obj,
        origin: at,
        patchDocs: [],
        chain: [...chain, `${field} ${kustFile}:${at.line}`],
        needsHash: !disableHash,
        generatedBy: kind === "ConfigMap" ? "ConfigMapGenerator" : "SecretGenerator",
        behavior,
        previous: [],
      });
    }
  }
  return { resources, findings };
}

function removeQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

function fail(ruleId: string, message: string, at: SourcePosition): Finding {
  return { ruleId, severity: "error", message, file: at.file, line: at.line, column: at.column };
}
