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

/**
 * A page of the log (after, through] as verify's quick pass compares it with
 * the seal: how many events, the chain through them from a given hash, and
 * the SHA-256 of their positions written in decimal, comma-separated. One
 * row comes back for the page; nothing of its events does.
 * Parameters: after's tx_id and idx, through's, the hash to chain from.
 */
export const SEAL_PAGE_SQL = `SELECT count(*)::int AS events,
    chronicle_seal_chain($5, ${LEAF_SQL} ORDER BY tx_id, idx) AS hash,
    encode(sha256(convert_to(string_agg((tx_id::text::numeric * 4294967296 + idx)::text, ',' ORDER BY tx_id, idx), 'UTF8')), 'hex') AS positions
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
 * domain/audit/hash-chain.ts's chainLink in PostgreSQL, as an aggregate over
 * leaves in log order, so that a window chains a stretch of the log where its
 * events lie (sealSpan). A link is the SHA-256 of the previous hash and the
 * leaf as hex text; the chain starts from the hash given with the first leaf.
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

/**
 * Writes the seal's rows (position, event_id, stream, revision, hash) for the
 * events of (after, through] into `table`, chained from its last hash or from
 * `genesis`, all in PostgreSQL: the same rows the seal computes in Node from
 * the events, without an event crossing the wire. Returns how many.
 */
export async function sealSpan(trx: Knex.Transaction, table: string, after: bigint | undefined, through: bigint, genesis: string): Promise<number> {
  const from = after === undefined ? { txId: '0', idx: -1 } : decodePosition(after);
  const to = decodePosition(through);
  const result = await trx.raw<{ rowCount: number }>(
    `INSERT INTO ${table} (position, event_id, stream, revision, hash)
     SELECT tx_id::text::numeric * 4294967296 + idx, event_id, stream_id, stream_revision,
            chronicle_seal_chain(coalesce((SELECT hash FROM ${table} ORDER BY position DESC LIMIT 1), ?), ${LEAF_SQL}) OVER (ORDER BY tx_id, idx)
       FROM events
      WHERE (tx_id, idx) > (?::text::xid8, ?) AND (tx_id, idx) <= (?::text::xid8, ?)`,
    [genesis, from.txId, from.idx, to.txId, to.idx],
  );
  return result.rowCount;
}
