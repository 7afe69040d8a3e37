import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { Script } from "node:vm";
import { UserError, writeFileAtomicSync } from "@homeops/core";
import type { ErrorObject, ValidateFunction } from "ajv";
import { Ajv } from "ajv";
import standaloneCodeModule from "ajv/dist/standalone/index.js";
import ajvPackage from "ajv/package.json" with { type: "json" };
import addFormatsModule from "ajv-formats";
import { externalRefs, readCachedUrl, readSchemaCache, type SchemaCacheIndex } from "./schema-cache.js";
import {
  builtinCatalogDir,
  CATALOG_LAYOUT,
  checkSchemaLocation,
  expandSchemaLocation,
  isRemoteLocation,
  schemaTemplateData,
} from "./schema-location.js";
import { PART_ID_BASE, type SplitSchema, splitSchema } from "./shared-subschemas.js";
import { type CrdSchema, crdToSchemas, type JsonSchemaNode } from "./strict-schema.js";

// ajv-formats is CommonJS with a default export; under NodeNext the callable may sit on `.default`.
const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ??
  standaloneCodeModule) as unknown as (
  ajv: Ajv,
  validate: ValidateFunction | Record<string, string>,
) => string;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => void;

export interface SchemaCatalogOptions {
  /**
   * Schema locations tried in order: directories or kubeconform templates (`{{.Group}}`, `{{.ResourceKind}}`,
   * `{{.ResourceAPIVersion}}`, `{{.KindSuffix}}`, `{{.StrictSuffix}}`, `{{.NormalizedKubernetesVersion}}`);
   * `default` is the built-in catalog. Default `["default"]`; without an explicit `default` the built-in
   * catalog is tried after the given locations.
   */
  locations?: readonly string[];
  /** Reject fields a schema does not declare. Default true. */
  strict?: boolean;
  /** `{{.NormalizedKubernetesVersion}}` of templates. Default: the catalog's pinned version. */
  kubernetesVersion?: string;
  /** Allow http(s) schema locations. Default false. */
  allowNetwork?: boolean;
  /** Relative locations resolve against this directory. Default: the process working directory. */
  cwd?: string;
  /** Override the built-in catalog directory (tests). */
  catalogDir?: string;
  /**
   * Directory that keeps compiled validators between runs (compiling a kind costs 10–400 ms; loading
   * its cached code a few ms). Default: none, every run compiles in memory.
   */
  cacheDir?: string;
  /**
   * Use the validators the package build precompiled for the bundled catalog (`dist/catalog-validators/`,
   * matched by schema text, so an edited schema is compiled afresh); a path: that directory, as the build
   * writes `precompileCatalogValidators`' result (tests). Default true.
   */
  precompiled?: boolean | string;
  /**
   * `CustomResourceDefinition` objects of the repository (as its Flux build produces them): each served
   * version becomes a strict schema by the catalog's own rules and takes precedence over every location
   * for that apiVersion/kind. Default none.
   */
  crds?: readonly RepositoryCrd[];
  /**
   * The schema cache `homeops schemas pull` fills (see `pullSchemas`): read offline, after every location,
   * for kinds nothing else has, and for documents that name their own schema. Default none.
   */
  schemaCacheDir?: string;
}

/** A CRD object and where it came from (`file:line`). */
export interface RepositoryCrd {
  object: unknown;
  source: string;
}

/** Where a schema came from. */
export type SchemaOrigin = "repository" | "location" | "catalog" | "cache";

/** The manifest written next to the generated schemas. */
export interface CatalogManifest {
  kubernetesVersion: string;
  layout: string;
  draft: string;
  formats: string[];
  sources: { name: string; module: string; version: string; note?: string; files: string[]; kinds: number }[];
  notObtainable: { name: string; reason: string }[];
  /** `apiVersion/Kind` → file below the catalog directory */
  schemas: Record<string, string>;
  /** `apiVersion/Kind` of every Kubernetes built-in kind (the rest are custom resources) */
  builtinKinds?: string[];
}

/** A schema found for a kind, compiled once. */
export interface CompiledSchema {
  /** Where it came from: a file path or URL (`file:line` of a repository CRD). */
  source: string;
  origin: SchemaOrigin;
  validate: ValidateFunction;
}

/** Outcome of looking a kind up: a schema, none in any location, or a location that failed. */
export type SchemaLookup =
  | { found: true; schema: CompiledSchema }
  | { found: false; tried: string[] }
  | { found: "error"; message: string };

/** Reads the manifest of the built-in catalog. */
/**
 * The catalog's CRD → strict schema conversion bound to the catalog's ObjectMeta definitions: the one used
 * for repository CRDs, and for CRDs read from a live cluster (`homeops schemas pull --from-cluster`).
 */
export function crdSchemaConverter(catalogDir: string = builtinCatalogDir()): (crd: unknown) => CrdSchema[] {
  const metaDefs = (
    JSON.parse(readFileSync(join(catalogDir, "object-meta.json"), "utf8")) as {
      definitions: Record<string, JsonSchemaNode>;
    }
  ).definitions;
  return (crd) => crdToSchemas(crd, metaDefs);
}

export function loadCatalogManifest(catalogDir: string = builtinCatalogDir()): CatalogManifest {
  return JSON.parse(readFileSync(join(catalogDir, "SOURCES.json"), "utf8")) as CatalogManifest;
}

/**
 * The strict offline schema catalog: finds a JSON Schema per `apiVersion`/`kind` in the configured
 * locations and compiles it with ajv on first use (cached per kind for the catalog's lifetime).
 */
export class SchemaCatalog {
  readonly strict: boolean;
  readonly kubernetesVersion: string;
  readonly manifest: CatalogManifest;
  private readonly catalogDir: string;
  private readonly locations: string[];
  private readonly allowNetwork: boolean;
  private readonly cwd: string;
  private readonly cacheDir: string | undefined;
  private readonly precompiled: string | undefined;
  private readonly cache = new Map<string, Promise<SchemaLookup>>();
  private readonly urlCache = new Map<string, SchemaLookup>();
  private readonly builtinKinds: Set<string>;
  private readonly repository = new Map<string, { schema: JsonSchemaNode; source: string }>();
  /** Repository CRDs that could not be turned into schemas (e.g. a pattern JavaScript cannot express). */
  readonly crdProblems: { source: string; message: string }[] = [];
  private readonly schemaCacheDir: string | undefined;
  private readonly schemaCache: SchemaCacheIndex;

  constructor(options: SchemaCatalogOptions = {}) {
    this.strict = options.strict ?? true;
    this.catalogDir = options.catalogDir ?? builtinCatalogDir();
    this.manifest = loadCatalogManifest(this.catalogDir);
    this.kubernetesVersion = options.kubernetesVersion ?? this.manifest.kubernetesVersion;
    this.allowNetwork = options.allowNetwork ?? false;
    this.cwd = options.cwd ?? process.cwd();
    this.cacheDir = options.cacheDir;
    const precompiled = options.precompiled ?? true;
    this.precompiled = precompiled === true ? builtinPrecompiledDir() : precompiled || undefined;
    const locations = [...(options.locations ?? [])];
    if (!locations.includes("default")) locations.push("default");
    for (const location of locations) {
      checkSchemaLocation(location);
      if (isRemoteLocation(location) && !this.allowNetwork) {
        throw new UserError("USAGE", `schema location '${location}' needs the network`, {
          hint: "pass --allow-network, or point --schema-location at a local directory",
        });
      }
    }
    this.locations = locations;
    this.builtinKinds = new Set(this.manifest.builtinKinds ?? []);
    this.schemaCacheDir = options.schemaCacheDir;
    this.schemaCache = options.schemaCacheDir
      ? readSchemaCache(options.schemaCacheDir)
      : { kinds: {}, urls: {} };
    if (options.crds && options.crds.length > 0) {
      const convert = crdSchemaConverter(this.catalogDir);
      for (const { object, source } of options.crds) {
        try {
          for (const schema of convert(object)) {
            // a later CRD of the same name wins, as the last applied one would
            this.repository.set(`${schema.apiVersion}/${schema.kind}`, { schema: schema.schema, source });
          }
        } catch (error) {
          this.crdProblems.push({ source, message: (error as Error).message });
        }
      }
    }
  }

  /** Whether a kind is a custom resource (not a Kubernetes built-in of the catalog's version). */
  isCustomResource(apiVersion: string, kind: string): boolean {
    return !this.builtinKinds.has(`${apiVersion}/${kind}`);
  }

  /** `apiVersion/Kind` of every schema the repository's CRDs provide. */
  repositoryKinds(): string[] {
    return [...this.repository.keys()].sort();
  }

  /** The schema cache's index (kinds and URLs pulled), empty without `schemaCacheDir`. */
  cachedSchemas(): SchemaCacheIndex {
    return this.schemaCache;
  }

  /**
   * The compiled schema a document names by URL (`# yaml-language-server: $schema=<url>`), when the schema
   * cache holds it; never fetched here.
   */
  lookupUrl(url: string): SchemaLookup {
    const known = this.urlCache.get(url);
    if (known) return known;
    let result: SchemaLookup = { found: false, tried: [url] };
    const text = this.schemaCacheDir ? readCachedUrl(this.schemaCacheDir, this.schemaCache, url) : undefined;
    if (text !== undefined) result = this.compileText(text, url, "cache", false) ?? result;
    this.urlCache.set(url, result);
    return result;
  }

  /** The compiled schema for a kind, or why there is none. */
  lookup(apiVersion: string, kind: string): Promise<SchemaLookup> {
    const key = `${apiVersion}/${kind}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.find(apiVersion, kind);
      this.cache.set(key, pending);
    }
    return pending;
  }

  private async find(apiVersion: string, kind: string): Promise<SchemaLookup> {
    const key = `${apiVersion}/${kind}`;
    const fromRepository = this.repository.get(key);
    if (fromRepository) {
      const compiledRepo = this.compileText(
        JSON.stringify(fromRepository.schema),
        fromRepository.source,
        "repository",
        !this.strict,
      );
      if (compiledRepo) return compiledRepo;
    }
    const data = schemaTemplateData(kind, apiVersion, this.kubernetesVersion, this.strict);
    const tried: string[] = [];
    for (const location of this.locations) {
      const builtin = location === "default";
      const target = builtin
        ? join(this.catalogDir, expandSchemaLocation(CATALOG_LAYOUT, data))
        : this.resolveLocal(expandSchemaLocation(location, data));
      tried.push(target);
      let text: string | undefined;
      try {
        text = await this.read(target);
      } catch (error) {
        return { found: "error", message: `cannot read schema ${target}: ${(error as Error).message}` };
      }
      if (text === undefined) continue;
      const result = this.compileText(
        text,
        target,
        builtin ? "catalog" : "location",
        builtin && !this.strict,
      );
      if (result) return result;
    }
    const url = this.schemaCache.kinds[key];
    if (url && this.schemaCacheDir) {
      tried.push(url);
      const text = readCachedUrl(this.schemaCacheDir, this.schemaCache, url);
      const result = text === undefined ? undefined : this.compileText(text, url, "cache", false);
      if (result) return result;
    }
    return { found: false, tried };
  }

  /**
   * Compiles a schema text; `undefined` when it is not a JSON object (kubeconform, too, moves on past a
   * location that does not hold JSON). `relax` drops `additionalProperties: false` (`strict: false` on
   * schemas this project generated).
   */
  private compileText(
    text: string,
    source: string,
    origin: SchemaOrigin,
    relax: boolean,
  ): SchemaLookup | undefined {
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (schema === null || typeof schema !== "object") return undefined;
    try {
      const key = validatorKey(text, relax);
      const precompiled = origin === "catalog" && !relax ? this.precompiled : undefined;
      const memoryKey = `${this.cacheDir ?? ""}\0${precompiled ?? ""}\0${key}`;
      let validate = compiled.get(memoryKey);
      if (!validate && origin === "cache") {
        // a fetched schema is identified by its URL, so that its relative $refs resolve (to cached schemas)
        const record = schema as Record<string, unknown>;
        if (typeof record.$id !== "string") record.$id = source;
        validate = sharedAjv().getSchema(String(record.$id));
        if (!validate) this.registerCachedRefs(schema, String(record.$id), new Set());
      }
      if (!validate) {
        validate = precompiled ? precompiledValidator(precompiled, key, this.cacheDir) : undefined;
        validate ??= compileCached(
          key,
          prepareSchema(schema as Record<string, unknown>, relax),
          this.cacheDir,
        );
      }
      compiled.set(memoryKey, validate);
      return { found: true, schema: { source, origin, validate } };
    } catch (error) {
      return { found: "error", message: `schema ${source} does not compile: ${(error as Error).message}` };
    }
  }

  /** Adds the cached schemas a cached schema refers to by URL to ajv, so it compiles offline. */
  private registerCachedRefs(schema: unknown, url: string, seen: Set<string>): void {
    if (!this.schemaCacheDir) return;
    for (const ref of externalRefs(schema, url)) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      const text = readCachedUrl(this.schemaCacheDir, this.schemaCache, ref);
      if (text === undefined) continue;
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (typeof parsed.$id !== "string") parsed.$id = ref;
        this.registerCachedRefs(parsed, String(parsed.$id), seen);
        if (!sharedAjv().getSchema(String(parsed.$id))) sharedAjv().addSchema(prepareSchema(parsed, false));
      } catch {
        // a broken referenced schema shows up as a compile error of the referring one
      }
    }
  }

  private resolveLocal(path: string): string {
    if (isRemoteLocation(path)) return path;
    const plain = path.startsWith("file://") ? path.slice("file://".length) : path;
    return isAbsolute(plain) ? plain : resolve(this.cwd, plain);
  }

  /** The text at a path or URL; `undefined` when it does not exist (404 / ENOENT). */
  private async read(target: string): Promise<string | undefined> {
    if (isRemoteLocation(target)) {
      const response = await fetch(target);
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    }
    try {
      return await readFile(target, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw error;
    }
  }
}

/**
 * Compiled validators, shared by every catalog in the process and keyed by schema text: compiling is
 * the expensive part (tens of ms for a kind that embeds a PodSpec), and a schema's text fully decides
 * its validator.
 */
const compiled = new Map<string, ValidateFunction>();
// a JSON import, not a runtime require: a bundle that contains ajv carries its version with it
const AJV_VERSION = ajvPackage.version;
/**
 * Changes whenever the code compiled for a schema text would (the split, ajv's options): the compile cache
 * and the precompiled catalog are keyed by it, so neither serves a validator of an older shape.
 */
const CODE_SHAPE = "split-parts";
let requireHere: NodeJS.Require | undefined;

/**
 * `require` as this package resolves (cached validators require ajv's runtime helpers): from the package
 * directory, also when this module runs inside another package's bundle.
 */
function schemaRequire(): NodeJS.Require {
  if (!requireHere) {
    let base = import.meta.url;
    try {
      base = join(dirname(builtinCatalogDir()), "package.json");
    } catch {
      // no catalog: resolve from this module
    }
    requireHere = createRequire(base);
  }
  return requireHere;
}
let ajv: Ajv | undefined;

/** The key of a schema text's validator in the compile cache and in the precompiled catalog. */
function validatorKey(text: string, relax: boolean): string {
  return createHash("sha256")
    .update(`${AJV_VERSION}\0${CODE_SHAPE}\0${relax ? "relaxed" : "as-is"}\0${text}`)
    .digest("hex");
}

function createAjv(): Ajv {
  // `code.source` keeps each validator's source so it can be written as standalone code
  const created = new Ajv({
    allErrors: true,
    strict: false,
    logger: false,
    validateFormats: true,
    // a part is one function that every schema using it calls (inlined, it would be compiled into each)
    inlineRefs: false,
    code: { source: true },
  });
  addFormats(created, ["date-time"]);
  return created;
}

function sharedAjv(): Ajv {
  ajv ??= createAjv();
  return ajv;
}

/**
 * Compiles a schema, or loads the validator compiled by an earlier run from `cacheDir` (ajv standalone
 * code, one CommonJS file per schema text). A cache that cannot be read or written is ignored.
 */
function compileCached(
  key: string,
  schema: Record<string, unknown>,
  cacheDir: string | undefined,
): ValidateFunction {
  const file = cacheDir === undefined ? undefined : join(cacheDir, `${key}.cjs`);
  if (file) {
    try {
      const validate = loadStandalone(file);
      if (validate) return validate;
    } catch {
      // not cached yet (or unreadable): compile below
    }
  }
  const validate = compileShared(schema);
  if (file) {
    try {
      writeFileAtomicSync(file, standaloneCode(sharedAjv(), validate));
    } catch {
      // a read-only or full cache directory only costs speed
    }
  }
  return validate;
}

/** Ids of the parts (`splitSchema`) added to the shared ajv. */
const addedParts = new Set<string>();

function addParts(target: Ajv, split: SplitSchema, added: Set<string>): void {
  for (const [id, part] of split.parts) {
    if (added.has(id)) continue;
    target.addSchema(part, id);
    added.add(id);
  }
}

/**
 * Compiles a schema with its parts shared: a part another schema already brought is compiled once per
 * process. A schema that cannot be split, or does not compile split, is compiled as it is (so a broken
 * schema reports the error it always did).
 */
function compileShared(schema: Record<string, unknown>): ValidateFunction {
  const split = splitSchema(schema);
  if (split) {
    try {
      addParts(sharedAjv(), split, addedParts);
      return sharedAjv().compile(split.root);
    } catch {
      // compile it whole below, for its own error message
    }
  }
  return sharedAjv().compile(schema);
}

/** Cached validators loaded without V8's code cache: theirs is written by `saveValidatorCodeCache`. */
const withoutCodeCache: { script: Script; file: string; createParent: boolean }[] = [];

const V8_TAG = process.versions.v8.replace(/[^0-9A-Za-z.-]/g, "_");

/**
 * Loads a validator's standalone code from the compile cache. Most of a warm run's schema time is V8
 * parsing and compiling these sources (megabytes for a kind that embeds a PodSpec), so each one is
 * loaded with the V8 code cache an earlier run left beside it (keyed by V8's version; V8 itself refuses a
 * cache made with other flags, and the source is then compiled as if there were none).
 */
function loadStandalone(file: string): ValidateFunction | undefined {
  const validate = runStandalone(file, readFileSync(file, "utf8"), `${file}.${V8_TAG}.v8`).default;
  return typeof validate === "function" ? (validate as ValidateFunction) : undefined;
}

/**
 * Runs ajv standalone code (CommonJS) with V8's code cache at `codeCache` (none: `undefined`); `createParent`:
 * the code cache's directory may not exist yet.
 */
function runStandalone(
  file: string,
  source: string,
  codeCache: string | undefined,
  createParent = false,
): Record<string, unknown> {
  let cachedData: Buffer | undefined;
  try {
    if (codeCache) cachedData = readFileSync(codeCache);
  } catch {
    // none yet
  }
  const script = new Script(`(function (require, module, exports) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module: { exports: Record<string, unknown> } = { exports: {} };
  (script.runInThisContext() as (r: NodeJS.Require, m: typeof module, e: typeof module.exports) => void)(
    schemaRequire(),
    module,
    module.exports,
  );
  if (codeCache && (!cachedData || script.cachedDataRejected)) {
    withoutCodeCache.push({ script, file: codeCache, createParent });
  }
  return module.exports;
}

/** Where the package build writes the precompiled catalog: this directory below `dist/`. */
export const PRECOMPILED_CATALOG_DIR = "catalog-validators";
const PRECOMPILED_INDEX = "index.json";

/** The directory the package build precompiled into, `undefined` without a catalog. */
function builtinPrecompiledDir(): string | undefined {
  try {
    return join(dirname(builtinCatalogDir()), "dist", PRECOMPILED_CATALOG_DIR);
  } catch {
    return undefined;
  }
}

/** Precompiled indexes by directory and modules' exports by file, once read; `null`: not there. */
const precompiledIndexes = new Map<string, Record<string, string> | null>();
const precompiledModules = new Map<string, Record<string, unknown> | null>();

/**
 * The precompiled validator of a bundled catalog schema text, `undefined` when the build has none for it.
 * Its API group's module is loaded on first use, with its V8 code cache in `cacheDir` (named by the
 * module's hash).
 */
function precompiledValidator(
  dir: string,
  key: string,
  cacheDir: string | undefined,
): ValidateFunction | undefined {
  let index = precompiledIndexes.get(dir);
  if (index === undefined) {
    index = null;
    try {
      index = JSON.parse(readFileSync(join(dir, PRECOMPILED_INDEX), "utf8")) as Record<string, string>;
    } catch {
      // not built (tests run from source) or unreadable: compile instead
    }
    precompiledIndexes.set(dir, index);
  }
  const name = index && Object.hasOwn(index, key) ? index[key] : undefined;
  if (name === undefined) return undefined;
  const file = join(dir, name);
  let exports = precompiledModules.get(file);
  if (exports === undefined) {
    exports = null;
    try {
      const source = readFileSync(file, "utf8");
      const codeCache =
        cacheDir === undefined
          ? undefined
          : join(cacheDir, `catalog-${precompiledHash(source)}.${V8_TAG}.v8`);
      exports = runStandalone(file, source, codeCache, true);
    } catch {
      // unreadable: compile instead
    }
    precompiledModules.set(file, exports);
  }
  const validate = exports?.[`v${key}`];
  return typeof validate === "function" ? (validate as ValidateFunction) : undefined;
}

const HASH_HEADER = "// sha256 ";

/** A module's hash: from its first line (hashing megabytes costs a warm run tens of ms), else computed. */
function precompiledHash(source: string): string {
  const header = source.startsWith(HASH_HEADER) ? source.slice(HASH_HEADER.length, source.indexOf("\n")) : "";
  return /^[0-9a-f]{64}$/.test(header) ? header : createHash("sha256").update(source).digest("hex");
}

/** What `precompileCatalogValidators` precompiles. */
export interface PrecompileCatalogOptions {
  /** The catalog directory. Default: the bundled catalog. */
  catalogDir?: string;
  /** Only these `apiVersion/Kind`s (tests). Default: every schema the catalog's manifest lists. */
  kinds?: readonly string[];
}

/** The precompiled catalog, as the package build writes it to `dist/catalog-validators/`. */
export interface PrecompiledCatalog {
  /**
   * File name → ajv standalone CommonJS module of one API group's validators, exported as `v<key>`; the
   * parts its schemas share are in it once. Its first line is `// sha256 <hash of the rest>`.
   */
  modules: Record<string, string>;
  /** `index.json`: validator key (by schema text) → the file name of the module that exports it. */
  index: Record<string, string>;
}

/**
 * The validators of the bundled catalog's schemas (strict, compiled exactly as `SchemaCatalog` compiles
 * them), one module per API group, so a run loads only the groups its kinds belong to.
 */
export function precompileCatalogValidators(options: PrecompileCatalogOptions = {}): PrecompiledCatalog {
  const catalogDir = options.catalogDir ?? builtinCatalogDir();
  const manifest = loadCatalogManifest(catalogDir);
  const groups = new Map<string, [kind: string, file: string][]>();
  for (const [kind, file] of Object.entries(manifest.schemas).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (options.kinds && !options.kinds.includes(kind)) continue;
    const group = file.split("/")[0]!;
    groups.set(group, [...(groups.get(group) ?? []), [kind, file]]);
  }
  const out: PrecompiledCatalog = { modules: {}, index: {} };
  for (const [group, schemas] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = `${group}.cjs`;
    const target = createAjv();
    const added = new Set<string>();
    const exported: Record<string, string> = {};
    for (const [, file] of schemas) {
      const text = readFileSync(join(catalogDir, file), "utf8");
      const key = validatorKey(text, false);
      if (out.index[key] !== undefined) continue;
      const split = splitSchema(prepareSchema(JSON.parse(text) as Record<string, unknown>, false));
      if (!split) continue;
      addParts(target, split, added);
      const id = `${PART_ID_BASE}k/${key}`;
      target.addSchema(split.root, id);
      exported[`v${key}`] = id;
      out.index[key] = name;
    }
    if (Object.keys(exported).length === 0) continue;
    const code = standaloneCode(target, exported);
    out.modules[name] = `${HASH_HEADER}${createHash("sha256").update(code).digest("hex")}\n${code}`;
  }
  return out;
}

/**
 * Writes `precompileCatalogValidators`' modules and `index.json` into `dir` (created), as the package build
 * does into `dist/catalog-validators/`; returns the modules' total size in bytes.
 */
export function writePrecompiledCatalog(dir: string, options: PrecompileCatalogOptions = {}): number {
  const { modules, index } = precompileCatalogValidators(options);
  let bytes = 0;
  for (const [name, code] of Object.entries(modules)) {
    writeFileAtomicSync(join(dir, name), code);
    bytes += Buffer.byteLength(code);
  }
  // the index last: a module it names is complete
  writeFileAtomicSync(join(dir, PRECOMPILED_INDEX), `${JSON.stringify(index, null, 2)}\n`);
  return bytes;
}

/**
 * Writes V8's code cache of every validator this process loaded from the compile cache without one.
 * Called after validating, so the cache holds the functions the validation compiled lazily, too. A cache
 * directory that cannot be written only costs speed.
 */
export function saveValidatorCodeCache(): void {
  for (const { script, file, createParent } of withoutCodeCache.splice(0)) {
    try {
      writeFileAtomicSync(file, script.createCachedData(), { createParent });
    } catch {
      // read-only or full cache directory
    }
  }
}

/**
 * Makes a schema compilable by ajv's draft-07 dialect: drops `$schema`/`id` of older drafts (their
 * keywords are read the draft-07 way) and, for `--no-strict`, removes `additionalProperties: false`,
 * which the catalog generator adds only for strictness.
 */
function prepareSchema(schema: Record<string, unknown>, relax: boolean): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...schema };
  delete copy.$schema;
  if (typeof copy.id === "string") delete copy.id;
  return relax ? (removeClosedObjects(copy) as Record<string, unknown>) : copy;
}

function removeClosedObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(removeClosedObjects);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "additionalProperties" && value === false) continue;
    out[key] = removeClosedObjects(value);
  }
  return out;
}

export type { ErrorObject };
