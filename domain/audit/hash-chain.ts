import { hash } from 'node:crypto';

/**
 * The audit seal's hash chain over the global order of the log, a link per
 * stretch of events: `h(k) = SHA-256(h(k-1) || record(a) || … || record(b))`
 * for the stretch of events a…b, written in hex, starting from GENESIS_HASH,
 * where an event's record is its leaf `SHA-256(canonical(event))`, what its
 * appender wrote, followed by where, which and when it landed: position, id,
 * revision and time of recording, as the store packs them
 * (infra/event-store/seal-leaves.ts, sealRecord). A change, deletion,
 * insertion or reordering of any event changes its stretch's hash and every
 * hash after it, so one hash (a digest) vouches for the whole history before it.
 *
 * The leaf covers only what the appender knows before the store takes the
 * event, so that an appender can hash it where the payloads' text is at hand
 * (PostgreSQL's appends store it beside the event, and the seal packs it
 * instead of hashing the event again: infra/event-store/postgres/seal-leaves.ts);
 * verify always hashes the event again. Where the seal breaks the log into
 * stretches is its own choice (as it follows the appends): each stretch is
 * one row of the seal and one link of the chain, which costs a busy log a
 * link per few hundred events rather than one per event.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** What an event's leaf covers: what its appender wrote but its id (its record in the chain adds that, with where and when it landed). */
export interface SealedEvent {
  readonly stream: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  /** The payloads' text as the store keeps it, where the store has it (PostgreSQL does). */
  readonly storedText?: { readonly data: string; readonly metadata: string };
}

/**
 * The bytes hashed for an event: one JSON array `[stream, type, data,
 * metadata]`, the payloads as the store keeps their text (PostgreSQL's
 * `json` keeps it as written), so the seal covers the bytes stored and a
 * payload re-written in another form with the same content is a change too.
 * A store that hands out parsed payloads only (KurrentDB's client) gives
 * them as JSON.stringify writes them, which is how every append wrote them.
 * PostgreSQL builds the same text from its columns
 * (infra/event-store/postgres/seal-leaves.ts); a test holds the two to each other.
 */
export function canonicalEvent(event: SealedEvent): string {
  const stored = event.storedText;
  return canonicalText(event.stream, event.type, stored ? stored.data : JSON.stringify(event.data), stored ? stored.metadata : JSON.stringify(event.metadata));
}

/** canonicalEvent from the payloads' text, as an appender has it. */
export function canonicalText(stream: string, type: string, data: string, metadata: string): string {
  return `[${JSON.stringify(stream)},${JSON.stringify(type)},${data},${metadata}]`;
}

/** The hash of one event alone (hex). */
export function leafHash(event: SealedEvent): string {
  // One-shot hash: about twice as fast as createHash().update().digest() per event.
  return hash('sha256', canonicalEvent(event), 'hex');
}

/** The chain's hash after a stretch of events, given the hash before it and the stretch's records, in log order. */
export function stretchLink(previous: string, records: Buffer): string {
  return hash('sha256', Buffer.concat([Buffer.from(previous, 'hex'), records]), 'hex');
}
