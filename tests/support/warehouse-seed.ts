import type { Knex } from 'knex';
import { warehouseProjection } from '../../projections/warehouse/warehouse-projection.js';
import { WAREHOUSE_SCHEMA, WAREHOUSE_TABLES } from '../../projections/warehouse/warehouse-tables.js';

/**
 * The warehouse's own tables (its projection's setup, under the names
 * queries read) in an `api` app, which runs no projection: for tests that
 * write many facts straight into them rather than through the log.
 */
export async function createWarehouseTables(knex: Knex): Promise<void> {
  const tables = Object.fromEntries(WAREHOUSE_TABLES.map((table) => [table, `${WAREHOUSE_SCHEMA}.${table}`])) as Record<(typeof WAREHOUSE_TABLES)[number], string>;
  await knex.transaction(async (trx) => {
    await trx.raw(`CREATE SCHEMA IF NOT EXISTS ${WAREHOUSE_SCHEMA}`);
    await warehouseProjection().setup(trx, tables);
  });
}
