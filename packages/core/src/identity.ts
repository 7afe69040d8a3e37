import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

let identity: string | undefined;

/**
 * A hash of this build of core (the text of its module file). A cache whose entries depend on what core
 * does (the parse and build caches of `@homeops/manifests`) keys on it, so that a changed core never reads
 * what another build of it wrote.
 */
export function coreBuildIdentity(): string {
  if (identity === undefined) {
    let own = "";
    try {
      own = readFileSync(fileURLToPath(import.meta.url), "utf8");
    } catch {
      // not a file (bundled in memory): the empty text
    }
    identity = createHash("sha1").update(own).digest("hex");
  }
  return identity;
}
