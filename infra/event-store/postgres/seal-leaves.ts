import type { Knex } from 'knex';
import type pg from 'pg';
import type { Migration } from '../../postgres/migrations.js';
import type { SealLeaf } from '../seal-leaves.js';
import { LEAF_BYTES } from './append-leaves.js';
import { decodePosition, encodePosition } from './rows.js';

/**
 * domain/audit/hash-chain.ts's canonicalEvent, built by PostgreSQL from the
 * columns: `[stream, type, data, metadata]`. to_json escapes a string as
 * JSON.stringify does; the payloads are the `json` columns' text as stored
 * (storedText). tests/integration/postgres-seal-leaves.int.test.ts holds the
 * two forms to each other.
 */
const CANONICAL_EVENT_SQL = `'[' || to_json(stream_id)::text || ',' || to_json(event_type)::text || ',' || data::text || ',' || metadata::text || ']'`;

/** The leaf hashed from the event as it is now: what verify compares. */
const LEAF_SQL = `sha256(convert_to(${CANONICAL_EVENT_SQL}, 'UTF8'))`;

/**
 * The leaf as the seal takes it: the one its appender hashed and stored
 * beside the event (append-leaves.ts), which spares PostgreSQL building the
 * event's text and hashing it again, half of what sealing cost it; hashed
 * here for an event appended without it (or with one of another length,
 * which would shift every record after it). Verify never reads the stored
 * leaf: it hashes the event again (LEAF_SQL), so an event changed behind
 * the store's back, even before the seal took it, does not match unless its
 * stored leaf was forged too.
 */
const SEALED_LEAF_SQL = `CASE WHEN octet_length(seal_leaf) = ${LEAF_BYTES} THEN seal_leaf ELSE ${LEAF_SQL} END`;

/**
 * An event's seal record (sealRecord) with this leaf: position (the
 * transaction id's 8 bytes, then the index's 4), id, revision, and the time
 * as PostgreSQL sends a timestamptz, microseconds since 2000 (sealTime).
 */
function recordSql(leaf: string): string {
  return `${leaf} || xid8send(tx_id) || int4send(idx) || uuid_send(event_id) || int8send(stream_revision) || timestamptz_send(recorded_at)`;
}

/**
 * The events of (after, through] in log order, each as `record` (and its
 * stream). Aggregates over it keep its order: PostgreSQL never pulls a
 * sorted subquery up into the query around it. (An ORDER BY inside each
 * aggregate sorts its input again, once per aggregate: it doubled the cost.)
 * Parameters: after's tx_id and idx, through's, from `first`.
 */
function recordsInOrder(first: number, leaf: string): string {
  return `(SELECT ${recordSql(leaf)} AS record, stream_id FROM events
            WHERE (tx_id, idx) > ($${first}::text::xid8, $${first + 1}) AND (tx_id, idx) <= ($${first + 2}::text::xid8, $${first + 3})
            ORDER BY tx_id, idx) in_order`;
}

/**
 * Run first in the transaction of a statement over recordsInOrder: the range
 * read by the position index, in its order. Where transactions hold
 * thousands of events (a bulk load) the planner takes a range of 20,000 for
 * a tenth of the log and scans all of it, in parallel, then sorts: 459 ms
 * for a page of 20,000 events of a 300,000-event log, against 145 ms.
 */
export const READ_RANGE_BY_INDEX_SQL = 'SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL max_parallel_workers_per_gather = 0';

/**
 * The events of (after, through] as verify's quick pass compares them with
 * the seal (HashedRecords): how many, and the SHA-256 of their records. One
 * row comes back; nothing of the events does.
 */
export const HASHED_RECORDS_SQL = `SELECT count(*)::int AS events, encode(sha256(string_agg(record, ''::bytea)), 'hex') AS records FROM ${recordsInOrder(1, LEAF_SQL)}`;

/** The columns decodeSealLeafTuple reads, in its order. */
export const SEAL_LEAF_COLUMNS = `tx_id, idx, event_id::text, stream_id, stream_revision, recorded_at, ${LEAF_SQL}`;
export const SEAL_LEAF_WIDTH = 7;

/** One tuple of SEAL_LEAF_COLUMNS, as binary COPY sends it. */
export function decodeSealLeafTuple(buffer: Buffer, starts: Int32Array, lengths: Int32Array): SealLeaf {
  return {
    position: encodePosition(buffer.readBigUInt64BE(starts[0]!), buffer.readInt32BE(starts[1]!)),
    id: buffer.toString('latin1', starts[2]!, starts[2]! + lengths[2]!),
    stream: buffer.toString('utf8', starts[3]!, starts[3]! + lengths[3]!),
    revision: buffer.readBigInt64BE(starts[4]!),
    recorded: buffer.readBigInt64BE(starts[5]!),
    leaf: buffer.toString('hex', starts[6]!, starts[6]! + lengths[6]!),
  };
}

/** The column the appenders' leaves are kept in (append-leaves.ts, SEALED_LEAF_SQL); null where an event came without one. */
export const sealLeafColumnMigration: Migration = {
  name: '0004_event_seal_leaf',
  async up(knex: Knex) {
    await knex.raw('ALTER TABLE events ADD COLUMN seal_leaf bytea');
  },
  async down(knex: Knex) {
    await knex.raw('ALTER TABLE events DROP COLUMN IF EXISTS seal_leaf');
  },
};

/**
 * Version 3 of the seal chained event by event with this aggregate; version
 * 4 links stretches (sealSpan) and no longer needs it (sealChainDropMigration).
 */
export const sealChainMigration: Migration = {
  name: '0002_seal_chain',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE FUNCTION chronicle_seal_link(chained text, start text, leaf bytea) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT encode(sha256(convert_to(coalesce(chained, start) || encode(leaf, 'hex'), 'UTF8')), 'hex') $$;
      CREATE AGGREGATE chronicle_seal_chain(text, bytea) (SFUNC = chronicle_seal_link, STYPE = text);
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP AGGREGATE IF EXISTS chronicle_seal_chain(text, bytea); DROP FUNCTION IF EXISTS chronicle_seal_link(text, text, bytea)');
  },
};

export const sealChainDropMigration: Migration = {
  name: '0003_drop_seal_chain',
  up: (knex: Knex) => sealChainMigration.down(knex),
  down: (knex: Knex) => sealChainMigration.up(knex),
};

/**
 * Writes the seal's row for the events of (after, through] into `table`
 * (projections/audit/seal-stretch.ts): their records and streams, and the
 * chain's hash after them, linked from the table's last hash or from
 * `genesis`, all in PostgreSQL: the row the seal computes in Node from the
 * same events, without an event crossing the wire.
 * Returns how many events it sealed.
 */
export async function sealSpan(trx: Knex.Transaction, table: string, after: bigint | undefined, through: bigint, genesis: string): Promise<number> {
  const from = after === undefined ? { txId: '0', idx: -1 } : decodePosition(after);
  const to = decodePosition(through);
  const client = (await (trx.client as { acquireConnection(): Promise<pg.PoolClient> }).acquireConnection()) as pg.PoolClient;
  await client.query(READ_RANGE_BY_INDEX_SQL);
  const { rows } = await client.query<{ events: number }>(
    `INSERT INTO ${table} (position, events, hash, records, streams)
     SELECT $1::numeric, span.events,
            encode(sha256(decode(coalesce((SELECT hash FROM ${table} ORDER BY position DESC LIMIT 1), $2), 'hex') || span.records), 'hex'),
            span.records, span.streams
       FROM (SELECT count(*)::int AS events, string_agg(record, ''::bytea) AS records, array_agg(stream_id) AS streams FROM ${recordsInOrder(3, SEALED_LEAF_SQL)}) span
      WHERE span.events > 0
     RETURNING events`,
    [String(through), genesis, from.txId, from.idx, to.txId, to.idx],
  );
  return rows[0]?.events ?? 0;
}
