import { ANY, ErrorType, NO_STREAM, STREAM_EXISTS, type AppendResult as ClientAppendResult, type AppendStreamState } from '@kurrent/kurrentdb-client';
import { DuplicateEventIdError, EventStoreUnavailableError, InvalidAppendError, WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult, ExpectedRevision, NewEvent } from '../event-store.js';
import type { SerializedPayloads } from '../serialize-payloads.js';
import { describe, errorType, isAccessDenied, isTimeout } from './client-errors.js';
import type { KurrentDbConnection } from './connection.js';
import { toEventData } from './events.js';
import { encodePosition } from './positions.js';
import { readStream } from './reads.js';

const MAX_ATTEMPTS = 4;
const RETRY_PAUSE_MS = 100;

/**
 * Appends with the server's own optimistic concurrency and idempotency (the same
 * event ids at the same expected revision answer the first write), retrying server
 * time-outs: the server drops a retry that arrives before the original write is
 * replicated, and the same ids are always safe to send again.
 */
export async function appendEvents(
  connection: KurrentDbConnection,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  payloads: SerializedPayloads,
): Promise<AppendResult> {
  const data = events.map(toEventData);
  const streamState = toStreamState(expected);
  const giveUpAt = Date.now() + connection.operationTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    const timeoutMs = Math.max(giveUpAt - Date.now(), 1);
    try {
      const result = await connection.call((client) => client.appendToStream(stream, data, { streamState, deadline: timeoutMs }), {
        grpc: true,
        timeoutMs,
      });
      return await answer(connection, stream, events, payloads, result);
    } catch (error) {
      const actual = wrongExpectedVersion(error);
      if (actual !== undefined) throw await conflict(connection, stream, events, expected, actual);
      if (!isTimeout(error)) throw translate(error, stream, connection);
      if (attempt >= MAX_ATTEMPTS || Date.now() + RETRY_PAUSE_MS >= giveUpAt) {
        throw new EventStoreUnavailableError(`EventStoreDB at ${connection.display} did not complete the append to ${stream} in time: ${describe(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt));
    }
  }
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

/**
 * The server answers one position for the whole write (its commit position),
 * and servers before 22.6 none for an idempotent retry, while the port wants
 * the last event's. And the server's idempotency looks at event ids only: a
 * retry carrying other types or payloads under the same ids is answered as if
 * it were the first write. Reading the events back tells both.
 */
async function answer(
  connection: KurrentDbConnection,
  stream: string,
  events: readonly NewEvent[],
  payloads: SerializedPayloads,
  result: ClientAppendResult,
): Promise<AppendResult> {
  const nextRevision = result.nextExpectedRevision;
  const first = nextRevision - BigInt(events.length) + 1n;
  const recorded = await readStream(connection, stream, { fromRevision: first, maxCount: events.length });
  const last = recorded[recorded.length - 1];
  if (!last || last.revision !== nextRevision) {
    throw new EventStoreUnavailableError(`stream ${stream}: revision ${nextRevision} was just written but cannot be read back`);
  }
  const same =
    recorded.length === events.length &&
    recorded.every(
      (event, i) =>
        event.id.toLowerCase() === events[i]!.id.toLowerCase() &&
        event.type === events[i]!.type &&
        JSON.stringify(event.data) === payloads.data[i] &&
        JSON.stringify(event.metadata) === payloads.metadata[i],
    );
  if (!same) throw new DuplicateEventIdError(stream, events.map((event) => event.id), 'already recorded with another type, payload or order');
  return { nextRevision, position: last.position };
}

/** The stream's revision from the client's WrongExpectedVersionError (-1n: no stream), if that is what this is. */
function wrongExpectedVersion(error: unknown): bigint | undefined {
  if (errorType(error) !== ErrorType.WRONG_EXPECTED_VERSION) return undefined;
  const actual = (error as { actualState?: unknown }).actualState;
  return typeof actual === 'bigint' ? actual : -1n;
}

/**
 * The server also answers "wrong expected version" when a batch starts with an event
 * already recorded at the place it would go but goes on with new ones (its "corrupted
 * idempotency"). That is the port's DuplicateEventIdError. `any` never conflicts
 * otherwise, nor does `exists` on a stream that exists; for a revision, the event
 * where the batch would start tells.
 */
async function conflict(
  connection: KurrentDbConnection,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  actual: bigint,
): Promise<Error> {
  if (await startsWithRecordedEvent(connection, stream, events, expected, actual)) {
    return new DuplicateEventIdError(stream, events.map((event) => event.id));
  }
  return new WrongExpectedRevisionError(stream, expected, actual);
}

async function startsWithRecordedEvent(
  connection: KurrentDbConnection,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  actual: bigint,
): Promise<boolean> {
  if (expected === 'any') return true;
  if (expected === 'exists') return actual >= 0n;
  const start = expected === 'no_stream' ? 0n : expected + 1n;
  if (actual < start) return false;
  const [recorded] = await readStream(connection, stream, { fromRevision: start, maxCount: 1 });
  return recorded !== undefined && recorded.id.toLowerCase() === events[0]!.id.toLowerCase();
}

function translate(error: unknown, stream: string, connection: KurrentDbConnection): unknown {
  if (error instanceof Error && !errorType(error)) return error;
  const type = errorType(error);
  if (isAccessDenied(error)) {
    return new EventStoreUnavailableError(`EventStoreDB at ${connection.display} denied the append to ${stream}: check the credentials`);
  }
  if (type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED || type === ErrorType.APPEND_RECORD_SIZE_EXCEEDED) {
    return new InvalidAppendError('events', `were refused by KurrentDB as too large: ${describe(error)}`);
  }
  return new Error(`EventStoreDB append to ${stream} failed: ${describe(error)}`);
}
