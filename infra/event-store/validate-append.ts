import { InvalidAppendError } from './errors.js';
import type { ExpectedRevision, NewEvent } from './event-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_EVENTS_PER_APPEND = 10_000;

/** The same rules for every adapter, checked before anything is sent. */
export function validateAppend(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  if (stream.length === 0 || stream.length > 256 || stream.startsWith('$')) {
    throw new InvalidAppendError(`invalid stream name ${JSON.stringify(stream.slice(0, 64))}: 1 to 256 characters, not starting with $`);
  }
  if (events.length === 0) throw new InvalidAppendError(`stream ${stream}: nothing to append`);
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidAppendError(`stream ${stream}: ${events.length} events in one append, at most ${MAX_EVENTS_PER_APPEND}`);
  }
  if (typeof expected === 'bigint' && expected < 0n) {
    throw new InvalidAppendError(`stream ${stream}: expected revision must be 0 or more, or any, no_stream, exists`);
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) throw new InvalidAppendError(`stream ${stream}: event id ${JSON.stringify(event.id)} is not a UUID`);
    if (ids.has(event.id.toLowerCase())) throw new InvalidAppendError(`stream ${stream}: event id ${event.id} appears twice in one append`);
    ids.add(event.id.toLowerCase());
    if (!event.type || event.type.length > 256 || event.type.startsWith('$')) {
      throw new InvalidAppendError(`stream ${stream}: invalid event type ${JSON.stringify(event.type)}`);
    }
  }
}
