import {
  decodeUtf8,
  type Finding,
  readRepoFile,
  resolveInsideRoot,
  UserError,
  writeFileAtomic,
} from "@homeops/core";
import type { Repository } from "./repository.js";

/** A check against a recorded baseline (`.homeops/baseline.json` by default). */
export interface CheckBaselineOptions {
  /** The baseline file, repo-relative. Default `.homeops/baseline.json`. */
  file?: string;
  /** Record the current findings as the baseline instead of comparing with it. */
  write?: boolean;
}

/** What the baseline did to a check. */
export interface CheckBaselineData {
  file: string;
  /** `write`: the number of findings recorded. */
  written?: number;
  /** compare: findings not in the baseline, in it, and recorded but gone. */
  new?: number;
  unchanged?: number;
  fixed?: number;
}

/**
 * Marks every finding `new` or `unchanged` against the baseline file (recorded findings then never fail
 * the run), or records them all as the baseline (atomically; each is then `unchanged`). A missing or
 * malformed baseline file is a `UserError`.
 */
export async function applyBaseline(
  repo: Repository,
  findings: readonly Finding[],
  options: CheckBaselineOptions,
): Promise<{ findings: Finding[]; baseline: CheckBaselineData }> {
  const inv = await import("@homeops/invariants");
  const file = options.file ?? inv.BASELINE_FILE;
  if (options.write === true) {
    const baseline = inv.createBaseline(findings);
    await writeFileAtomic(await resolveInsideRoot(repo.root, file), inv.formatBaseline(baseline));
    return {
      findings: findings.map((f) => ({ ...f, baselineState: "unchanged" })),
      baseline: { file, written: baseline.findings.length },
    };
  }
  const bytes = await readRepoFile(repo.root, file).catch(() => {
    throw new UserError("FILE_NOT_FOUND", `${file}: no such baseline file`, {
      hint: "record one with `homeops check --write-baseline`",
      location: { file },
    });
  });
  const compared = inv.compareWithBaseline(findings, inv.parseBaseline(decodeUtf8(bytes, file), file));
  return {
    findings: compared.findings,
    baseline: {
      file,
      new: compared.newCount,
      unchanged: compared.findings.length - compared.newCount,
      fixed: compared.fixedCount,
    },
  };
}
