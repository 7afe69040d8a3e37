import type { FileStore } from "./files.js";
import { canonicalPath } from "./files.js";

/**
 * What one build read from the repository: files whose bytes it used, directories it listed and paths it
 * looked for and did not find (creating one would change the build). Repo-relative posix paths.
 */
export class BuildInputs {
  readonly files = new Set<string>();
  readonly dirs = new Set<string>();
  readonly absent = new Set<string>();

  add(other: BuildInputs): void {
    for (const f of other.files) this.files.add(f);
    for (const d of other.dirs) this.dirs.add(d);
    for (const a of other.absent) this.absent.add(a);
  }
}

/**
 * A view of `files` that records into `inputs` every path a build asks for; the store itself (its caches,
 * its internal listings) is shared and unchanged.
 */
export function trackFiles(files: FileStore, inputs: BuildInputs): FileStore {
  return new Proxy(files, {
    get(target, prop) {
      switch (prop) {
        case "kind":
          return (path: string) =>
            target.kind(path).then((kind) => {
              const rel = canonicalPath(path);
              if (kind === "file") inputs.files.add(rel);
              else if (kind === undefined) inputs.absent.add(rel);
              return kind;
            });
        case "list":
          return (path: string) => {
            inputs.dirs.add(canonicalPath(path));
            return target.list(path);
          };
        case "bytes":
        case "yaml":
          return (path: string) => {
            inputs.files.add(canonicalPath(path));
            return target[prop](path);
          };
        default: {
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        }
      }
    },
  });
}
