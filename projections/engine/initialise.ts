import type { Knex } from 'knex';
import type { AnyProjection } from '../projection.js';
import { OwnershipLostError } from './errors.js';
import type { ProjectionRow } from './projection-rows.js';
import { physicalTables, pointViewsAt } from './table-names.js';

/** First start: generation 1 of the code's version, empty, from the start of the log. */
export async function initialiseProjection(knex: Knex, projection: AnyProjection, row: ProjectionRow): Promise<void> {
  const tables = physicalTables(projection, projection.version, 1);
  await knex.transaction(async (trx) => {
    const updated = await trx('projections')
      .where({ name: projection.name, fence: row.fence, generation: 0 })
      .update({ version: projection.version, generation: 1, position: null, state: 'running', updated_at: trx.fn.now() });
    if (updated !== 1) throw new OwnershipLostError(`projection ${projection.name}: fence ${row.fence} is no longer current`);
    for (const table of Object.values(tables)) await trx.raw(`DROP TABLE IF EXISTS "${table}"`);
    await projection.setup(trx, tables);
    await pointViewsAt(trx, projection, tables);
  });
}
