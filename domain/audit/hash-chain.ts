import { hash } from 'node:crypto';

/**
 * The audit seal's hash chain over the global order of the log, a link per
 * stretch of events: `h(k) = SHA-256(h(k-1) || record(a) || … || record(b))`
 * for the stretch of events a…b, written in hex, starting from GENESIS_HASH,
 * where an event's record is its leaf `SHA-256(canonical(event))` followed by
 * where and which it is: position, id and revision, as the store packs them
 * (infra/event-store/seal-leaves.ts, sealRecord). A
 * change, deletion, insertion or reordering of any event changes its
 * stretch's hash and every hash after it, so one hash (a digest) vouches for
 * the whole history before it.
 *
 * Leaves are hashed apart from the chain so that a store can hash its events
 * where they lie (PostgreSQL does: infra/event-store/postgres/seal-leaves.ts)
 * and keep or send a record of 68 bytes an event instead of the event. Where the seal
 * breaks the log into stretches is its own choice (as it follows the
 * appends): each stretch is one row of the seal and one link of the chain,
 * which costs a busy log a link per few hundred events rather than one per
 * event.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** What an event's leaf covers: all the store keeps of it but its position (its record in the chain adds that). */
export interface SealedEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recordedAt: Date;
  /** The payloads' text as the store keeps it, where the store has it (PostgreSQL does). */
  readonly storedText?: { readonly data: string; readonly metadata: string };
}

/**
 * The bytes hashed for an event: one JSON array
 * `[stream, revision, id, type, recordedAt, data, metadata]` (the time as
 * canonicalTime writes it), the payloads as
 * the store keeps their text (PostgreSQL's `json` keeps it as written), so the
 * seal covers the bytes stored and a payload re-written in another form with
 * the same content is a change too. A store that hands out parsed payloads
 * only (KurrentDB's client) gives them as JSON.stringify writes them, which is
 * how every append wrote them. PostgreSQL builds the same text from its
 * columns (infra/event-store/postgres/seal-leaves.ts); a test holds the two
 * to each other.
 */
export function canonicalEvent(event: SealedEvent): string {
  const head = JSON.stringify([event.stream, String(event.revision), event.id, event.type, canonicalTime(event.recordedAt)]);
  const stored = event.storedText;
  const data = stored ? stored.data : JSON.stringify(event.data);
  const metadata = stored ? stored.metadata : JSON.stringify(event.metadata);
  return `${head.slice(0, -1)},${data},${metadata}]`;
}

/**
 * The time of recording as PostgreSQL's `to_json` writes a timestamp cut to
 * milliseconds: ISO 8601 in UTC without a zone, the fraction without its
 * trailing zeros (`2026-01-02T03:04:05.6`, `…:05` for a whole second). It
 * costs PostgreSQL a tenth of `to_char`'s fixed format when it hashes leaves.
 */
export function canonicalTime(time: Date): string {
  const iso = time.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return fraction === '' ? iso.slice(0, 19) : `${iso.slice(0, 19)}.${fraction}`;
}

/** The hash of one event alone. */
export function leafHash(event: SealedEvent): string {
  // One-shot hash: about twice as fast as createHash().update().digest() per event.
  return hash('sha256', canonicalEvent(event), 'hex');
}

/** The chain's hash after a stretch of events, given the hash before it and the stretch's records, in log order. */
export function stretchLink(previous: string, records: Buffer): string {
  return hash('sha256', Buffer.concat([Buffer.from(previous, 'hex'), records]), 'hex');
}
