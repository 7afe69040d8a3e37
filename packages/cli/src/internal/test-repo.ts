import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname, "../../../..");

/** A fresh repository: the real templates and sample config, nothing rendered yet. */
export async function freshRepo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-cli-render-"));
  await cp(join(repoRoot, "bootstrap/templates"), join(dir, "bootstrap/templates"), { recursive: true });
  await cp(join(repoRoot, "bootstrap/config.sample.yaml"), join(dir, "bootstrap/config.sample.yaml"));
  await cp(join(repoRoot, "bootstrap/config.sample.yaml"), join(dir, "bootstrap/config.yaml"));
  return dir;
}
