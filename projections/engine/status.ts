import type { Knex } from 'knex';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { AnyProjection } from '../projection.js';
import { LAG_CAP, type LogCounter } from './log-counter.js';
import { OWNERSHIP_LOCK_CLASS } from './ownership.js';
import { readProjectionRows } from './projection-rows.js';
import { findActiveReplayJob } from './replay-rows.js';
import { toReplayProgress, type ReplayProgress } from './replay-progress.js';

export type ProjectionState = 'running' | 'catching-up' | 'failed' | 'stopped' | 'replaying';

export interface ProjectionStatus {
  name: string;
  /** The live tables' version (the code's until the first start). */
  version: number;
  status: ProjectionState;
  /** Last log position processed, as a string; null before the first. */
  checkpoint: string | null;
  headPosition: string | null;
  /** Events matching the projection's filter after its checkpoint, counted exactly up to `lagCap`. */
  lag: number;
  lagCap: number;
  eventsPerSecond: number;
  eventsProcessed: string;
  owner: string | null;
  lastError?: { position: string; message: string; at: string };
  replay?: ReplayProgress;
}

export interface StatusDependencies {
  knex: Knex;
  eventStore: EventStore;
  projections: readonly AnyProjection[];
  counter: LogCounter;
}

/** Behind by at least this many events, a running projection reports `catching-up`. */
export const CATCHING_UP_THRESHOLD = 1_000;
/** A rate not refreshed by a commit for this long is stale: nothing is being processed. */
const RATE_STALE_MS = 5_000;

/** What `GET /api/admin/projections` and `projections status` show; any process may call it. */
export async function getProjectionStatuses(deps: StatusDependencies): Promise<ProjectionStatus[]> {
  const { knex, eventStore, projections, counter } = deps;
  const [rows, head, ownedKeys] = await Promise.all([
    readProjectionRows(knex, projections.map((p) => p.name)),
    eventStore.headPosition(),
    heldLockKeys(knex),
  ]);
  return Promise.all(
    projections.map(async (projection): Promise<ProjectionStatus> => {
      const row = rows.find((r) => r.name === projection.name);
      const replayJob = await findActiveReplayJob(knex, projection.name);
      const lag = await counter.countAfter(row?.checkpoint, projection.filter, LAG_CAP);
      const owned = row !== undefined && ownedKeys.has(row.lockKey);
      const status: ProjectionState =
        row?.state === 'failed' ? 'failed'
        : !owned || !row || row.generation === 0 ? (replayJob && owned ? 'replaying' : 'stopped')
        : replayJob ? 'replaying'
        : lag >= CATCHING_UP_THRESHOLD ? 'catching-up'
        : 'running';
      const fresh = row !== undefined && Date.now() - row.updatedAt.getTime() < RATE_STALE_MS;
      return {
        name: projection.name,
        version: row && row.generation > 0 ? row.version : projection.version,
        status,
        checkpoint: row?.checkpoint === undefined ? null : String(row.checkpoint),
        headPosition: head === undefined ? null : String(head),
        lag,
        lagCap: LAG_CAP,
        eventsPerSecond: fresh ? row.eventsPerSecond : 0,
        eventsProcessed: String(row?.eventsProcessed ?? 0n),
        owner: owned ? row.owner : null,
        ...(row?.lastError
          ? { lastError: { position: String(row.lastError.position), message: row.lastError.message, at: row.lastError.at.toISOString() } }
          : {}),
        ...(replayJob ? { replay: toReplayProgress(replayJob) } : {}),
      };
    }),
  );
}

async function heldLockKeys(knex: Knex): Promise<Set<number>> {
  const { rows } = await knex.raw<{ rows: { key: number }[] }>(
    `SELECT objid::int AS key FROM pg_locks
      WHERE locktype = 'advisory' AND classid = ? AND objsubid = 2 AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [OWNERSHIP_LOCK_CLASS],
  );
  return new Set(rows.map((row) => row.key));
}
