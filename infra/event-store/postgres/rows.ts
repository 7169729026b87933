import type { JsonObject, Position, RecordedEvent } from '../event-store.js';

const IDX_BITS = 32n;
const IDX_MASK = (1n << IDX_BITS) - 1n;

/** A position is `tx_id << 32 | idx`: one integer, ordered as the log is. */
export function encodePosition(txId: string, idx: number): Position {
  return (BigInt(txId) << IDX_BITS) | BigInt(idx);
}

export function decodePosition(position: Position): { txId: string; idx: number } {
  return { txId: String(position >> IDX_BITS), idx: Number(position & IDX_MASK) };
}

/** The last position that can exist below a horizon, so reading "after" it starts at the horizon. */
export function positionBelow(horizonTxId: bigint): Position {
  return (horizonTxId << IDX_BITS) - 1n;
}

export interface EventRow {
  tx_id: string;
  idx: number;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: JsonObject;
  metadata: JsonObject;
  recorded_at: Date;
}

export const EVENT_COLUMNS = 'tx_id::text AS tx_id, idx, stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    stream: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: encodePosition(row.tx_id, row.idx),
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}
