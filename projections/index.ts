/**
 * The projection engine's public surface. The worker runs `ProjectionEngine`
 * (and the API a `CheckpointWaiter`) as BackgroundServices; routes and the CLI
 * call the plain functions with their dependencies.
 */
export type { Projection, ProjectionTables, AnyProjection } from './projection.js';
export { validateProjections } from './projection.js';
export { ProjectionEngine, type ProjectionEngineOptions } from './engine/engine.js';
export { CheckpointWaiter, type CheckpointWaiterOptions } from './engine/checkpoint-waiter.js';
export { getProjectionStatuses, CATCHING_UP_THRESHOLD, type ProjectionStatus, type ProjectionState, type StatusDependencies } from './engine/status.js';
export {
  startReplay,
  getReplayProgress,
  listReplays,
  retryProjection,
  skipEvent,
  listSkips,
  type ControlDependencies,
  type SkipRequest,
  type SkipRecord,
} from './engine/control.js';
export type { ReplayProgress } from './engine/replay-progress.js';
export type { ReplayState } from './engine/replay-rows.js';
export { postgresLogCounter, storeLogCounter, LAG_CAP, type LogCounter } from './engine/log-counter.js';
export { defaultRunnerSettings, type RunnerSettings } from './engine/runner-context.js';
export { projectionMigrations } from './engine/schema.js';
export { quoteTable, viewName } from './engine/table-names.js';
export {
  ReadModelTimeoutError,
  ReadModelUnavailableError,
  UnknownProjectionError,
  ReplayJobNotFoundError,
  ProjectionNotFailedError,
  OwnershipLostError,
} from './engine/errors.js';
export { streamSummaryProjection, type StreamSummaryOptions, type StreamSummaryRow } from './examples/stream-summary.js';
export {
  readModel,
  ReadModelDefinitionError,
  ReadModelEventError,
  ReadModelKeyMismatchError,
  type ReadModel,
  type ReadModelDefinition,
  type ReadModelEvent,
  type RowShape,
  type ColumnDeclaration,
} from './read-model.js';
export { keysetPage, looksLikeCursor, InvalidCursorError, KeysetNullSortKeyError, type KeysetOrder, type KeysetPageOptions, type Page, type PageRequest, type SortDirection } from './keyset-page.js';
