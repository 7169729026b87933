import type { Position } from './event-store.js';

/** One event as the audit seal's verify needs it: where and which it is, and its leaf hash (domain/audit/hash-chain.ts). */
export interface SealLeaf {
  position: Position;
  id: string;
  stream: string;
  revision: bigint;
  leaf: string;
}

/**
 * A store that hashes its own events where they lie, so that verify reads
 * 32 bytes an event instead of the event. The leaf is of the payloads' text
 * as stored (domain/audit/hash-chain.ts, canonicalEvent), the same text the
 * seal hashes from `RecordedEvent.storedText`.
 */
/** A page of the log as the store chains it where its events lie. */
export interface ChainedPage {
  events: number;
  /** The chain's hash after the page's last event, chained from the hash given; null for an empty page. */
  hash: string | null;
  /** SHA-256 (hex) of the page's positions, in decimal, comma-separated; null for an empty page. */
  positions: string | null;
}

export interface SealLeafSource {
  /** Events after `after` up to and with `through`, in log order, at most `limit`. */
  readSealLeaves(after: Position | undefined, through: Position, limit: number): Promise<SealLeaf[]>;
  /** The events after `after` up to and with `through`, chained from `from` (domain/audit/hash-chain.ts), without one crossing the wire. */
  chainSealPage(after: Position | undefined, through: Position, from: string): Promise<ChainedPage>;
}

export function hashesSealLeaves(store: object): store is SealLeafSource {
  return typeof (store as Partial<SealLeafSource>).readSealLeaves === 'function';
}
