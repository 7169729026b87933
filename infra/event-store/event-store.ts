/**
 * The event store port: one interface, two adapters (PostgreSQL and KurrentDB),
 * one contract test suite both must pass (tests/contract/event-store.contract.ts).
 */

/**
 * A place in the global log. Opaque to callers: totally ordered (compare with
 * `<`), serialised with `String(position)` and read back with `parsePosition`.
 * Each adapter chooses its own encoding; positions never cross adapters.
 */
export type Position = bigint;

export type ExpectedRevision = 'any' | 'no_stream' | 'exists' | bigint;

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

export interface NewEvent {
  /** A UUID chosen by the writer; appending the same id to the same stream again is a no-op. */
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

/**
 * `data` and `metadata` may be decoded on first access (getters), so copy
 * them by name: a spread `{ ...event }` may leave them out.
 */
export interface RecordedEvent {
  id: string;
  stream: string;
  revision: bigint;
  position: Position;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: Date;
  /** The payloads' text as stored, where the store keeps it (PostgreSQL): what the audit seal hashes. */
  readonly storedText?: { readonly data: string; readonly metadata: string };
  /** The time of recording as the store keeps it where that is finer than a Date (PostgreSQL: microseconds since 2000-01-01 UTC): what the audit seal packs. */
  readonly storedTime?: bigint;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: bigint;
  /** Global position of the last event of this append. */
  position: Position;
}

export interface ReadStreamOptions {
  /** Inclusive: forwards from here, or backwards from here. */
  fromRevision?: bigint;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

/** Both parts narrow the selection: an event must match each part that is given. */
export interface EventFilter {
  /** Stream name prefixes, e.g. `post-` for the post category. */
  streamPrefixes?: readonly string[];
  eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: the events after this position. Omitted: from the start of the log. */
  fromPosition?: Position;
  maxCount?: number;
  filter?: EventFilter;
}

export type SubscriptionItem =
  | { kind: 'event'; event: RecordedEvent }
  /**
   * The subscription has delivered everything committed so far; sent once on
   * reaching the head, then only events follow. `position` may be ahead of the
   * last delivered event when a filter hid the events in between.
   */
  | { kind: 'caught-up'; position: Position | undefined }
  /**
   * Sent from time to time after caught-up, not after every event.
   * Everything up to `position` has been read, including events the filter
   * hid: a consumer may store it as its checkpoint and resume after it.
   */
  | { kind: 'checkpoint'; position: Position };

export interface SubscribeOptions {
  /** Exclusive, like `readAll`. Omitted: from the start of the log. */
  fromPosition?: Position;
  filter?: EventFilter;
  /**
   * At the head of the log, read again at most this often: a subscriber in no
   * hurry (the audit seal) takes what commits meanwhile in one read, instead
   * of a read for every commit. PostgreSQL's subscription reads when woken;
   * KurrentDB's pushes events and has no use for it.
   */
  readAtMostEveryMs?: number;
}

/** Catch-up then live; iterate with `for await`, stop with `close()` or `break`. */
export interface Subscription extends AsyncIterable<SubscriptionItem> {
  close(): Promise<void>;
}

export interface EventStoreHealth {
  ok: boolean;
  /** One line, safe to show: no credentials. */
  detail: string;
}

export interface EventStore {
  readonly kind: 'postgres' | 'kurrentdb';
  appendToStream(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** A missing stream reads as an empty list. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Global order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the newest event in the log, if any. */
  headPosition(): Promise<Position | undefined>;
  health(): Promise<EventStoreHealth>;
  close(): Promise<void>;
}

export function parsePosition(text: string): Position {
  if (!/^\d{1,40}$/.test(text)) throw new InvalidPositionError(text);
  return BigInt(text);
}

export class InvalidPositionError extends Error {
  override readonly name = 'InvalidPositionError';
  constructor(readonly text: string) {
    super(`not a log position: ${JSON.stringify(text.slice(0, 60))}`);
  }
}
