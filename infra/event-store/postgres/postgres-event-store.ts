import pg from 'pg';
import type { Logger } from '../../logging/logger.js';
import { DuplicateEventIdError, EventStoreTimeoutError, EventStoreUnavailableError, InvalidAppendError, InvalidReadError, WrongExpectedRevisionError } from '../errors.js';
import type {
  AppendOptions,
  AppendResult,
  EventFilter,
  ExpectedRevision,
  EventStore,
  EventStoreHealth,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.js';
import { readHorizon, type Horizon } from './horizon.js';
import { Notifier } from './notifier.js';
import { decodeEventTuple, decodePosition, encodePosition, EVENT_TUPLE_COLUMNS, EVENT_TUPLE_WIDTH, POSITION_LIMIT, tailEvents } from './rows.js';
import { DEFAULT_LOG_TAIL_LIMITS, LogTail, type LogTailLimits } from './log-tail.js';
import { copyOut, type TupleDecoder } from './binary-copy.js';
import { appendLeaves } from './append-leaves.js';
import { decodeSealLeafTuple, SEAL_LEAF_COLUMNS, SEAL_LEAF_WIDTH, HASHED_RECORDS_SQL, READ_RANGE_BY_INDEX_SQL } from './seal-leaves.js';
import type { HashedRecords, SealLeaf, SealLeafSource } from '../seal-leaves.js';
import type { PositionSource } from '../position-source.js';
import { PostgresSubscription, type Span, type SubscriptionReads } from './subscription.js';
import { AppendBatcher } from './append-batcher.js';
import type { AppendOutcome, PreparedAppend } from './append-statements.js';
import { DEFAULT_MAX_EVENT_BYTES, serializePayloads } from '../serialize-payloads.js';
import { validateAppend } from '../validate-append.js';
import { validateReadAll, validateReadStream, validateSubscribe } from '../validate-read.js';
import { StreamQueue } from '../../stream-queue.js';
import { clientLiveness, DEADLINE_GRACE_MS, SERVER_SIDE_LIVENESS, sessionOptions } from '../../postgres/connection-liveness.js';
import { SocketRegistry } from '../../postgres/socket-registry.js';
import { OverdueAppends } from './overdue-appends.js';

export interface PostgresEventStoreOptions {
  connectionString: string;
  logger: Logger;
  poolSize?: number;
  /** Longest wait for a wake-up before a live subscription polls anyway. */
  pollIntervalMs?: number;
  /**
   * Upper bound on one append statement, and so on how long it can hold readers back.
   * Every call gets an answer within it plus DEADLINE_GRACE_MS, whatever the network does.
   */
  appendTimeoutMs?: number;
  /** Opening a connection gives up after this long. */
  connectTimeoutMs?: number;
  /** How often the LISTEN connection is checked for an answer (it is replaced when none comes within as long). */
  listenerCheckMs?: number;
  pageSize?: number;
  /** How long an in-flight append may hold subscribers back before it is logged. */
  stallWarningMs?: number;
  /**
   * Append statements running at once; appends arriving meanwhile are sent
   * together as one. Two keep the server busy on small machines while
   * letting concurrent appends share commits.
   */
  appendStatementsInFlight?: number;
  /** Largest event (data and metadata as UTF-8 JSON) an append may carry; 1 MiB unless told. */
  maxEventBytes?: number;
  /** How much of the log's end the subscriptions share (log-tail.ts). */
  logTail?: Partial<LogTailLimits>;
  /**
   * Whether appends hash each event's seal leaf and store it beside the
   * event (append-leaves.ts), for the audit seal to pack; true
   * unless told. Without them the seal hashes the events itself.
   */
  sealLeaves?: boolean;
}

interface RecordedIdRow {
  event_id: string;
  stream_id: string;
  stream_revision: string;
  tx_id: string;
  idx: number;
  event_type: string;
  data: string;
  metadata: string;
}

const EVENT_ID_CONSTRAINT = 'events_event_id_idx';
const UNIQUE_VIOLATION = '23505';
const INVALID_TEXT = new Set(['22P05', '22P02', '22021']);
/** Attempts when appends from other processes keep taking the stream's next revision; a short random pause between them breaks the lockstep. */
const MAX_UNIQUE_ATTEMPTS = 20;
const RACE_PAUSE_MS = 5;
const STATEMENT_TIMEOUT = '57014';
export { DEADLINE_GRACE_MS };
/** Closing waits this long for connections to end politely, then cuts their sockets. */
const CLOSE_GRACE_MS = 2_000;

export class PostgresEventStore implements EventStore, SealLeafSource, PositionSource {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly notifier: Notifier;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private readonly appends: AppendBatcher;
  private readonly appendTimeoutMs: number;
  private readonly overdueAppends: OverdueAppends;
  private readonly sockets = new SocketRegistry();
  private readonly streamQueue = new StreamQueue();
  private readonly maxEventBytes: number;
  private lastHorizon: Horizon | undefined;
  /** Pages for subscriptions: the log's end read once for all of them. */
  private readonly tail: LogTail;

  private constructor(private readonly options: PostgresEventStoreOptions) {
    this.appendTimeoutMs = options.appendTimeoutMs ?? 30_000;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'chronicle-event-store',
      // synchronous_commit on whatever the server says: an append is acknowledged
      // only once durable, and positions rely on a visible commit being on disk.
      // The server-side liveness settings end a session whose client vanished.
      options: sessionOptions({ TimeZone: 'UTC', synchronous_commit: 'on', ...SERVER_SIDE_LIVENESS }),
      // Every append is one statement, so this bounds how long one can hold the horizon while it runs.
      statement_timeout: this.appendTimeoutMs,
      // The client's own deadline on every call: a silent network cannot make one hang.
      query_timeout: this.appendTimeoutMs + DEADLINE_GRACE_MS,
      ...clientLiveness(options.connectTimeoutMs),
      stream: this.sockets.socket,
    });
    this.pool.on('error', (error) => options.logger.warn({ err: error.message }, 'idle event store connection failed'));
    this.notifier = new Notifier(
      { connectionString: options.connectionString, ...clientLiveness(options.connectTimeoutMs), stream: this.sockets.socket },
      options.logger,
      options.listenerCheckMs,
    );
    this.appends = new AppendBatcher(this.pool, options.appendStatementsInFlight ?? 2, 10_000);
    this.overdueAppends = new OverdueAppends(this.pool, this.appendTimeoutMs + DEADLINE_GRACE_MS, options.logger);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.pageSize = options.pageSize ?? 2_000;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.tail = new LogTail(this, tailEvents, () => this.notifier.wakeUps, { ...DEFAULT_LOG_TAIL_LIMITS, ...options.logTail });
  }

  /** The schema must exist (see schema.ts); the composition root migrates first. */
  static async connect(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    await store.notifier.start();
    return store;
  }

  async appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    validateAppend(stream, events, expected);
    const payloads = serializePayloads(events, this.maxEventBytes);
    const types = events.map((event) => event.type);
    const prepared: PreparedAppend = {
      stream,
      ids: events.map((event) => event.id),
      types,
      data: payloads.data,
      metadata: payloads.metadata,
      payloadLength: payloads.length,
      expectation: typeof expected === 'bigint' ? 'revision' : expected,
      expectedRevision: typeof expected === 'bigint' ? String(expected) : null,
      leaves: this.options.sealLeaves === false ? null : appendLeaves(stream, types, payloads.data, payloads.metadata),
    };
    // Counted from the call: waiting for its turn is part of the time an append may take.
    const deadline = Date.now() + this.appendTimeoutMs + DEADLINE_GRACE_MS;
    // One append per stream at a time in this process: racing for the same
    // revision, all but one would roll back and retry.
    return this.streamQueue.run(stream, () => this.append(prepared, expected, deadline));
  }

  private async append(prepared: PreparedAppend, expected: ExpectedRevision, deadline: number): Promise<AppendResult> {
    const { stream } = prepared;
    for (let attempt = 1; ; attempt++) {
      let row: AppendOutcome | undefined;
      try {
        row = await this.appends.submit(prepared, deadline);
      } catch (error) {
        if (pgCode(error) !== UNIQUE_VIOLATION) throw translateError(error, 'append');
        if (constraintOf(error) === EVENT_ID_CONSTRAINT) {
          const earlier = await this.alreadyRecorded(prepared);
          if (earlier) return earlier;
        }
        // Otherwise another process took the revision first (or the clashing
        // writer rolled back): the next attempt sees its outcome.
        if (attempt >= MAX_UNIQUE_ATTEMPTS) {
          throw new EventStoreUnavailableError(`stream ${stream}: appends from other processes kept taking its next revision first; try again`);
        }
        await pause(Math.random() * RACE_PAUSE_MS * attempt);
        continue;
      }
      if (!row) throw new EventStoreUnavailableError('PostgreSQL event store: the append statement returned no row');
      if (row.tx_id === null || row.last_revision === null || row.last_idx === null) {
        // A retry of an append that succeeded finds the stream moved on by its own events.
        const earlier = await this.alreadyRecorded(prepared);
        if (earlier) return earlier;
        throw new WrongExpectedRevisionError(stream, expected, BigInt(row.current_revision));
      }
      this.notifier.committed();
      return { nextRevision: BigInt(row.last_revision), position: encodePosition(row.tx_id, row.last_idx) };
    }
  }

  /**
   * After an event id clash: the first answer when the whole batch is already
   * in this stream as it is now given (a retried append), an error when only
   * part of it is or when it was recorded with another type or payload, and
   * undefined when the clashing writer has since rolled back.
   */
  private async alreadyRecorded(append: PreparedAppend): Promise<AppendResult | undefined> {
    const { stream } = append;
    const { rows } = await this.query<RecordedIdRow>(
      'chronicle_recorded_events',
      `SELECT event_id::text, stream_id, stream_revision::text, tx_id::text, idx, event_type, data::text, metadata::text
         FROM events WHERE event_id = ANY($1::uuid[])`,
      [append.ids],
    );
    if (rows.length === 0) return undefined;
    const recorded = new Map(rows.map((row) => [row.event_id, row]));
    const clashing = rows.map((row) => row.event_id);
    const inOrder = append.ids.map((id) => recorded.get(id.toLowerCase()));
    if (inOrder.some((row) => row?.stream_id !== stream)) throw new DuplicateEventIdError(stream, clashing);
    const same = inOrder.every((row, i) => {
      const previous = inOrder[i - 1];
      const follows = previous === undefined || BigInt(row!.stream_revision) === BigInt(previous.stream_revision) + 1n;
      return follows && row!.event_type === append.types[i] && row!.data === append.data[i] && row!.metadata === append.metadata[i];
    });
    if (!same) throw new DuplicateEventIdError(stream, clashing, 'already recorded with another type, payload or order');
    const last = inOrder[inOrder.length - 1]!;
    return { nextRevision: BigInt(last.stream_revision), position: encodePosition(last.tx_id, last.idx) };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateReadStream(stream, options);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    const limit = options.maxCount === undefined ? '' : `LIMIT ${integer(options.maxCount)}`;
    const [comparison, order] = backwards ? ['<=', 'DESC'] : ['>=', 'ASC'];
    return this.copyEvents(
      `SELECT ${EVENT_TUPLE_COLUMNS} FROM events
        WHERE stream_id = ${pg.escapeLiteral(stream)} AND stream_revision ${comparison} ${integer(from)}
        ORDER BY stream_revision ${order} ${limit}`,
    );
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateReadAll(options, POSITION_LIMIT);
    const horizon = await this.horizon();
    return this.readPage(options.fromPosition, horizon.txId, options.filter, options.maxCount ?? null);
  }

  /** Events after `after` and below the horizon, in log order. */
  async readPage(after: Position | undefined, horizonTxId: bigint, filter: EventFilter | undefined, limit: number | null): Promise<RecordedEvent[]> {
    const from = after === undefined ? { txId: '0', idx: -1 } : decodePosition(after);
    const conditions = [`(tx_id, idx) > ('${integer(BigInt(from.txId))}'::xid8, ${integer(from.idx)})`, `tx_id < '${integer(horizonTxId)}'::xid8`];
    if (filter?.streamPrefixes) conditions.push(`stream_id LIKE ANY (${textArray(filter.streamPrefixes.map((prefix) => `${escapeLike(prefix)}%`))})`);
    if (filter?.eventTypes) conditions.push(`event_type = ANY (${textArray(filter.eventTypes)})`);
    return this.copyEvents(
      `SELECT ${EVENT_TUPLE_COLUMNS} FROM events WHERE ${conditions.join(' AND ')}
        ORDER BY tx_id, idx ${limit === null ? '' : `LIMIT ${integer(limit)}`}`,
    );
  }

  /** The last of the first `maxEvents` events after `after` and below the horizon, and how many there are (PageReader). */
  async spanEnd(after: Position | undefined, horizonTxId: bigint, maxEvents: number): Promise<Span | undefined> {
    const from = after === undefined ? { txId: '0', idx: -1 } : decodePosition(after);
    const { rows } = await this.query<{ tx_id: string | null; idx: number | null; events: number }>(
      'chronicle_span_end',
      `SELECT (array_agg(span.tx_id ORDER BY span.tx_id DESC, span.idx DESC))[1]::text AS tx_id,
              (array_agg(span.idx ORDER BY span.tx_id DESC, span.idx DESC))[1] AS idx, count(*)::int AS events
         FROM (SELECT events.tx_id, events.idx FROM events
                WHERE (events.tx_id, events.idx) > ($1::text::xid8, $2) AND events.tx_id < $3::text::xid8
                ORDER BY events.tx_id, events.idx LIMIT $4) span`,
      [from.txId, from.idx, String(horizonTxId), maxEvents],
    );
    const row = rows[0];
    return row && row.tx_id !== null && row.idx !== null ? { end: encodePosition(row.tx_id, row.idx), events: row.events } : undefined;
  }

  async lastPositionBelow(horizonTxId: bigint): Promise<Position | undefined> {
    const { rows } = await this.query<{ tx_id: string; idx: number }>(
      'chronicle_last_below',
      // Qualified: the bare name would sort by the text alias.
      'SELECT tx_id::text AS tx_id, idx FROM events WHERE events.tx_id < $1::text::xid8 ORDER BY events.tx_id DESC, events.idx DESC LIMIT 1',
      [String(horizonTxId)],
    );
    const row = rows[0];
    return row ? encodePosition(row.tx_id, row.idx) : undefined;
  }

  /** The audit seal's leaves, hashed here (SealLeafSource): 32 bytes an event cross the wire, not the event. */
  async readSealLeaves(after: Position | undefined, through: Position, limit: number): Promise<SealLeaf[]> {
    const from = after === undefined ? { txId: '0', idx: -1 } : decodePosition(after);
    const to = decodePosition(through);
    return this.copyRows(
      `SELECT ${SEAL_LEAF_COLUMNS} FROM events
        WHERE (tx_id, idx) > ('${integer(BigInt(from.txId))}'::xid8, ${integer(from.idx)}) AND (tx_id, idx) <= ('${integer(BigInt(to.txId))}'::xid8, ${integer(to.idx)})
        ORDER BY tx_id, idx LIMIT ${integer(limit)}`,
      SEAL_LEAF_WIDTH,
      decodeSealLeafTuple,
    );
  }

  /** The audit seal's records of a stretch, hashed here (SealLeafSource): one row crosses the wire for the stretch. */
  async hashSealRecords(after: Position | undefined, through: Position): Promise<HashedRecords> {
    const start = after === undefined ? { txId: '0', idx: -1 } : decodePosition(after);
    const end = decodePosition(through);
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      await client.query(READ_RANGE_BY_INDEX_SQL);
      const { rows } = await client.query<HashedRecords>({ name: 'chronicle_hashed_records', text: HASHED_RECORDS_SQL, values: [start.txId, start.idx, end.txId, end.idx] });
      await client.query('COMMIT');
      client.release();
      return rows[0]!;
    } catch (error) {
      // A connection that failed mid-transaction is not given back to the pool.
      client?.release(true);
      throw translateError(error, 'read');
    }
  }

  private copyEvents(query: string): Promise<RecordedEvent[]> {
    return this.copyRows(query, EVENT_TUPLE_WIDTH, decodeEventTuple);
  }

  /**
   * Reads go through binary COPY: PostgreSQL sends each field with its
   * length and integers as integers, which decodes about twice as fast as
   * the row protocol's text. COPY takes no parameters, so values are
   * written into the query, each checked (integer) or quoted (literal).
   */
  private async copyRows<T>(query: string, width: number, decode: TupleDecoder<T>): Promise<T[]> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateError(error, 'read');
    }
    // Out of the pool, a client has no 'error' listener: a connection lost now
    // (a stop, a terminated backend) would be an uncaught error. The COPY
    // stream fails on its own, and that failure is the one reported.
    client.on('error', ignoreConnectionError);
    try {
      const rows = await copyOut(client, query, width, decode);
      client.release();
      return rows;
    } catch (error) {
      // A COPY broken off midway leaves the connection in an unknown state: discard it.
      client.release(true);
      throw translateError(error, 'read');
    } finally {
      client.off('error', ignoreConnectionError);
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    return this.subscribe(options, 'events');
  }

  /** PositionSource: the positions the log moves to, without its events. */
  subscribeToPositions(options: Omit<SubscribeOptions, 'filter'> = {}): Subscription {
    return this.subscribe(options, 'positions');
  }

  private subscribe(options: SubscribeOptions, reads: SubscriptionReads): Subscription {
    validateSubscribe(options, POSITION_LIMIT);
    const subscription = new PostgresSubscription(this.tail, this.notifier, options, {
      reads,
      pollIntervalMs: this.pollIntervalMs,
      pageSize: this.pageSize,
      logger: this.options.logger,
      stallWarningMs: this.options.stallWarningMs ?? 5_000,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async horizon(): Promise<Horizon> {
    try {
      this.lastHorizon = await readHorizon(this.pool);
    } catch (error) {
      throw translateError(error, 'read');
    }
    // An append past every deadline of its client (cut off between its statement and its
    // commit, say) must not hold subscribers back for as long as the network likes.
    const started = this.lastHorizon.oldestAppendStartedAt;
    if (started && Date.now() - started.getTime() > this.appendTimeoutMs + DEADLINE_GRACE_MS) this.overdueAppends.end();
    return this.lastHorizon;
  }

  /**
   * How long the oldest in-flight append had been running at the last horizon
   * read: subscribers wait for it. 0 when nothing holds them back.
   */
  horizonBlockedForMs(): number {
    const started = this.lastHorizon?.oldestAppendStartedAt;
    return started ? Math.max(0, Date.now() - started.getTime()) : 0;
  }

  async headPosition(): Promise<Position | undefined> {
    const { rows } = await this.query<{ tx_id: string; idx: number }>(
      'chronicle_head',
      'SELECT tx_id::text AS tx_id, idx FROM events ORDER BY events.tx_id DESC, events.idx DESC LIMIT 1',
      [],
    );
    const row = rows[0];
    return row ? encodePosition(row.tx_id, row.idx) : undefined;
  }

  async health(): Promise<EventStoreHealth> {
    try {
      await this.pool.query('SELECT 1 FROM events LIMIT 0');
      return { ok: true, detail: 'PostgreSQL event store reachable' };
    } catch (error) {
      return { ok: false, detail: `PostgreSQL event store unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.sockets.closeWithin(CLOSE_GRACE_MS, async () => {
      await this.notifier.close();
      await this.pool.end();
    });
  }

  private async query<Row extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query<Row>({ name, text, values });
    } catch (error) {
      throw translateError(error, 'read');
    }
  }
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function constraintOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'constraint' in error && typeof error.constraint === 'string' ? error.constraint : undefined;
}

function ignoreConnectionError(): void {}

/**
 * Every failure leaves the store typed. Input is checked before it is sent,
 * so invalid text here is a gap in those checks; anything unforeseen is
 * reported as an outage of the store, with the database's error as its cause.
 */
function translateError(error: unknown, operation: 'append' | 'read'): Error {
  const code = pgCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code && INVALID_TEXT.has(code)) {
    return operation === 'append' ? new InvalidAppendError('events', `were refused by PostgreSQL: ${message}`) : new InvalidReadError('query', `was refused by PostgreSQL: ${message}`);
  }
  if (error instanceof EventStoreUnavailableError || error instanceof InvalidAppendError || error instanceof InvalidReadError) return error;
  if (code === STATEMENT_TIMEOUT || message === 'Query read timeout') {
    return new EventStoreTimeoutError(`PostgreSQL event store did not answer in time: ${message}`, { cause: error });
  }
  return new EventStoreUnavailableError(`PostgreSQL event store unavailable: ${message}`, { cause: error });
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An integer written into SQL: checked, so that nothing else can be. */
function integer(value: number | bigint): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  return String(value);
}

function textArray(values: readonly string[]): string {
  return `ARRAY[${values.map((value) => pg.escapeLiteral(value)).join(', ')}]::text[]`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
