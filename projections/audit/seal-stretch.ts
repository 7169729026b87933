import { leafHash, stretchLink, type SealedEvent } from '../../domain/audit/hash-chain.js';
import type { Position } from '../../infra/event-store/event-store.js';
import { readSealRecord, SEAL_RECORD_BYTES, SEAL_RECORD_ID_AT, sealRecord, sealTime, type SealLeaf } from '../../infra/event-store/seal-leaves.js';

/**
 * One row of the seal: a stretch of the log, in order, as the chain links it
 * (domain/audit/hash-chain.ts): each event's record (leaf, position, id,
 * revision and time, 76 bytes: sealRecord) packed in one column, and the streams
 * apart, which name an event that does not match. PostgreSQL writes the same
 * row where the events lie (sealSpan in infra/event-store/postgres/seal-leaves.ts).
 */
export interface SealStretchRow {
  /** The stretch's last event. */
  position: Position;
  events: number;
  /** The chain's hash after the stretch (hex). */
  hash: string;
  records: Buffer;
  streams: string[];
}

export const SEAL_STRETCH_COLUMNS = `
  position numeric(40,0) PRIMARY KEY,
  events int NOT NULL,
  hash text NOT NULL,
  records bytea NOT NULL,
  streams text[] NOT NULL`;

/** An event as the log holds it, all the seal covers of it. */
export type LoggedEvent = SealedEvent & { readonly id: string; readonly position: Position; readonly revision: bigint; readonly recordedAt: Date; readonly storedTime?: bigint };

/** What the seal packs of an event read from the log, hashed in Node. */
export function sealLeafOf(event: LoggedEvent): SealLeaf {
  return { position: event.position, id: event.id, stream: event.stream, revision: event.revision, recorded: event.storedTime ?? sealTime(event.recordedAt), leaf: leafHash(event) };
}

/** The row sealing `events` (in log order, at least one) after a chain ending on `previous`. */
export function stretchRowOf(events: readonly LoggedEvent[], previous: string): SealStretchRow {
  const records = Buffer.concat(events.map((event) => sealRecord(sealLeafOf(event))));
  return { position: events.at(-1)!.position, events: events.length, hash: stretchLink(previous, records), records, streams: events.map((event) => event.stream) };
}

/** The events a stretch row sealed, in order, as the log's side of verify reads them. */
export function sealedEventsOf(row: Pick<SealStretchRow, 'events' | 'records' | 'streams'>): SealLeaf[] {
  return Array.from({ length: row.events }, (_, i) => ({ ...readSealRecord(row.records, i), stream: row.streams[i] ?? '' }));
}

/** Where in a stretch's records the event with this id sits (its index), or -1. */
export function indexOfEventId(records: Buffer, id: string): number {
  const wanted = Buffer.from(id.replaceAll('-', ''), 'hex');
  for (let at = records.indexOf(wanted); at !== -1; at = records.indexOf(wanted, at + 1)) if (at % SEAL_RECORD_BYTES === SEAL_RECORD_ID_AT) return (at - SEAL_RECORD_ID_AT) / SEAL_RECORD_BYTES;
  return -1;
}
