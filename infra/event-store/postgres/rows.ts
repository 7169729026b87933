import type { JsonObject, Position, RecordedEvent } from '../event-store.js';

const IDX_BITS = 32n;
const IDX_MASK = (1n << IDX_BITS) - 1n;

/** Positions are below this: a transaction id is an unsigned 64-bit integer. */
export const POSITION_LIMIT = 1n << (64n + IDX_BITS);

/** A position is `tx_id << 32 | idx`: one integer, ordered as the log is. */
export function encodePosition(txId: string | bigint, idx: number): Position {
  return (BigInt(txId) << IDX_BITS) | BigInt(idx);
}

export function decodePosition(position: Position): { txId: string; idx: number } {
  return { txId: String(position >> IDX_BITS), idx: Number(position & IDX_MASK) };
}

/**
 * The columns of an event as binary COPY sends them, in the order
 * decodeEventTuple reads them. Each is in the form cheapest to decode:
 * integers and the timestamp as machine numbers, the uuid as its text.
 */
export const EVENT_TUPLE_COLUMNS = 'tx_id, idx, stream_id, stream_revision, event_id::text, event_type, data, metadata, recorded_at';
export const EVENT_TUPLE_WIDTH = 9;

/** PostgreSQL counts timestamps in microseconds from 2000-01-01 UTC. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_TO_32 = 4_294_967_296;

/**
 * Payloads stay as bytes in the buffer COPY delivered them in until first
 * accessed, and so does the time of recording: a projection that never looks
 * at an event's metadata does not pay for decoding it, nor the garbage
 * collector for holding it, which is most of the cost of reading the log.
 */
class PostgresRecordedEvent implements RecordedEvent {
  #data: JsonObject | undefined;
  #metadata: JsonObject | undefined;

  constructor(
    readonly id: string,
    readonly stream: string,
    readonly revision: bigint,
    readonly position: Position,
    readonly type: string,
    /** Microseconds since 2000-01-01 UTC, as PostgreSQL keeps the time. */
    private readonly recordedAtMicros: number,
    private readonly buffer: Buffer,
    private readonly dataStart: number,
    private readonly dataEnd: number,
    private readonly metadataEnd: number,
  ) {}

  get recordedAt(): Date {
    return new Date(POSTGRES_EPOCH_MS + Math.floor(this.recordedAtMicros / 1000));
  }

  get storedTime(): bigint {
    return BigInt(this.recordedAtMicros);
  }

  get data(): JsonObject {
    return (this.#data ??= JSON.parse(this.buffer.toString('utf8', this.dataStart, this.dataEnd)) as JsonObject);
  }

  get metadata(): JsonObject {
    // Metadata follows data, after its 4-byte length.
    return (this.#metadata ??= JSON.parse(this.buffer.toString('utf8', this.dataEnd + 4, this.metadataEnd)) as JsonObject);
  }

  get storedText(): { data: string; metadata: string } {
    return { data: this.buffer.toString('utf8', this.dataStart, this.dataEnd), metadata: this.buffer.toString('utf8', this.dataEnd + 4, this.metadataEnd) };
  }

  /** The same event over the same bytes, decoded anew: what one reader decodes, another never sees changed. */
  view(): PostgresRecordedEvent {
    return new PostgresRecordedEvent(this.id, this.stream, this.revision, this.position, this.type, this.recordedAtMicros, this.buffer, this.dataStart, this.dataEnd, this.metadataEnd);
  }

  /** Bytes of data and metadata as stored. */
  get payloadBytes(): number {
    return this.metadataEnd - this.dataStart;
  }

  toJSON(): RecordedEvent {
    const { id, stream, revision, position, type, data, metadata, recordedAt } = this;
    return { id, stream, revision, position, type, data, metadata, recordedAt };
  }
}

function text(buffer: Buffer, starts: Int32Array, lengths: Int32Array, field: number): string {
  return buffer.toString('utf8', starts[field]!, starts[field]! + lengths[field]!);
}

/** One tuple of EVENT_TUPLE_COLUMNS, as binary COPY sends it. */
export function decodeEventTuple(buffer: Buffer, starts: Int32Array, lengths: Int32Array): RecordedEvent {
  const at = starts[8]!;
  const micros = buffer.readInt32BE(at) * TWO_TO_32 + buffer.readUInt32BE(at + 4);
  return new PostgresRecordedEvent(
    buffer.toString('latin1', starts[4]!, starts[4]! + lengths[4]!),
    text(buffer, starts, lengths, 2),
    buffer.readBigInt64BE(starts[3]!),
    encodePosition(buffer.readBigUInt64BE(starts[0]!), buffer.readInt32BE(starts[1]!)),
    text(buffer, starts, lengths, 5),
    micros,
    buffer,
    starts[6]!,
    starts[6]! + lengths[6]!,
    starts[7]! + lengths[7]!,
  );
}

/** A kept event of this store as LogTail hands it out: a view per reader over the bytes read once. */
export const tailEvents = {
  view: (event: RecordedEvent): RecordedEvent => (event instanceof PostgresRecordedEvent ? event.view() : event),
  bytes: (event: RecordedEvent): number => (event instanceof PostgresRecordedEvent ? event.payloadBytes : 0),
};
