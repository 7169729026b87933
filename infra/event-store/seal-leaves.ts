import type { Position } from './event-store.js';

/** One event as the audit seal's verify needs it: where, which and when it is, and its leaf hash (domain/audit/hash-chain.ts). */
export interface SealLeaf {
  position: Position;
  id: string;
  stream: string;
  revision: bigint;
  /** The time of recording, in microseconds since 2000-01-01 UTC (sealTime): as PostgreSQL keeps a time. */
  recorded: bigint;
  leaf: string;
}

/** A stretch of the log as the store hashes it where its events lie, for verify's quick pass. */
export interface HashedRecords {
  events: number;
  /** SHA-256 (hex) of the events' seal records (sealRecord), in log order; null when there are none. */
  records: string | null;
}

/**
 * A store that hashes its own events where they lie, so that verify reads
 * their records (SEAL_RECORD_BYTES an event), or nothing of them, instead of the events. The leaf is
 * of the payloads' text as stored (domain/audit/hash-chain.ts,
 * canonicalEvent), the same text the seal hashes from `RecordedEvent.storedText`.
 */
export interface SealLeafSource {
  /** Events after `after` up to and with `through`, in log order, at most `limit`. */
  readSealLeaves(after: Position | undefined, through: Position, limit: number): Promise<SealLeaf[]>;
  /** The events after `after` up to and with `through`, hashed without one crossing the wire. */
  hashSealRecords(after: Position | undefined, through: Position): Promise<HashedRecords>;
}

export function hashesSealLeaves(store: object): store is SealLeafSource {
  return typeof (store as Partial<SealLeafSource>).readSealLeaves === 'function';
}

/** The bytes of one event in the seal: its leaf (32), position (12, sealPositionBytes), id (16), revision (8) and time (8, sealTime), numbers big-endian. */
export const SEAL_RECORD_BYTES = 76;

/** Where a record holds the event's id (the seal finds a moved event by it). */
export const SEAL_RECORD_ID_AT = 44;

/** One event's record in the seal (SEAL_RECORD_BYTES): what the chain links and verify compares. */
export function sealRecord(event: Omit<SealLeaf, 'stream'>): Buffer {
  const record = Buffer.alloc(SEAL_RECORD_BYTES);
  record.write(event.leaf, 0, 32, 'hex');
  sealPositionBytes(event.position).copy(record, 32);
  record.write(event.id.replaceAll('-', ''), SEAL_RECORD_ID_AT, 16, 'hex');
  record.writeBigInt64BE(event.revision, 60);
  record.writeBigInt64BE(event.recorded, 68);
  return record;
}

/** The record at `index` of packed records, read back (the stream is kept apart). */
export function readSealRecord(records: Buffer, index: number): Omit<SealLeaf, 'stream'> {
  const at = index * SEAL_RECORD_BYTES;
  const id = records.toString('hex', at + SEAL_RECORD_ID_AT, at + SEAL_RECORD_ID_AT + 16);
  return {
    leaf: records.toString('hex', at, at + 32),
    position: (records.readBigUInt64BE(at + 32) << 32n) | BigInt(records.readUInt32BE(at + 40)),
    id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
    revision: records.readBigInt64BE(at + 60),
    recorded: records.readBigInt64BE(at + 68),
  };
}

const Y2K_MS = Date.UTC(2000, 0, 1);

/**
 * A time as the seal keeps it: microseconds since 2000-01-01 UTC, which is
 * PostgreSQL's own form (its binary send of a timestamptz), so that it packs
 * a time without converting it. From a Date, whole milliseconds: for a store
 * that keeps no finer time (RecordedEvent.storedTime).
 */
export function sealTime(time: Date): bigint {
  return BigInt(time.getTime() - Y2K_MS) * 1000n;
}

/**
 * A position as the seal keeps it: 12 bytes, the position's bits above the
 * lowest 32 (8 bytes, big-endian), then those 32 (4 bytes). On PostgreSQL
 * that is the transaction id and the index in it, as the store has them.
 */
export function sealPositionBytes(position: Position): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.writeBigUInt64BE(position >> 32n, 0);
  bytes.writeUInt32BE(Number(position & 0xffffffffn), 8);
  return bytes;
}
