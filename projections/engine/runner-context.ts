import type { Knex } from 'knex';
import type { Upcasters } from '../../domain/shared/upcasting.js';
import type { Logger } from '../../infra/logging/logger.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { AnyProjection } from '../projection.js';
import type { LogCounter } from './log-counter.js';

export interface RunnerSettings {
  /** Events per live transaction. */
  batchEvents: number;
  /** Events per replay transaction: bigger, since nobody waits for a replay's first events. */
  replayBatchEvents: number;
  /** How long an event may wait for company before its batch commits. */
  batchDelayMs: number;
  /** Shortest interval between checkpoint-only writes (past events the filter hid). */
  checkpointIntervalMs: number;
  /** How often an owner looks for replay jobs and for a retry or skip of its failed projection. */
  pollMs: number;
  /**
   * The deadline of a replay's index builds (SetupOptions.bulkLoad), on a
   * connection of their own: over a large table they take far longer than the
   * statement timeout of every other statement.
   */
  indexBuildTimeoutMs: number;
}

export const defaultRunnerSettings: RunnerSettings = {
  batchEvents: 500,
  // Large: a replay is throughput-bound, and each batch costs three round trips.
  replayBatchEvents: 20_000,
  batchDelayMs: 20,
  checkpointIntervalMs: 500,
  pollMs: 1_000,
  indexBuildTimeoutMs: 6 * 60 * 60_000,
};

/** What a runner of one owned projection needs. */
export interface RunnerContext {
  knex: Knex;
  /** For a replay's index builds, which get a connection of their own (see indexBuildTimeoutMs). */
  connectionString: string;
  store: EventStore;
  counter: LogCounter;
  projection: AnyProjection;
  upcasters: Upcasters;
  settings: RunnerSettings;
  logger: Logger;
  ownerId: string;
  onCommitted(applied: number): void;
}

export async function loadSkippedPositions(knex: Knex, projection: string): Promise<Set<string>> {
  const rows = await knex('projection_skips').where({ projection }).select<{ position: string }[]>('position');
  return new Set(rows.map((row) => String(row.position)));
}
