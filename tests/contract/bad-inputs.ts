import type { EventStore, JsonObject, NewEvent, Position } from '../../infra/event-store/event-store.js';
import { newEvent } from '../support/events.js';

/** A call the store must refuse before any I/O, the error class it must throw, and the field that error must name. */
export interface BadInput {
  name: string;
  error: 'InvalidAppendError' | 'InvalidReadError';
  field: string;
  call(store: EventStore, stream: string): Promise<unknown>;
}

/** Bypasses the types, as a JavaScript caller or a bug would. */
function untyped<T>(value: unknown): T {
  return value as T;
}

function nested(depth: number): JsonObject {
  let inner: JsonObject = {};
  for (let level = 1; level < depth; level++) inner = { inner };
  return inner;
}

const circular: Record<string, unknown> = { name: 'loop' };
circular['self'] = circular;

function withData(data: unknown): NewEvent {
  return { ...newEvent(), data: untyped<JsonObject>(data) };
}

function badAppend(name: string, field: string, append: (store: EventStore, stream: string) => Promise<unknown>): BadInput {
  return { name, error: 'InvalidAppendError', field, call: append };
}

function badData(name: string, data: unknown): BadInput {
  return badAppend(name, 'events[1].data', (store, stream) => store.appendToStream(stream, [newEvent(), withData(data)]));
}

function badRead(name: string, field: string, read: (store: EventStore, stream: string) => Promise<unknown>): BadInput {
  return { name, error: 'InvalidReadError', field, call: read };
}

/** Positions past the largest either adapter can hand out (PostgreSQL's limit is checked by the contract on its own). */
const BEYOND_EVERY_POSITION: Position = 2n ** 128n;

export const badInputs: readonly BadInput[] = [
  badAppend('a stream name with an unpaired surrogate', 'stream', (store, stream) => store.appendToStream(`${stream}-\ud800`, [newEvent()])),
  badAppend('a stream name with a reversed surrogate pair', 'stream', (store, stream) => store.appendToStream(`${stream}-\udc00\ud800`, [newEvent()])),
  badAppend('a stream name with U+0000', 'stream', (store, stream) => store.appendToStream(`${stream}-\u0000`, [newEvent()])),
  badAppend('a stream name of 257 characters', 'stream', (store) => store.appendToStream('s'.repeat(257), [newEvent()])),
  badAppend('a stream name starting with $', 'stream', (store, stream) => store.appendToStream(`$${stream}`, [newEvent()])),
  badAppend('a stream name that is not a string', 'stream', (store) => store.appendToStream(untyped<string>(42), [newEvent()])),
  badAppend('an event type with an unpaired surrogate', 'events[0].type', (store, stream) => store.appendToStream(stream, [newEvent('Type\udbff')])),
  badAppend('an event type with U+0000', 'events[0].type', (store, stream) => store.appendToStream(stream, [newEvent('Type\u0000')])),
  badAppend('an event that is not an object', 'events[1]', (store, stream) => store.appendToStream(stream, [newEvent(), untyped<NewEvent>(null)])),
  badAppend('events that are not an array', 'events', (store, stream) => store.appendToStream(stream, untyped<NewEvent[]>({ length: 1 }))),
  badData('undefined data', undefined),
  badData('a function as data', () => ({})),
  badData('an array as data', [1, 2]),
  badData('null as data', null),
  badData('a Map as data', new Map([['a', 1]])),
  badData('a BigInt inside data', { amount: 10n }),
  badData('circular data', circular),
  badData('data whose toJSON throws', { when: { toJSON: () => { throw new Error('no'); } } }),
  badData('data whose toJSON returns something else than an object', { toJSON: () => 'text' }),
  badData('data nested 5,000 levels deep', nested(5_000)),
  badData('data nested 101 levels deep', nested(101)),
  badAppend('undefined metadata', 'events[0].metadata', (store, stream) => store.appendToStream(stream, [{ ...newEvent(), metadata: untyped<JsonObject>(undefined) }])),
  badAppend('an expected revision of 2^63', 'expectedRevision', (store, stream) => store.appendToStream(stream, [newEvent()], { expectedRevision: 2n ** 63n })),
  badAppend('a negative expected revision', 'expectedRevision', (store, stream) => store.appendToStream(stream, [newEvent()], { expectedRevision: -1n })),
  badAppend('an expected revision given as a number', 'expectedRevision', (store, stream) =>
    store.appendToStream(stream, [newEvent()], { expectedRevision: untyped<bigint>(3) }),
  ),
  badAppend('an unknown expectation', 'expectedRevision', (store, stream) => store.appendToStream(stream, [newEvent()], { expectedRevision: untyped<bigint>('latest') })),
  badRead('a read of a stream name with U+0000', 'stream', (store, stream) => store.readStream(`${stream}\u0000`)),
  badRead('a read of a stream name with an unpaired surrogate', 'stream', (store, stream) => store.readStream(`${stream}\udfff`)),
  badRead('a read from revision 2^63', 'fromRevision', (store, stream) => store.readStream(stream, { fromRevision: 2n ** 63n })),
  badRead('a read from a negative revision', 'fromRevision', (store, stream) => store.readStream(stream, { fromRevision: -1n })),
  badRead('a read of -1 events', 'maxCount', (store, stream) => store.readStream(stream, { maxCount: -1 })),
  badRead('a read of 1.5 events', 'maxCount', (store, stream) => store.readStream(stream, { maxCount: 1.5 })),
  badRead('a read in an unknown direction', 'direction', (store, stream) => store.readStream(stream, { direction: untyped<'forwards'>('sideways') })),
  badRead('a read of all from a negative position', 'fromPosition', (store) => store.readAll({ fromPosition: -1n })),
  badRead('a read of all from past every position', 'fromPosition', (store) => store.readAll({ fromPosition: BEYOND_EVERY_POSITION })),
  badRead('a read of all of NaN events', 'maxCount', (store) => store.readAll({ maxCount: Number.NaN })),
  badRead('a read of all filtered by a prefix with U+0000', 'filter.streamPrefixes[1]', (store, stream) =>
    store.readAll({ filter: { streamPrefixes: [stream, 'a\u0000'] } }),
  ),
  badRead('a read of all filtered by a type with an unpaired surrogate', 'filter.eventTypes[0]', (store) => store.readAll({ filter: { eventTypes: ['\ud800'] } })),
  badRead('a subscription from a negative position', 'fromPosition', async (store) => store.subscribeToAll({ fromPosition: -1n })),
  badRead('a subscription from past every position', 'fromPosition', async (store) => store.subscribeToAll({ fromPosition: BEYOND_EVERY_POSITION })),
  badRead('a subscription reading at most every -1 ms', 'readAtMostEveryMs', async (store) => store.subscribeToAll({ readAtMostEveryMs: -1 })),
];
