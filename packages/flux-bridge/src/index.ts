export {
  type BootstrapAppsOptions,
  type BootstrapAppsResult,
  type BootstrapStep,
  bootstrapApps,
} from "./bootstrap-apps.js";
export {
  type ApplyOptions,
  ClusterClient,
  type ClusterClientOptions,
  describe as describeRequest,
  type ListOptions,
  type RequestTarget,
  type ResourceInfo,
} from "./cluster-client.js";
export {
  type ClusterSchema,
  type ClusterSchemasData,
  pullClusterSchemas,
  readClusterSchemas,
} from "./cluster-schemas.js";
export { type Connection, type ConnectOptions, connectCluster, type KubeConfigSource } from "./connect.js";
export {
  type DiffAction,
  type DiffEntry,
  type DiffOptions,
  diffFlux,
  type KustomizationDiff,
} from "./diff.js";
export { type DoctorOptions, type DoctorReport, doctorFlux } from "./doctor.js";
export { type DriftOptions, type DriftReport, detectDrift } from "./drift.js";
export { FLUX, HOMEOPS_FIELD_MANAGER, type StatusScope } from "./flux-kinds.js";
export type { Condition, KubeObject } from "./internal/objects.js";
export {
  type ReconcileKind,
  type ReconcileOptions,
  type ReconcileResult,
  reconcileFluxObject,
  resumeFluxObject,
  type SuspendResult,
  suspendFluxObject,
  type WaitOptions,
} from "./reconcile.js";
export { loadFluxGraph } from "./repo-graph.js";
export {
  getFluxStatus,
  type ReadyState,
  type StatusOptions,
  type StatusReport,
  type StatusRow,
  statusRow,
  type WatchStatusOptions,
  type WatchStatusResult,
  watchFluxStatus,
} from "./status.js";
