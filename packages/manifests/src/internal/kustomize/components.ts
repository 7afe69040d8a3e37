// Stage 3, components (kusttarget.go accumulateComponents): each Component is accumulated into the
// including kustomization's resource list, so its generators and transformers act on those objects.
import type { SourcePosition } from "../../types.js";
import { joinPath } from "../files.js";
import type { Builder } from "../kustomize.js";
import type { Res } from "../res.js";
import { err, type Kustomization, pos } from "./common.js";
import { isRemote } from "./resources.js";

export async function accumulateComponent(
  b: Builder,
  kust: Kustomization,
  entry: string,
  at: SourcePosition,
  ra: Res[],
  stack: string[],
  chain: string[],
): Promise<void> {
  if (isRemote(entry)) {
    b.skipped.push({ url: entry, kustomization: kust.file, line: at.line });
    b.findings.push({
      ruleId: "build/remote-resource-skipped",
      severity: "warning",
      message: `${kust.file}: remote component '${entry}' not fetched`,
      file: at.file,
      line: at.line,
      column: at.column,
    });
    return;
  }
  const dir = joinPath(kust.dir, entry);
  if ((await b.ctx.files.kind(dir)) !== "dir") {
    b.fail(err("build/missing-component", `${kust.file}: component '${entry}' does not exist`, at));
    return;
  }
  if (stack.includes(dir)) {
    b.fail(err("build/component-cycle", `component cycle: ${[...stack, dir].join(" → ")}`, at));
    return;
  }
  const comp = await b.loadKustomization(dir, false);
  if (!comp) {
    if (b.ok) b.fail(err("build/missing-kustomization", `${dir}: component has no kustomization.yaml`, at));
    return;
  }
  if (comp.k.kind !== "Component") {
    b.fail(
      err(
        "build/not-a-component",
        `${comp.file}: expected kind Component (apiVersion kustomize.config.k8s.io/v1alpha1), got ${String(comp.k.kind ?? "Kustomization")}`,
        pos(comp.doc, ["kind"]),
      ),
    );
    return;
  }
  await b.accumulate(comp, ra, [...stack, dir], [...chain, comp.file]);
}
