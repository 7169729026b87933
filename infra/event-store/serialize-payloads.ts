import { EventTooLargeError, InvalidAppendError } from './errors.js';
import type { NewEvent } from './event-store.js';
import { jsonDeeperThan } from './json-depth.js';

/** The default bound on one event's data and metadata together, as UTF-8 JSON text. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
/**
 * The bound on one append's payloads together, whatever the event limit:
 * an append travels as one statement, whose text must stay far below what
 * a JavaScript string and a PostgreSQL value can hold.
 */
export const MAX_APPEND_BYTES = 64 * 1024 * 1024;
/** Payloads nested deeper are refused; readers may walk them recursively. */
export const MAX_JSON_DEPTH = 100;

/**
 * JSON.stringify writes U+0000 as `\u0000` and an unpaired surrogate as a
 * `\udXXX` escape (paired ones stay raw characters); an escape counts only
 * when an even number of backslashes stands before it.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * Whether JSON text holds U+0000 or an unpaired surrogate, which no store keeps as given.
 * Most payloads hold no `\u` escape at all, which indexOf rules out far faster than the pattern.
 */
export function unstorable(json: string): boolean {
  return json.includes('\\u') && UNSTORABLE_ESCAPE.test(json);
}

export interface SerializedPayloads {
  data: string[];
  metadata: string[];
  /** UTF-16 code units in all of them: what the statement carrying them will hold. */
  length: number;
}

/**
 * The events' data and metadata as JSON text, refusing what either store
 * could not keep as given: anything but a plain object, values JSON.stringify
 * throws on (BigInt, cycles, a throwing toJSON), nesting deeper than
 * MAX_JSON_DEPTH, U+0000 or an unpaired surrogate in any string, and an event
 * larger than `maxEventBytes`.
 */
export function serializePayloads(events: readonly NewEvent[], maxEventBytes: number, maxAppendBytes = MAX_APPEND_BYTES): SerializedPayloads {
  const data: string[] = new Array(events.length);
  const metadata: string[] = new Array(events.length);
  let length = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const eventData = serialize(event.data, `events[${i}].data`);
    const eventMetadata = serialize(event.metadata, `events[${i}].metadata`);
    const eventLength = eventData.length + eventMetadata.length;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: most events need no count.
    const eventBytes = eventLength * 3 <= maxEventBytes ? eventLength : Buffer.byteLength(eventData) + Buffer.byteLength(eventMetadata);
    if (eventBytes > maxEventBytes) throw new EventTooLargeError(`events[${i}]`, eventBytes, maxEventBytes);
    data[i] = eventData;
    metadata[i] = eventMetadata;
    length += eventLength;
  }
  if (length * 3 > maxAppendBytes) {
    const total = data.reduce((sum, text) => sum + Buffer.byteLength(text), 0) + metadata.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    if (total > maxAppendBytes) throw new EventTooLargeError('events', total, maxAppendBytes);
  }
  return { data, metadata, length };
}

function serialize(value: unknown, field: string): string {
  if (!isPlainObject(value)) throw new InvalidAppendError(field, `must be a plain object, not ${kindOf(value)}`);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // A cycle, a BigInt, a toJSON that throws, or nesting deep enough to overflow the stack.
    throw new InvalidAppendError(field, `cannot be written as JSON: ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'a value was thrown'}`);
  }
  // A toJSON method may have turned the object into something else.
  if (json === undefined || json.charCodeAt(0) !== 0x7b) throw new InvalidAppendError(field, 'must be written as a JSON object (a toJSON method returned something else)');
  if (jsonDeeperThan(json, MAX_JSON_DEPTH)) throw new InvalidAppendError(field, `must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  if (unstorable(json)) throw new InvalidAppendError(field, 'must not contain U+0000 or an unpaired UTF-16 surrogate in any string or key');
  return json;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  // Object.prototype of any realm (a vm context has its own): its own prototype is null.
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'a class'}`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
