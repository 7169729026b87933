import { INGEST_STREAM_PREFIX } from '../../domain/analytics/streams.js';
import { USER_CATEGORY } from '../../domain/user/streams.js';
import type { Projection } from '../projection.js';
import { KnownPartitions } from './fact-partitions.js';
import { loadFacts } from './load-facts.js';
import { applyTraitsChanges, type TraitsChange } from './users-dimension.js';
import { RECEIVED, readReceivedFact, readSignedUpUser, SIGNED_UP, type ReceivedFact } from './warehouse-inputs.js';
import { createWarehouseIndexes, createWarehouseTables, WAREHOUSE_SCHEMA, WAREHOUSE_TABLES, type WarehouseTable } from './warehouse-tables.js';

export const WAREHOUSE_PROJECTION = 'warehouse';

/**
 * The analytics warehouse (schema `warehouse`): the facts, their rollups and
 * the users and dates dimensions, all from one pass over the log, so a fact
 * and every count it feeds commit together with the checkpoint. Identify
 * calls reach the users dimension only when they are new facts; signups
 * (UserSignedUp) give a user its first traits.
 */
export interface WarehouseOptions {
  /** Events per live transaction (Projection.batchEvents). */
  batchEvents?: number;
}

/**
 * Large live batches: a batch costs about four statements whatever its size,
 * so under heavy ingest fewer, larger ones keep up at less cost.
 */
export const WAREHOUSE_BATCH_EVENTS = 5_000;

export function warehouseProjection(options: WarehouseOptions = {}): Projection<WarehouseTable> {
  const known = new KnownPartitions();
  return {
    name: WAREHOUSE_PROJECTION,
    version: 1,
    batchEvents: options.batchEvents ?? WAREHOUSE_BATCH_EVENTS,
    schema: WAREHOUSE_SCHEMA,
    filter: { streamPrefixes: [INGEST_STREAM_PREFIX, `${USER_CATEGORY}-`], eventTypes: [RECEIVED, SIGNED_UP] },
    tables: WAREHOUSE_TABLES,
    async setup(trx, tables, options) {
      await createWarehouseTables(trx, tables, !options?.bulkLoad);
    },
    async completeSetup(trx, tables) {
      await createWarehouseIndexes(trx, tables);
    },
    async apply(events, trx, tables) {
      const facts: ReceivedFact[] = [];
      const changes: TraitsChange[] = [];
      for (const event of events) {
        if (event.type === RECEIVED) facts.push(readReceivedFact(event));
        else if (event.type === SIGNED_UP) changes.push(readSignedUpUser(event));
      }
      const identified = await loadFacts(trx, tables, facts, known);
      await applyTraitsChanges(trx, tables.users, [...changes, ...identified]);
    },
  };
}
