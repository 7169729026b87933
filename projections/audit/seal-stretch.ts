import { leafHash, stretchLink, type SealedEvent } from '../../domain/audit/hash-chain.js';
import type { Position } from '../../infra/event-store/event-store.js';
import { sealPositionBytes, type SealLeaf } from '../../infra/event-store/seal-leaves.js';

/**
 * One row of the seal: a stretch of the log, in order, as the chain links it
 * (domain/audit/hash-chain.ts). Per event it keeps 32 bytes of leaf, 12 of
 * position (sealPositionBytes), 16 of id and 8 of revision, and the stream's
 * name: the leaves are what verify compares, the rest names an event that
 * does not match. PostgreSQL writes the same row where the events lie
 * (sealSpan in infra/event-store/postgres/seal-leaves.ts).
 */
export interface SealStretchRow {
  /** The stretch's last event. */
  position: Position;
  events: number;
  /** The chain's hash after the stretch (hex). */
  hash: string;
  leaves: Buffer;
  positions: Buffer;
  event_ids: Buffer;
  revisions: Buffer;
  streams: string[];
}

export const SEAL_STRETCH_COLUMNS = `
  position numeric(40,0) PRIMARY KEY,
  events int NOT NULL,
  hash text NOT NULL,
  leaves bytea NOT NULL,
  positions bytea NOT NULL,
  event_ids bytea NOT NULL,
  revisions bytea NOT NULL,
  streams text[] NOT NULL`;

const LEAF_BYTES = 32;
const POSITION_BYTES = 12;
const ID_BYTES = 16;
const REVISION_BYTES = 8;

/** The row sealing `events` (in log order, at least one) after a chain ending on `previous`. */
export function stretchRowOf(events: readonly (SealedEvent & { position: Position })[], previous: string): SealStretchRow {
  const leaves = events.map((event) => leafHash(event));
  const revisions = Buffer.alloc(events.length * REVISION_BYTES);
  events.forEach((event, i) => revisions.writeBigInt64BE(event.revision, i * REVISION_BYTES));
  return {
    position: events.at(-1)!.position,
    events: events.length,
    hash: stretchLink(previous, leaves),
    leaves: Buffer.from(leaves.join(''), 'hex'),
    positions: Buffer.concat(events.map((event) => sealPositionBytes(event.position))),
    event_ids: Buffer.from(events.map((event) => event.id.replaceAll('-', '')).join(''), 'hex'),
    revisions,
    streams: events.map((event) => event.stream),
  };
}

/** The events a stretch row sealed, in order, as the log's side of verify reads them. */
export function sealedEventsOf(row: Pick<SealStretchRow, 'events' | 'leaves' | 'positions' | 'event_ids' | 'revisions' | 'streams'>): SealLeaf[] {
  const sealed: SealLeaf[] = [];
  for (let i = 0; i < row.events; i++) {
    const at = i * POSITION_BYTES;
    sealed.push({
      position: (row.positions.readBigUInt64BE(at) << 32n) | BigInt(row.positions.readUInt32BE(at + 8)),
      id: uuidText(row.event_ids.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)),
      stream: row.streams[i] ?? '',
      revision: row.revisions.readBigInt64BE(i * REVISION_BYTES),
      leaf: row.leaves.toString('hex', i * LEAF_BYTES, (i + 1) * LEAF_BYTES),
    });
  }
  return sealed;
}

/** Where in a stretch's ids an event id sits (its index), or -1. */
export function indexOfEventId(eventIds: Buffer, id: string): number {
  const wanted = Buffer.from(id.replaceAll('-', ''), 'hex');
  for (let at = eventIds.indexOf(wanted); at !== -1; at = eventIds.indexOf(wanted, at + 1)) if (at % ID_BYTES === 0) return at / ID_BYTES;
  return -1;
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
