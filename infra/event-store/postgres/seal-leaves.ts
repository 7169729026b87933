import type { Knex } from 'knex';
import type { Migration } from '../../postgres/migrations.js';
import type { SealLeaf } from '../seal-leaves.js';
import { decodePosition, encodePosition } from './rows.js';

/**
 * domain/audit/hash-chain.ts's canonicalEvent, built by PostgreSQL from the
 * columns: `[stream, revision, id, type, recordedAt, data, metadata]`.
 * to_json escapes a string as JSON.stringify does; the payloads are the
 * `json` columns' text as stored (storedText); the time is cut to milliseconds, as the
 * store's RecordedEvent cuts it, and written by to_json (canonicalTime), which
 * costs a tenth of to_char. tests/integration/postgres-seal-leaves.int.test.ts
 * holds the two forms to each other.
 */
const CANONICAL_EVENT_SQL = `'[' || to_json(stream_id)::text || ',"' || stream_revision::text || '","' || event_id::text || '",'
  || to_json(event_type)::text || ',' || to_json(date_trunc('milliseconds', recorded_at AT TIME ZONE 'UTC'))::text || ','
  || data::text || ',' || metadata::text || ']'`;

const LEAF_SQL = `sha256(convert_to(${CANONICAL_EVENT_SQL}, 'UTF8'))`;

/** A position as the seal keeps it (sealPositionBytes): the transaction id's 8 bytes, then the index's 4. */
const POSITION_BYTES_SQL = 'xid8send(tx_id) || int4send(idx)';

/**
 * The events of (after, through] as verify's quick pass compares them with
 * the seal: how many, the SHA-256 of their leaves and of their positions
 * (HashedLeaves). One row comes back; nothing of the events does.
 * Parameters: after's tx_id and idx, through's.
 */
export const HASHED_LEAVES_SQL = `SELECT count(*)::int AS events,
    encode(sha256(string_agg(${LEAF_SQL}, ''::bytea ORDER BY tx_id, idx)), 'hex') AS leaves,
    encode(sha256(string_agg(${POSITION_BYTES_SQL}, ''::bytea ORDER BY tx_id, idx)), 'hex') AS positions
  FROM events WHERE (tx_id, idx) > ($1::text::xid8, $2) AND (tx_id, idx) <= ($3::text::xid8, $4)`;

/** The columns decodeSealLeafTuple reads, in its order. */
export const SEAL_LEAF_COLUMNS = `tx_id, idx, event_id::text, stream_id, stream_revision, ${LEAF_SQL}`;
export const SEAL_LEAF_WIDTH = 6;

/** One tuple of SEAL_LEAF_COLUMNS, as binary COPY sends it. */
export function decodeSealLeafTuple(buffer: Buffer, starts: Int32Array, lengths: Int32Array): SealLeaf {
  return {
    position: encodePosition(buffer.readBigUInt64BE(starts[0]!), buffer.readInt32BE(starts[1]!)),
    id: buffer.toString('latin1', starts[2]!, starts[2]! + lengths[2]!),
    stream: buffer.toString('utf8', starts[3]!, starts[3]! + lengths[3]!),
    revision: buffer.readBigInt64BE(starts[4]!),
    leaf: buffer.toString('hex', starts[5]!, starts[5]! + lengths[5]!),
  };
}

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
 * (projections/audit/seal-stretch.ts): their leaves, positions, ids,
 * revisions and streams, and the chain's hash after them, linked from the
 * table's last hash or from `genesis`, all in PostgreSQL: the row the seal
 * computes in Node from the same events, without an event crossing the wire.
 * Returns how many events it sealed.
 */
export async function sealSpan(trx: Knex.Transaction, table: string, after: bigint | undefined, through: bigint, genesis: string): Promise<number> {
  const from = after === undefined ? { txId: '0', idx: -1 } : decodePosition(after);
  const to = decodePosition(through);
  // Each aggregate has the same ORDER BY, so PostgreSQL reads the span once in index order and sorts nothing.
  const { rows } = await trx.raw<{ rows: Array<{ events: number }> }>(
    `INSERT INTO ${table} (position, events, hash, leaves, positions, event_ids, revisions, streams)
     SELECT ?::numeric, span.events,
            encode(sha256(decode(coalesce((SELECT hash FROM ${table} ORDER BY position DESC LIMIT 1), ?), 'hex') || span.leaves), 'hex'),
            span.leaves, span.positions, span.event_ids, span.revisions, span.streams
       FROM (SELECT count(*)::int AS events,
                    string_agg(${LEAF_SQL}, ''::bytea ORDER BY tx_id, idx) AS leaves,
                    string_agg(${POSITION_BYTES_SQL}, ''::bytea ORDER BY tx_id, idx) AS positions,
                    string_agg(uuid_send(event_id), ''::bytea ORDER BY tx_id, idx) AS event_ids,
                    string_agg(int8send(stream_revision), ''::bytea ORDER BY tx_id, idx) AS revisions,
                    array_agg(stream_id ORDER BY tx_id, idx) AS streams
               FROM events
              WHERE (tx_id, idx) > (?::text::xid8, ?) AND (tx_id, idx) <= (?::text::xid8, ?)) span
      WHERE span.events > 0
     RETURNING events`,
    [String(through), genesis, from.txId, from.idx, to.txId, to.idx],
  );
  return rows[0]?.events ?? 0;
}
