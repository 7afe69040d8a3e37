import type { Options } from "tsup";

/** The one build config every package uses; a package overrides at most `entry`. */
export function defineHomeopsBuild(overrides: Pick<Options, "entry"> = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    // project-reference settings are for `tsc -b`; the d.ts bundle is a plain single-project compile
    dts: { compilerOptions: { composite: false, incremental: false, ignoreDeprecations: "6.0" } },
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: false,
    // dependencies are never bundled: tsup externalises dependencies/peerDependencies by default
    ...overrides,
  };
}
