import { InvalidAppendError } from './errors.js';
import type { ExpectedRevision, NewEvent } from './event-store.js';
import { describeValue, nameProblem } from './names.js';
import { MAX_REVISION } from './validate-read.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_EVENTS_PER_APPEND = 10_000;
const EXPECTATIONS: readonly unknown[] = ['any', 'no_stream', 'exists'];

/**
 * The same rules for every adapter, checked before anything is sent. The
 * payloads are checked as they are serialised (serialize-payloads.ts).
 */
export function validateAppend(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  const streamProblem = nameProblem(stream);
  if (streamProblem) throw new InvalidAppendError('stream', streamProblem);
  validateExpectedRevision(expected);
  if (!Array.isArray(events)) throw new InvalidAppendError('events', 'must be an array');
  if (events.length === 0) throw new InvalidAppendError('events', 'must not be empty');
  if (events.length > MAX_EVENTS_PER_APPEND) throw new InvalidAppendError('events', `must hold at most ${MAX_EVENTS_PER_APPEND} events, not ${events.length}`);
  const ids = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const event: unknown = events[i];
    if (typeof event !== 'object' || event === null) throw new InvalidAppendError(`events[${i}]`, 'must be an object');
    const { id, type } = event as Partial<NewEvent>;
    if (typeof id !== 'string' || !UUID.test(id)) throw new InvalidAppendError(`events[${i}].id`, `must be a UUID, not ${describeValue(id)}`);
    const key = id.toLowerCase();
    if (ids.has(key)) throw new InvalidAppendError(`events[${i}].id`, `must be unique in the append: ${id} appears twice`);
    ids.add(key);
    const typeProblem = nameProblem(type);
    if (typeProblem) throw new InvalidAppendError(`events[${i}].type`, typeProblem);
  }
}

function validateExpectedRevision(expected: unknown): void {
  if (typeof expected === 'bigint') {
    if (expected < 0n || expected > MAX_REVISION) throw new InvalidAppendError('expectedRevision', `must be between 0 and 2^63 - 1, not ${expected}`);
  } else if (!EXPECTATIONS.includes(expected)) {
    throw new InvalidAppendError('expectedRevision', `must be any, no_stream, exists or a bigint revision, not ${describeValue(expected)}`);
  }
}
