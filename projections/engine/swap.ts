import type { Knex } from 'knex';
import type { Position } from '../../infra/event-store/event-store.js';
import type { AnyProjection, ProjectionTables } from '../projection.js';
import { OwnershipLostError } from './errors.js';
import { notifyCheckpoint } from './projection-rows.js';
import { JOB_AVERAGE_RATE_SQL, type ReplayJobRow } from './replay-rows.js';
import { dropUnusedGenerations, pointViewsAt } from './table-names.js';

/**
 * One transaction: the views move to the new generation, the checkpoint
 * becomes the replay's, and the fence moves so that a live batch in flight on
 * the old generation fails instead of committing. Live processing resumes from
 * the replay's checkpoint, so the new tables miss nothing and repeat nothing.
 */
export async function swapInReplay(
  knex: Knex,
  projection: AnyProjection,
  job: ReplayJobRow,
  tables: ProjectionTables,
  through: Position | undefined,
): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = '5s'`);
    // Row locks first, then the views: live batches take their tables, then the row.
    const current = await trx('projection_replays').where({ id: job.id, fence: job.fence, state: 'running' }).forUpdate().first('id');
    if (!current) throw new OwnershipLostError(`replay job ${job.id}: fence ${job.fence} is no longer current`);
    await trx('projections').where({ name: projection.name }).forUpdate().first('name');
    await pointViewsAt(trx, projection, tables);
    await trx.raw(
      `UPDATE projections
          SET version = ?, generation = ?, position = ?::numeric, fence = fence + 1, state = 'running',
              events_per_second = 0, updated_at = now()
        WHERE name = ?`,
      [job.version, job.generation, through === undefined ? null : String(through), projection.name],
    );
    await trx.raw(
      `UPDATE projection_replays SET state = 'completed', position = ?::numeric, finished_at = now(), events_per_second = ${JOB_AVERAGE_RATE_SQL}, updated_at = now() WHERE id = ?`,
      [through === undefined ? null : String(through), job.id],
    );
    if (through !== undefined) await notifyCheckpoint(trx, projection.name, through);
  });
  // After the commit: a live batch still writing the old tables fails its fence and lets go.
  await dropUnusedGenerations(knex, projection, [tables]).catch(() => undefined);
}
