import { copyFile } from "node:fs/promises";
import type { Options } from "tsup";

/** The one build config every package uses; a package overrides at most `entry`. */
export function defineHomeopsBuild(overrides: Pick<Options, "entry"> = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20.19", // engines; esbuild drops import attributes (`with { type: "json" }`) for older targets
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

/** Prefix of every file the executable's bundle writes into `dist/` (so the two builds clean only their own). */
const BIN_PREFIX = "bin";

/**
 * The CLI package: its library entry (`dist/index.js`, built like every package) and the `homeops`
 * executable (`dist/bin.js`), which is the one place dependencies are bundled. An application entry, not
 * a library: loading the few hundred module files of the workspace packages, zod, yaml and ajv one by one
 * was most of a short command's time (bench/README.md, "CLI start-up"). Code splitting keeps every
 * verb's libraries in chunks that load only when the verb runs. `assets` are copied beside the bundle:
 * files a bundled package finds next to its own module at run time.
 */
export function defineHomeopsCliBuild(bin: string, assets: readonly string[] = []): Options[] {
  const lib = defineHomeopsBuild();
  return [
    { ...lib, clean: [`!${BIN_PREFIX}*`, "!wasi-run.mjs"] },
    {
      ...lib,
      entry: { [BIN_PREFIX]: bin },
      dts: false,
      clean: ["!index.*"],
      splitting: true,
      noExternal: [/.*/],
      // bundled CommonJS dependencies (yaml, ajv, commander) call `require` for Node's built-ins
      banner: {
        js: 'import { createRequire as __homeopsCreateRequire } from "node:module"; const require = __homeopsCreateRequire(import.meta.url);',
      },
      esbuildOptions(options) {
        options.chunkNames = `${BIN_PREFIX}-[name]-[hash]`;
      },
      async onSuccess() {
        for (const asset of assets) await copyFile(asset, `dist/${asset.split("/").pop()}`);
      },
    },
  ];
}
