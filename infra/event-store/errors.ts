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

/** Some of the batch's event ids are already recorded, but not as this exact append. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly stream: string, readonly eventIds: readonly string[]) {
    super(`stream ${stream}: event ids already recorded elsewhere or in part: ${eventIds.slice(0, 5).join(', ')}`);
  }
}

export class EventStoreUnavailableError extends Error {
  override readonly name: string = 'EventStoreUnavailableError';
}

export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
}

/**
 * The event store gave no answer in time. For an append the outcome is
 * unknown: it may have been written. Appending the same events again (same
 * ids) is safe: a retry of a written append answers its first result.
 */
export class EventStoreTimeoutError extends EventStoreUnavailableError {
  override readonly name = 'EventStoreTimeoutError';
}
