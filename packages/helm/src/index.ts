export {
  type CachedChart,
  ChartCache,
  type ChartCacheOptions,
  type ChartKey,
  defaultChartCacheDir,
} from "./cache.js";
export {
  batchLimit,
  defaultHelmModulePath,
  GO_ENV,
  type HelmEngine,
  type HelmEngineOptions,
  INITIAL_MEMORY_MB,
  loadHelmEngine,
  type RenderBatchOptions,
  type RenderedDocument,
  type RenderRequest,
  type RenderResult,
  type RenderStage,
  splitBatch,
  V8_FLAGS,
  type ValuesSource,
} from "./engine.js";
export {
  type ChartSource,
  type PullOptions,
  pullChart,
  type RegistryCredentials,
  readRegistryConfig,
} from "./pull.js";
export {
  type HelmReleaseRender,
  type HelmReleaseStatus,
  type HelmRenderReport,
  type RenderHelmReleasesOptions,
  renderHelmReleases,
  schemaFindings,
} from "./releases.js";
export { pickVersion } from "./version.js";
export { withRenderedObjects } from "./with-rendered.js";
