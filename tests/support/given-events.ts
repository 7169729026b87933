import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject, NewEvent, Position } from '../../infra/event-store/event-store.js';

/** An event a specification starts from, appended to the real store as the command side would. */
export interface GivenEvent {
  stream: string;
  type: string;
  data: JsonObject;
  /** Merged over valid metadata (CONTRACT section 2), e.g. `{ schemaVersion: 1 }` for an event an older version wrote. */
  metadata?: JsonObject;
  /** The event's id; random unless told. */
  id?: string;
}

export interface GivenOptions {
  /** metadata.schemaVersion of an event that names none; 1 unless told (pass the current versions when upcasters run). */
  schemaVersionOf?: (type: string) => number;
}

/**
 * Appends the events in the order given, one append per run of consecutive
 * events of one stream, so the log holds them in exactly that order.
 * Returns the position of the last one (undefined for none).
 */
export async function appendGiven(store: EventStore, events: readonly GivenEvent[], options: GivenOptions = {}): Promise<Position | undefined> {
  let last: Position | undefined;
  for (let start = 0; start < events.length; ) {
    const stream = events[start]!.stream;
    let end = start;
    while (end < events.length && events[end]!.stream === stream) end++;
    const batch = events.slice(start, end).map((event) => toNewEvent(event, options));
    last = (await store.appendToStream(stream, batch)).position;
    start = end;
  }
  return last;
}

function toNewEvent(event: GivenEvent, options: GivenOptions): NewEvent {
  const id = event.id ?? randomUUID();
  const metadata: JsonObject = {
    eventId: id,
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { type: 'system', id: 'specification' },
    tenantId: null,
    requestId: null,
    occurredAt: new Date().toISOString(),
    schemaVersion: options.schemaVersionOf?.(event.type) ?? 1,
    ...event.metadata,
  };
  return { id, type: event.type, data: event.data, metadata };
}
