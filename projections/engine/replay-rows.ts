import type { Knex } from 'knex';
import type { Position } from '../../infra/event-store/event-store.js';
import { OwnershipLostError } from './errors.js';

export type ReplayState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ReplayJobRow {
  id: string;
  projection: string;
  version: number;
  generation: number;
  state: ReplayState;
  position: Position | undefined;
  fence: string;
  tablesReady: boolean;
  processed: bigint;
  total: bigint | undefined;
  eventsPerSecond: number;
  error: { position: Position | undefined; message: string } | undefined;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | undefined;
  updatedAt: Date;
  finishedAt: Date | undefined;
}

interface RawReplayRow {
  id: string;
  projection: string;
  version: number;
  generation: number;
  state: ReplayState;
  position: string | null;
  fence: string;
  tables_ready: boolean;
  processed: string;
  total: string | null;
  events_per_second: number;
  error_position: string | null;
  error_message: string | null;
  requested_by: string;
  created_at: Date;
  started_at: Date | null;
  updated_at: Date;
  finished_at: Date | null;
}

function toJob(row: RawReplayRow): ReplayJobRow {
  return {
    id: String(row.id),
    projection: row.projection,
    version: row.version,
    generation: row.generation,
    state: row.state,
    position: row.position === null ? undefined : BigInt(row.position),
    fence: String(row.fence),
    tablesReady: row.tables_ready,
    processed: BigInt(row.processed),
    total: row.total === null ? undefined : BigInt(row.total),
    eventsPerSecond: row.events_per_second,
    error: row.error_message === null ? undefined : { position: row.error_position === null ? undefined : BigInt(row.error_position), message: row.error_message },
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at ?? undefined,
  };
}

const ACTIVE: ReplayState[] = ['pending', 'running'];

/** A finished job's rate: its events over its whole run (a window's rate would say 0 once it stopped). */
export const JOB_AVERAGE_RATE_SQL = 'COALESCE(processed / NULLIF(extract(epoch FROM now() - started_at), 0), 0)';

/** Idempotent: a projection has at most one active job (a unique partial index), which this returns. */
export async function createReplayJob(knex: Knex, projection: string, version: number, requestedBy: string): Promise<ReplayJobRow> {
  // FOR SHARE below waits for a first start initialising the projection, so
  // the job's generation is never the one that start takes.
  for (let attempt = 0; attempt < 5; attempt++) {
    const active = await findActiveReplayJob(knex, projection);
    if (active) return active;
    const { rows } = await knex.raw<{ rows: RawReplayRow[] }>(
      `INSERT INTO projection_replays (projection, version, generation, requested_by)
       SELECT ?, ?, GREATEST((SELECT generation FROM projections WHERE name = ? FOR SHARE),
                             (SELECT max(generation) FROM projection_replays WHERE projection = ?), 0) + 1, ?
       ON CONFLICT DO NOTHING RETURNING *`,
      [projection, version, projection, projection, requestedBy],
    );
    if (rows[0]) return toJob(rows[0]);
  }
  throw new Error(`could not create a replay job for ${projection}`);
}

export async function findActiveReplayJob(knex: Knex, projection: string): Promise<ReplayJobRow | undefined> {
  const row = await knex<RawReplayRow>('projection_replays').where({ projection }).whereIn('state', ACTIVE).first('*');
  return row ? toJob(row) : undefined;
}

export async function getReplayJobRow(knex: Knex, id: string): Promise<ReplayJobRow | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const row = await knex<RawReplayRow>('projection_replays').where({ id }).first('*');
  return row ? toJob(row) : undefined;
}

export async function listReplayJobRows(knex: Knex, projection: string, limit: number): Promise<ReplayJobRow[]> {
  const rows = await knex<RawReplayRow>('projection_replays').where({ projection }).orderBy('id', 'desc').limit(limit).select('*');
  return rows.map(toJob);
}

/** The owner of the projection takes the job over; a previous runner's commits now fail their fence. */
export async function claimReplayJob(knex: Knex, id: string, total: bigint | undefined): Promise<ReplayJobRow | undefined> {
  const [row] = await knex<RawReplayRow>('projection_replays')
    .where({ id })
    .whereIn('state', ACTIVE)
    .update({
      fence: knex.raw('fence + 1'),
      state: 'running',
      started_at: knex.raw('COALESCE(started_at, now())'),
      total: total === undefined ? knex.raw('total') : knex.raw('GREATEST(COALESCE(total, 0), ?::bigint)', [String(total)]),
      updated_at: knex.fn.now(),
    } as Record<string, unknown>)
    .returning('*');
  return row ? toJob(row) : undefined;
}

export interface ReplayCommit {
  id: string;
  fence: string;
  previous: Position | undefined;
  through: Position;
  applied: number;
  eventsPerSecond: number;
}

export async function commitReplayCheckpoint(trx: Knex.Transaction, update: ReplayCommit): Promise<void> {
  const { rowCount } = await trx.raw<{ rowCount: number }>(
    `UPDATE projection_replays
        SET position = ?::numeric, processed = processed + ?, total = GREATEST(total, processed + ?),
            events_per_second = ?, updated_at = now()
      WHERE id = ? AND fence = ?::bigint AND state = 'running' AND position IS NOT DISTINCT FROM ?::numeric`,
    [String(update.through), update.applied, update.applied, update.eventsPerSecond, update.id, update.fence, update.previous === undefined ? null : String(update.previous)],
  );
  if (rowCount !== 1) throw new OwnershipLostError(`replay job ${update.id}: fence ${update.fence} is no longer current`);
}

export async function finishReplayJob(
  knex: Knex | Knex.Transaction,
  id: string,
  fence: string,
  state: 'completed' | 'failed' | 'cancelled',
  error?: { position: Position | undefined; message: string },
): Promise<void> {
  const updated = await knex('projection_replays')
    .where({ id, fence, state: 'running' })
    .update({
      state,
      finished_at: state === 'failed' ? null : knex.fn.now(),
      error_position: error?.position === undefined ? null : String(error.position),
      error_message: error?.message.slice(0, 4000) ?? null,
      events_per_second: knex.raw(JOB_AVERAGE_RATE_SQL),
      updated_at: knex.fn.now(),
    });
  if (updated !== 1) throw new OwnershipLostError(`replay job ${id}: fence ${fence} is no longer current`);
}

export async function markReplayTablesReady(trx: Knex.Transaction, id: string, fence: string): Promise<void> {
  const updated = await trx('projection_replays').where({ id, fence, state: 'running' }).update({ tables_ready: true });
  if (updated !== 1) throw new OwnershipLostError(`replay job ${id}: fence ${fence} is no longer current`);
}
