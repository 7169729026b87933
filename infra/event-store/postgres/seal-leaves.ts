import type { SealLeaf } from '../seal-leaves.js';
import { encodePosition } from './rows.js';

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

/** The columns decodeSealLeafTuple reads, in its order. */
export const SEAL_LEAF_COLUMNS = `tx_id, idx, event_id::text, stream_id, stream_revision, sha256(convert_to(${CANONICAL_EVENT_SQL}, 'UTF8'))`;
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
