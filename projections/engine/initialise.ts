import type { Knex } from 'knex';
import type { AnyProjection } from '../projection.js';
import { OwnershipLostError } from './errors.js';
import type { ProjectionRow } from './projection-rows.js';
import { ensureSchema, physicalTables, pointViewsAt, quoteTable } from './table-names.js';

/**
 * First start: a new generation of the code's version, empty, from the start
 * of the log. A replay may have been requested before any worker ran, so the
 * generation is the first one no replay job has taken.
 */
export async function initialiseProjection(knex: Knex, projection: AnyProjection, row: ProjectionRow): Promise<void> {
  await knex.transaction(async (trx) => {
    const [claimed] = await trx('projections')
      .where({ name: projection.name, fence: row.fence, generation: 0 })
      .update({
        version: projection.version,
        generation: trx.raw('(SELECT COALESCE(max(generation), 0) + 1 FROM projection_replays WHERE projection = ?)', [projection.name]),
        position: null,
        state: 'running',
        updated_at: trx.fn.now(),
      } as Record<string, unknown>)
      .returning<{ generation: number }[]>('generation');
    if (!claimed) throw new OwnershipLostError(`projection ${projection.name}: fence ${row.fence} is no longer current`);
    const tables = physicalTables(projection, projection.version, claimed.generation);
    await ensureSchema(trx, projection);
    for (const table of Object.values(tables)) await trx.raw(`DROP TABLE IF EXISTS ${quoteTable(table)}`);
    await projection.setup(trx, tables);
    await pointViewsAt(trx, projection, tables);
  });
}
