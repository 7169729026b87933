import { InvalidAppendError } from './errors.js';
import type { NewEvent } from './event-store.js';

/**
 * JSON.stringify writes U+0000 as `\u0000` and an unpaired surrogate as a
 * `\udXXX` escape (paired ones stay raw characters); an escape counts only
 * when an even number of backslashes stands before it.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** Most payloads hold no `\u` escape at all, which indexOf rules out far faster than the pattern. */
function unstorable(json: string): boolean {
  return json.includes('\\u') && UNSTORABLE_ESCAPE.test(json);
}

export interface SerializedPayloads {
  data: string[];
  metadata: string[];
}

/** The events' data and metadata as JSON text, refusing what PostgreSQL cannot store. */
export function serializePayloads(stream: string, events: readonly NewEvent[]): SerializedPayloads {
  const data: string[] = new Array(events.length);
  const metadata: string[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    data[i] = JSON.stringify(event.data);
    metadata[i] = JSON.stringify(event.metadata);
    if (unstorable(data[i]!) || unstorable(metadata[i]!)) {
      throw new InvalidAppendError(`stream ${stream}: event ${event.id} contains U+0000 or an unpaired surrogate, which are not storable JSON text`);
    }
  }
  return { data, metadata };
}
