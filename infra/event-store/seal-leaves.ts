import type { Position } from './event-store.js';

/** One event as the audit seal's verify needs it: where and which it is, and its leaf hash (domain/audit/hash-chain.ts). */
export interface SealLeaf {
  position: Position;
  id: string;
  stream: string;
  revision: bigint;
  leaf: string;
}

/** A stretch of the log as the store hashes it where its events lie, for verify's quick pass. */
export interface HashedLeaves {
  events: number;
  /** SHA-256 (hex) of the events' leaves, as raw bytes, in log order; null when there are none. */
  leaves: string | null;
  /** SHA-256 (hex) of their positions, each as sealPositionBytes writes it, in log order; null when there are none. */
  positions: string | null;
}

/**
 * A store that hashes its own events where they lie, so that verify reads
 * 32 bytes an event, or nothing of them, instead of the events. The leaf is
 * of the payloads' text as stored (domain/audit/hash-chain.ts,
 * canonicalEvent), the same text the seal hashes from `RecordedEvent.storedText`.
 */
export interface SealLeafSource {
  /** Events after `after` up to and with `through`, in log order, at most `limit`. */
  readSealLeaves(after: Position | undefined, through: Position, limit: number): Promise<SealLeaf[]>;
  /** The events after `after` up to and with `through`, hashed without one crossing the wire. */
  hashSealLeaves(after: Position | undefined, through: Position): Promise<HashedLeaves>;
}

export function hashesSealLeaves(store: object): store is SealLeafSource {
  return typeof (store as Partial<SealLeafSource>).readSealLeaves === 'function';
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
