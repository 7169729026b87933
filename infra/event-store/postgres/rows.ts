import pg from 'pg';
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
  data: string;
  metadata: string;
  recorded_at: Date;
}

export const EVENT_COLUMNS =
  'tx_id::text AS tx_id, idx, stream_id, stream_revision, event_id, event_type, data::text AS data, metadata::text AS metadata, recorded_at';

/**
 * Payloads are decoded on first access: a projection or a filter that never
 * looks at an event's data does not pay for parsing it, which is most of the
 * cost of reading the log.
 */
class PostgresRecordedEvent implements RecordedEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: Position;
  readonly type: string;
  readonly recordedAt: Date;
  #dataText: string;
  #metadataText: string;
  #data: JsonObject | undefined;
  #metadata: JsonObject | undefined;

  constructor(row: EventRow) {
    this.id = row.event_id;
    this.stream = row.stream_id;
    this.revision = BigInt(row.stream_revision);
    this.position = encodePosition(row.tx_id, row.idx);
    this.type = row.event_type;
    this.recordedAt = row.recorded_at;
    this.#dataText = row.data;
    this.#metadataText = row.metadata;
  }

  get data(): JsonObject {
    return (this.#data ??= JSON.parse(this.#dataText) as JsonObject);
  }

  get metadata(): JsonObject {
    return (this.#metadata ??= JSON.parse(this.#metadataText) as JsonObject);
  }

  toJSON(): RecordedEvent {
    const { id, stream, revision, position, type, data, metadata, recordedAt } = this;
    return { id, stream, revision, position, type, data, metadata, recordedAt };
  }
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return new PostgresRecordedEvent(row);
}

const TIMESTAMPTZ = 1184;
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\+00$/;

/**
 * Our sessions run in UTC, so timestamps arrive as `2026-01-02 03:04:05.678+00`,
 * which the engine's own ISO parser reads several times faster than pg's
 * general one; anything else (BC, infinity) still goes to pg's parser.
 */
function parseUtcTimestamp(text: string): Date {
  if (!UTC_TIMESTAMP.test(text)) return pg.types.getTypeParser(TIMESTAMPTZ, 'text')(text) as Date;
  return new Date(`${text.slice(0, 10)}T${text.slice(11, -3)}Z`);
}

export const eventStoreTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ && format !== 'binary' ? parseUtcTimestamp : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};
