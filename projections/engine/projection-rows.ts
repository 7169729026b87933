import type { Knex } from 'knex';
import type { Position } from '../../infra/event-store/event-store.js';
import { OwnershipLostError } from './errors.js';

export const PROJECTIONS_CHANNEL = 'chronicle_projections';

export interface ProjectionRow {
  name: string;
  lockKey: number;
  version: number;
  /** 0 until the first owner created the tables. */
  generation: number;
  checkpoint: Position | undefined;
  fence: string;
  state: 'running' | 'failed';
  eventsProcessed: bigint;
  eventsPerSecond: number;
  lastError: { position: Position; message: string; at: Date } | undefined;
  owner: string | null;
  updatedAt: Date;
}

interface RawRow {
  name: string;
  lock_key: number;
  version: number;
  generation: number;
  position: string | null;
  fence: string;
  state: 'running' | 'failed';
  events_processed: string;
  events_per_second: number;
  error_position: string | null;
  error_message: string | null;
  error_at: Date | null;
  owner: string | null;
  updated_at: Date;
}

export function toProjectionRow(row: RawRow): ProjectionRow {
  return {
    name: row.name,
    lockKey: row.lock_key,
    version: row.version,
    generation: row.generation,
    checkpoint: row.position === null ? undefined : BigInt(row.position),
    fence: String(row.fence),
    state: row.state,
    eventsProcessed: BigInt(row.events_processed),
    eventsPerSecond: row.events_per_second,
    lastError:
      row.error_position === null ? undefined : { position: BigInt(row.error_position), message: row.error_message ?? '', at: row.error_at ?? new Date(0) },
    owner: row.owner,
    updatedAt: row.updated_at,
  };
}

export async function readProjectionRows(knex: Knex, names: readonly string[]): Promise<ProjectionRow[]> {
  const rows = await knex<RawRow>('projections').whereIn('name', [...names]).select('*');
  return rows.map(toProjectionRow);
}

/** Creates the bookkeeping row (without tables: generation 0) and returns its lock key. */
export async function ensureProjectionRow(knex: Knex, name: string, version: number): Promise<number> {
  const existing = await knex('projections').where({ name }).first<{ lock_key: number } | undefined>('lock_key');
  if (existing) return existing.lock_key;
  await knex('projections').insert({ name, version }).onConflict('name').ignore();
  const created = await knex('projections').where({ name }).first<{ lock_key: number }>('lock_key');
  return created.lock_key;
}

/**
 * Makes the caller the fenced owner. Run by a worker that holds the lock;
 * waits for (and so sees the effects of) a batch the previous owner is committing.
 */
export async function claimProjection(knex: Knex, name: string, owner: string): Promise<ProjectionRow> {
  const [row] = await knex<RawRow>('projections')
    .where({ name })
    .update({ fence: knex.raw('fence + 1'), owner, updated_at: knex.fn.now() } as Record<string, unknown>)
    .returning('*');
  if (!row) throw new Error(`projection ${name} has no bookkeeping row`);
  return toProjectionRow(row);
}

export interface CheckpointUpdate {
  name: string;
  fence: string;
  previous: Position | undefined;
  through: Position;
  applied: number;
  eventsPerSecond: number;
}

/** Inside the batch's transaction: moves the checkpoint, or throws when the fence moved. */
export async function commitProjectionCheckpoint(trx: Knex.Transaction, update: CheckpointUpdate): Promise<void> {
  const { rowCount } = await trx.raw<{ rowCount: number }>(
    `UPDATE projections
        SET position = ?::numeric, state = 'running', events_processed = events_processed + ?, events_per_second = ?, updated_at = now()
      WHERE name = ? AND fence = ?::bigint AND position IS NOT DISTINCT FROM ?::numeric`,
    [String(update.through), update.applied, update.eventsPerSecond, update.name, update.fence, update.previous === undefined ? null : String(update.previous)],
  );
  if (rowCount !== 1) throw new OwnershipLostError(`projection ${update.name}: fence ${update.fence} is no longer current`);
  await notifyCheckpoint(trx, update.name, update.through);
}

/** Delivered at commit, so a waiter never sees a checkpoint whose effects are not visible yet. */
export async function notifyCheckpoint(trx: Knex.Transaction, name: string, position: Position): Promise<void> {
  await trx.raw('SELECT pg_notify(?, ?)', [PROJECTIONS_CHANNEL, `${name} ${String(position)}`]);
}

export async function markProjectionFailed(knex: Knex, name: string, fence: string, position: Position, message: string): Promise<void> {
  const updated = await knex('projections')
    .where({ name, fence })
    .update({ state: 'failed', error_position: String(position), error_message: message.slice(0, 4000), error_at: knex.fn.now(), events_per_second: 0 });
  if (updated !== 1) throw new OwnershipLostError(`projection ${name}: fence ${fence} is no longer current`);
}

export async function readProjectionRow(knex: Knex, name: string): Promise<ProjectionRow | undefined> {
  const [row] = await readProjectionRows(knex, [name]);
  return row;
}
