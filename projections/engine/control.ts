import type { Knex } from 'knex';
import type { EventStore, Position } from '../../infra/event-store/event-store.js';
import type { AnyProjection } from '../projection.js';
import { ProjectionNotFailedError, ReplayJobNotFoundError, UnknownProjectionError } from './errors.js';
import { readProjectionRow } from './projection-rows.js';
import { toReplayProgress, type ReplayProgress } from './replay-progress.js';
import { createReplayJob, getReplayJobRow, listReplayJobRows } from './replay-rows.js';

export interface ControlDependencies {
  knex: Knex;
  eventStore: EventStore;
  projections: readonly AnyProjection[];
}

function known(deps: ControlDependencies, name: string): AnyProjection {
  const projection = deps.projections.find((p) => p.name === name);
  if (!projection) throw new UnknownProjectionError(name);
  return projection;
}

/**
 * Asks for a rebuild from scratch beside the live tables (202 + the job).
 * Idempotent while one is active: answers the active job. The owner of the
 * projection, in whichever worker, picks it up.
 */
export async function startReplay(deps: ControlDependencies, name: string, requestedBy: string): Promise<ReplayProgress> {
  const projection = known(deps, name);
  return toReplayProgress(await createReplayJob(deps.knex, name, projection.version, requestedBy));
}

export async function getReplayProgress(deps: ControlDependencies, jobId: string): Promise<ReplayProgress> {
  const job = await getReplayJobRow(deps.knex, jobId);
  if (!job) throw new ReplayJobNotFoundError(jobId);
  return toReplayProgress(job);
}

export async function listReplays(deps: ControlDependencies, name: string, limit = 20): Promise<ReplayProgress[]> {
  known(deps, name);
  return (await listReplayJobRows(deps.knex, name, limit)).map(toReplayProgress);
}

/** After a fix (data, or code already deployed): the owner resumes from the checkpoint within its poll interval. */
export async function retryProjection(deps: ControlDependencies, name: string): Promise<void> {
  known(deps, name);
  const updated = await deps.knex('projections').where({ name, state: 'failed' }).update({ state: 'running', updated_at: deps.knex.fn.now() });
  if (updated !== 1) throw new ProjectionNotFailedError(`projection ${name} is not failed`);
}

export interface SkipRequest {
  /** Must be the position the projection (or its replay) stopped on: nothing is skipped by accident. */
  position: Position;
  skippedBy: string;
  reason: string;
}

export interface SkipRecord {
  projection: string;
  position: string;
  eventId: string | null;
  eventType: string | null;
  stream: string | null;
  errorMessage: string | null;
  reason: string;
  skippedBy: string;
  skippedAt: string;
}

/**
 * Records that an operator chose not to apply one event, then resumes. The
 * record applies to every later replay too, so a rebuild equals what live
 * processing produced.
 */
export async function skipEvent(deps: ControlDependencies, name: string, request: SkipRequest): Promise<SkipRecord> {
  known(deps, name);
  if (!request.reason.trim() || !request.skippedBy.trim()) throw new ProjectionNotFailedError('a skip needs a reason and who asks for it');
  const row = await readProjectionRow(deps.knex, name);
  const liveStopped = row?.state === 'failed' && row.lastError?.position === request.position;
  const replay = await deps.knex('projection_replays')
    .where({ projection: name, state: 'failed', error_position: String(request.position) })
    .orderBy('id', 'desc')
    .first<{ id: string } | undefined>('id');
  if (!liveStopped && !replay) throw new ProjectionNotFailedError(`projection ${name} has not stopped at position ${String(request.position)}`);
  const [event] = await deps.eventStore.readAll({ fromPosition: request.position - 1n, maxCount: 1 });
  const found = event && event.position === request.position ? event : undefined;
  const errorText = liveStopped ? (row?.lastError?.message ?? null) : null;
  return deps.knex.transaction(async (trx) => {
    const [skip] = await trx('projection_skips')
      .insert({
        projection: name,
        position: String(request.position),
        event_id: found?.id ?? null,
        event_type: found?.type ?? null,
        stream: found?.stream ?? null,
        error_message: errorText,
        reason: request.reason,
        skipped_by: request.skippedBy,
      })
      .onConflict(['projection', 'position'])
      .merge(['reason', 'skipped_by', 'skipped_at'])
      .returning('*');
    if (liveStopped) await trx('projections').where({ name, state: 'failed' }).update({ state: 'running', updated_at: trx.fn.now() });
    if (replay) {
      // A failed replay's tables are dropped by the next owner's clean-up: start that rebuild over.
      await trx('projection_replays')
        .where({ id: replay.id })
        .update({ state: 'pending', position: null, processed: 0, tables_ready: false, error_position: null, error_message: null, finished_at: null });
    }
    return toSkipRecord(skip as RawSkip);
  });
}

export async function listSkips(deps: ControlDependencies, name: string): Promise<SkipRecord[]> {
  known(deps, name);
  const rows = await deps.knex<RawSkip>('projection_skips').where({ projection: name }).orderBy('position').select('*');
  return rows.map(toSkipRecord);
}

interface RawSkip {
  projection: string;
  position: string;
  event_id: string | null;
  event_type: string | null;
  stream: string | null;
  error_message: string | null;
  reason: string;
  skipped_by: string;
  skipped_at: Date;
}

function toSkipRecord(row: RawSkip): SkipRecord {
  return {
    projection: row.projection,
    position: String(row.position),
    eventId: row.event_id,
    eventType: row.event_type,
    stream: row.stream,
    errorMessage: row.error_message,
    reason: row.reason,
    skippedBy: row.skipped_by,
    skippedAt: row.skipped_at.toISOString(),
  };
}
