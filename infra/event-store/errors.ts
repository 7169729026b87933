import type { ExpectedRevision } from './event-store.js';

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event; -1n when the stream does not exist. */
    readonly actual: bigint,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual === -1n ? 'no stream' : String(actual)}`);
  }
}

/**
 * Some of the batch's event ids are already recorded, but not as this exact
 * append: in another stream, only some of them, or with another type or payload.
 */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly stream: string,
    readonly eventIds: readonly string[],
    how = 'already recorded elsewhere or in part',
  ) {
    super(`stream ${stream}: event ids ${how}: ${eventIds.slice(0, 5).join(', ')}`);
  }
}

export class EventStoreUnavailableError extends Error {
  override readonly name: string = 'EventStoreUnavailableError';
}

/** An append the store refuses as given, before sending anything. */
export class InvalidAppendError extends Error {
  override readonly name: string = 'InvalidAppendError';
  constructor(
    /** What is wrong, as the caller wrote it: `stream`, `expectedRevision`, `events[2].data`... */
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** An event whose data and metadata, as JSON text, exceed the store's limit (or an append whose events together do). */
export class EventTooLargeError extends InvalidAppendError {
  override readonly name = 'EventTooLargeError';
  constructor(
    field: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(field, `holds ${bytes} bytes of data and metadata as JSON, more than the limit of ${limitBytes}`);
  }
}

/** A read or subscription the store refuses as asked, before sending anything. */
export class InvalidReadError extends Error {
  override readonly name = 'InvalidReadError';
  constructor(
    /** `stream`, `fromRevision`, `maxCount`, `fromPosition`, `filter.eventTypes[0]`... */
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/**
 * The event store gave no answer in time. For an append the outcome is
 * unknown: it may have been written. Appending the same events again (same
 * ids) is safe: a retry of a written append answers its first result.
 */
export class EventStoreTimeoutError extends EventStoreUnavailableError {
  override readonly name = 'EventStoreTimeoutError';
}
