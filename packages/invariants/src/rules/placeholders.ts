import {
  formatYamlPath,
  getOrCompute,
  type YamlDocument,
  type YamlPath,
  type YamlPosition,
} from "@homeops/core";
import type { BuiltObject } from "@homeops/manifests";
import { describeObject, nodeId } from "../internal/graph.js";
import { hasSopsMetadata, isSopsEncryptedText, isSopsPath } from "../internal/sops.js";
import { externalSecretKeys, isExternalSecret, substitutionScope } from "../internal/substitution.js";
import { documentAtLine, entries, field, positionAt } from "../internal/text.js";
import { findVariableRefs, VARIABLE_NAME } from "../internal/variables.js";
import { walkValues } from "../internal/walk.js";
import type { Rule, RuleHit } from "../rule.js";

const SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute";

function substitutionDisabled(object: BuiltObject): boolean {
  const meta = field(object.object, "metadata");
  return (
    field(meta, "labels", SUBSTITUTE_ANNOTATION) === "disabled" ||
    field(meta, "annotations", SUBSTITUTE_ANNOTATION) === "disabled"
  );
}

export const undefinedVariable: Rule = {
  id: "placeholder/undefined-variable",
  title: "${VAR} with no value and no default",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  owns: ["build/undefined-variable"],
  rationale:
    "Flux substitutes an unset variable with an empty string (lenient) or, since Flux 2.9, stalls the whole Kustomization (strict). Either way the app breaks silently.",
  hint: "add the variable to postBuild.substitute of the Kustomization, to a substituteFrom ConfigMap/Secret, or give it a default: ${VAR:=value}",
  docs: `For every Flux Kustomization with \`postBuild\`, every \`\${VAR}\` in the source of the objects it builds
(components included, so \`\${APP}\` in a shared component is checked once per app) must have a value from:
\`postBuild.substitute\`; the keys of a \`substituteFrom\` ConfigMap or Secret of the repository (SOPS-encrypted
Secrets count: their keys are readable); the target keys of an ExternalSecret that produces a substituteFrom
Secret (\`data[].secretKey\`, \`target.template.data\`). An ExternalSecret whose keys cannot be known offline
(\`dataFrom\` without a template) is assumed to provide variables matching \`openSecretVariables\` (default
\`^SECRET_\`, see .homeops/invariants.yaml). \`\${VAR:=x}\`, \`\${VAR:-x}\`, \`\${VAR=x}\` and \`\${VAR-x}\` have
defaults; \`$\${VAR}\` is an escape; objects labelled or annotated
\`kustomize.toolkit.fluxcd.io/substitute: disabled\` are skipped. Helm/Go \`{{ }}\` templates are not variables.`,
  check(ctx) {
    const graph = ctx.graph!;
    const hits: RuleHit[] = [];
    const seen = new Set<string>();
    const pattern = new RegExp(ctx.settings.openSecretVariables);
    for (const node of graph.kustomizations) {
      const scope = substitutionScope(graph, node, pattern);
      if (!scope.enabled) continue;
      for (const object of node.objects) {
        if (substitutionDisabled(object)) continue;
        const parsed = graph.files.get(object.provenance.file) ?? ctx.files.yaml(object.provenance.file);
        if (!parsed) continue;
        const doc = parsed.documents[documentAtLine(parsed.documents, object.provenance.line)];
        if (!doc) continue;
        for (const ref of variableRefsOf(doc, parsed.text)) {
          if (ref.hasDefault || scope.has(ref.name)) continue;
          const at = ref.position();
          const key = `${parsed.file}:${at.line}:${at.column}:${ref.name}:${nodeId(node)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const sources = scope.sources.map((s) => `${s.kind} ${s.name}`).join(", ");
          hits.push({
            file: parsed.file,
            line: at.line,
            column: at.column,
            message: `\${${ref.name}} has no value in Kustomization ${nodeId(node)} (not in postBuild.substitute${
              sources ? ` nor in substituteFrom ${sources}` : ""
            }) and no default`,
            path: formatYamlPath(ref.path),
          });
        }
      }
    }
    return hits;
  },
};

export const invalidVariableName: Rule = {
  id: "placeholder/invalid-variable-name",
  title: "Substitution key that is not a valid variable name",
  severity: "error",
  needs: "graph",
  kind: "invariant",
  owns: ["build/invalid-variable-name"],
  rationale:
    "Flux refuses substitution variables whose names do not match ^[_[:alpha:]][_[:alpha:][:digit:]]*$: the Kustomization fails to build.",
  hint: "rename the key (letters, digits and underscores, not starting with a digit), e.g. SECRET_DOMAIN instead of secret-domain",
  docs: `Checks the keys of \`postBuild.substitute\` and of every ConfigMap, Secret or ExternalSecret target used as a
\`substituteFrom\` source. A ConfigMap that is not a substitution source may use any key.`,
  check(ctx) {
    const graph = ctx.graph!;
    const hits: RuleHit[] = [];
    const seen = new Set<string>();
    const push = (object: BuiltObject, path: string[], key: string, why: string) => {
      const at = object.locate(path);
      const id = `${at.file}:${at.line}:${key}`;
      if (seen.has(id)) return;
      seen.add(id);
      hits.push({ ...at, message: `'${key}' ${why} is not a valid variable name`, path: path.join(".") });
    };
    const never = /$^/;
    for (const node of graph.kustomizations) {
      const scope = substitutionScope(graph, node, never);
      if (!scope.enabled) continue;
      // looked up only for a bad key (a scan of every object per Kustomization was quadratic)
      const self = () =>
        graph.objects.find(
          (o) => o.kind === "Kustomization" && o.name === node.name && (o.namespace ?? "") === node.namespace,
        );
      for (const [key] of entries(field(node.spec, "postBuild", "substitute"))) {
        const declared = VARIABLE_NAME.test(key) ? undefined : self();
        if (declared) {
          push(
            declared,
            ["spec", "postBuild", "substitute", key],
            key,
            `in postBuild.substitute of ${nodeId(node)}`,
          );
        }
      }
      for (const source of scope.sources) {
        for (const provider of source.providers) {
          const why = `(key of ${describeObject(provider)}, a substituteFrom source of ${nodeId(node)})`;
          if (isExternalSecret(provider)) {
            for (const key of externalSecretKeys(provider.object) ?? []) {
              if (VARIABLE_NAME.test(key)) continue;
              const templated =
                field(provider.object, "spec", "target", "template", "data", key) !== undefined;
              push(
                provider,
                templated ? ["spec", "target", "template", "data", key] : ["spec", "data"],
                key,
                why,
              );
            }
            continue;
          }
          for (const section of ["data", "stringData"]) {
            for (const [key] of entries(field(provider.object, section))) {
              if (!VARIABLE_NAME.test(key)) push(provider, [section, key], key, why);
            }
          }
        }
      }
    }
    return hits;
  },
};

export const configLiteral: Rule = {
  id: "placeholder/config-literal",
  title: "Literal config value that must be a placeholder",
  severity: "error",
  needs: "files",
  kind: "invariant",
  rationale:
    "The real domain, the Vault address and similar values are kept out of Git on purpose: manifests use ${SECRET_DOMAIN}-style placeholders whose values come from the secret store.",
  hint: "replace the literal with its placeholder (e.g. ${SECRET_DOMAIN}) and keep the value in the secret store",
  docs: `Looks for every literal the cluster config marks as "never in manifests" (for example the real domain or
the Vault address, when \`bootstrap/config.yaml\` holds them) in the files below the manifests directory.
SOPS-encrypted files are skipped. Without a config, or when the config itself only holds placeholders,
there is nothing to look for.`,
  check(ctx) {
    const hits: RuleHit[] = [];
    const literals = ctx.forbiddenLiterals.filter((l) => l.value.length >= 4 && !l.value.includes("${"));
    if (literals.length === 0) return hits;
    for (const file of ctx.files.under(ctx.settings.kubernetesDir)) {
      const text = ctx.files.text(file);
      if (!text || isSopsPath(file) || isSopsEncryptedText(text)) continue;
      if (/\.ya?ml$/.test(file) && ctx.files.yaml(file)?.documents.some((d) => hasSopsMetadata(d.value)))
        continue;
      const lower = text.toLowerCase();
      for (const literal of literals) {
        const needle = literal.value.toLowerCase();
        for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, i + needle.length)) {
          const at = positionAt(text, i);
          hits.push({
            file,
            ...at,
            message: `literal ${literal.name} value '${literal.value}' in a manifest`,
            hint: `use ${literal.placeholder ?? "its placeholder"} instead`,
          });
        }
      }
    }
    return hits;
  },
};

/** One `${VAR}` reference of a source document; `position()`: at the reference itself. */
interface VariableRef {
  name: string;
  hasDefault: boolean;
  path: YamlPath;
  position(): YamlPosition;
}

// a component's document is the source of one object per app that takes it: its references are found once
const refsOfDocument = new WeakMap<YamlDocument, VariableRef[]>();

/**
 * `${VAR}` references in the string values of a source document (comments are not substituted), each with
 * its position: the scalar's position, refined to the reference itself when the source line shows it.
 * Positions are worked out on first use (for a restored parse, locating means parsing the text again).
 */
function variableRefsOf(doc: YamlDocument, text: string): VariableRef[] {
  return getOrCompute(refsOfDocument, doc, () => findVariableRefsIn(doc, text));
}

function findVariableRefsIn(doc: YamlDocument, text: string): VariableRef[] {
  // most files of a real repository have no reference at all: their values are not walked
  if (!text.includes("${")) return [];
  let lines: string[] | undefined;
  const out: VariableRef[] = [];
  walkValues(doc.value, (value, path) => {
    if (typeof value !== "string" || !value.includes("${")) return;
    const refs = findVariableRefs(value);
    const here = [...path];
    let positions: YamlPosition[] | undefined;
    const locate = (): YamlPosition[] => {
      if (positions) return positions;
      lines ??= text.split("\n");
      const at = doc.locate(here);
      let line = at.line;
      let from = at.column - 1;
      positions = refs.map((ref) => {
        const needle = value.slice(ref.offset, ref.offset + ref.name.length + 2);
        let found: YamlPosition | undefined;
        for (let l = line; l <= Math.min(lines!.length, line + 200) && !found; l++) {
          const index = lines![l - 1]!.indexOf(needle, l === line ? from : 0);
          if (index !== -1) found = { line: l, column: index + 1 };
        }
        if (found) {
          line = found.line;
          from = found.column;
        }
        return found ?? { line: at.line, column: at.column };
      });
      return positions;
    };
    refs.forEach((ref, i) => {
      out.push({ name: ref.name, hasDefault: ref.hasDefault, path: here, position: () => locate()[i]! });
    });
  });
  return out;
}
