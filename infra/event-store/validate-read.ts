import { InvalidReadError } from './errors.js';
import type { EventFilter, Position, ReadAllOptions, ReadStreamOptions, SubscribeOptions } from './event-store.js';
import { describeValue, nameProblem, textProblem } from './names.js';

/** Revisions are signed 64-bit integers in both stores. */
export const MAX_REVISION = 2n ** 63n - 1n;

/** The same rules for every adapter, checked before anything is sent. */
export function validateReadStream(stream: string, options: ReadStreamOptions): void {
  const problem = nameProblem(stream);
  if (problem) throw new InvalidReadError('stream', problem);
  const { fromRevision, direction, maxCount } = options;
  if (fromRevision !== undefined && (typeof fromRevision !== 'bigint' || fromRevision < 0n || fromRevision > MAX_REVISION)) {
    throw new InvalidReadError('fromRevision', `must be a bigint between 0 and 2^63 - 1, not ${describeValue(fromRevision)}`);
  }
  if (direction !== undefined && direction !== 'forwards' && direction !== 'backwards') {
    throw new InvalidReadError('direction', `must be forwards or backwards, not ${describeValue(direction)}`);
  }
  validateMaxCount(maxCount);
}

/** `positionLimit`: the adapter's positions are below it (they encode two integers in one). */
export function validateReadAll(options: ReadAllOptions, positionLimit: Position): void {
  validatePosition(options.fromPosition, positionLimit);
  validateMaxCount(options.maxCount);
  validateFilter(options.filter);
}

export function validateSubscribe(options: SubscribeOptions, positionLimit: Position): void {
  validatePosition(options.fromPosition, positionLimit);
  validateFilter(options.filter);
  const every = options.readAtMostEveryMs;
  if (every !== undefined && !(Number.isSafeInteger(every) && every >= 0)) {
    throw new InvalidReadError('readAtMostEveryMs', `must be a whole number of milliseconds, 0 or more, not ${describeValue(every)}`);
  }
}

function validatePosition(position: Position | undefined, limit: Position): void {
  if (position === undefined) return;
  if (typeof position !== 'bigint' || position < 0n || position >= limit) {
    throw new InvalidReadError('fromPosition', `must be a position this store handed out, not ${describeValue(position)}`);
  }
}

function validateMaxCount(maxCount: number | undefined): void {
  if (maxCount !== undefined && !(Number.isSafeInteger(maxCount) && maxCount >= 0)) {
    throw new InvalidReadError('maxCount', `must be a whole number, 0 or more, not ${describeValue(maxCount)}`);
  }
}

function validateFilter(filter: EventFilter | undefined): void {
  if (filter === undefined) return;
  validateTexts('filter.streamPrefixes', filter.streamPrefixes);
  validateTexts('filter.eventTypes', filter.eventTypes);
}

function validateTexts(field: string, texts: readonly string[] | undefined): void {
  if (texts === undefined) return;
  if (!Array.isArray(texts)) throw new InvalidReadError(field, 'must be an array of strings');
  texts.forEach((text: unknown, index) => {
    const problem = typeof text === 'string' ? textProblem(text) : 'must be a string';
    if (problem) throw new InvalidReadError(`${field}[${index}]`, problem);
  });
}
