import pg from 'pg';
import type { Logger } from '../../logging/logger.js';
import { DuplicateEventIdError, EventStoreTimeoutError, EventStoreUnavailableError, InvalidAppendError, WrongExpectedRevisionError } from '../errors.js';
import type {
  AppendOptions,
  AppendResult,
  EventFilter,
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
import { decodeEventTuple, decodePosition, encodePosition, EVENT_TUPLE_COLUMNS, EVENT_TUPLE_WIDTH } from './rows.js';
import { copyOut } from './binary-copy.js';
import { PostgresSubscription } from './subscription.js';
import { AppendBatcher } from './append-batcher.js';
import type { AppendOutcome, PreparedAppend } from './append-statements.js';
import { serializePayloads } from '../serialize-payloads.js';
import { validateAppend } from '../validate-append.js';
import { clientLiveness, SERVER_SIDE_LIVENESS, sessionOptions } from '../../postgres/connection-liveness.js';
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
  pageSize?: number;
  /** How long an in-flight append may hold subscribers back before it is logged. */
  stallWarningMs?: number;
  /**
   * Append statements running at once; appends arriving meanwhile are sent
   * together as one. Two keep the server busy on small machines while
   * letting concurrent appends share commits.
   */
  appendStatementsInFlight?: number;
}

interface RecordedIdRow {
  stream_id: string;
  stream_revision: string;
  tx_id: string;
  idx: number;
}

const EVENT_ID_CONSTRAINT = 'events_event_id_idx';
const UNIQUE_VIOLATION = '23505';
const INVALID_TEXT = new Set(['22P05', '22P02', '22021']);
const MAX_UNIQUE_RETRIES = 20;
const STATEMENT_TIMEOUT = '57014';
/** Admin shutdown (a stop, a terminated backend), crash shutdown, cannot connect now (starting, recovering, stopping). */
const OUTAGE_CODES = new Set(['57P01', '57P02', '57P03']);
/**
 * Client-side deadlines exceed the server's statement timeout by this much, so
 * that a statement the server cancels reports that, and the client's own
 * deadline only fires when the server or the network is gone.
 */
export const DEADLINE_GRACE_MS = 1_000;

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly notifier: Notifier;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private readonly appends: AppendBatcher;
  private readonly appendTimeoutMs: number;
  private readonly overdueAppends: OverdueAppends;
  private lastHorizon: Horizon | undefined;

  private constructor(private readonly options: PostgresEventStoreOptions) {
    this.appendTimeoutMs = options.appendTimeoutMs ?? 30_000;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'chronicle-event-store',
      // Every append is one statement, so this bounds how long one can hold the horizon
      // while it runs; the server-side liveness settings end it when its client vanishes.
      options: sessionOptions({ TimeZone: 'UTC', ...SERVER_SIDE_LIVENESS }),
      statement_timeout: this.appendTimeoutMs,
      // The client's own deadline on every call: a silent network cannot make one hang.
      query_timeout: this.appendTimeoutMs + DEADLINE_GRACE_MS,
      ...clientLiveness(options.connectTimeoutMs),
    });
    this.pool.on('error', (error) => options.logger.warn({ err: error.message }, 'idle event store connection failed'));
    this.notifier = new Notifier(options.connectionString, options.logger, options.connectTimeoutMs);
    this.appends = new AppendBatcher(this.pool, options.appendStatementsInFlight ?? 2, 10_000);
    this.overdueAppends = new OverdueAppends(this.pool, this.appendTimeoutMs + DEADLINE_GRACE_MS, options.logger);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.pageSize = options.pageSize ?? 2_000;
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
    const payloads = serializePayloads(stream, events);
    const prepared: PreparedAppend = {
      stream,
      ids: events.map((event) => event.id),
      types: events.map((event) => event.type),
      data: payloads.data,
      metadata: payloads.metadata,
      expectation: typeof expected === 'bigint' ? 'revision' : expected,
      expectedRevision: typeof expected === 'bigint' ? String(expected) : null,
    };
    const deadline = Date.now() + this.appendTimeoutMs + DEADLINE_GRACE_MS;
    for (let attempt = 0; ; attempt++) {
      let row: AppendOutcome | undefined;
      try {
        row = await this.appends.submit(prepared, deadline);
      } catch (error) {
        if (pgCode(error) !== UNIQUE_VIOLATION || attempt >= MAX_UNIQUE_RETRIES) throw translateError(error, stream);
        if (constraintOf(error) === EVENT_ID_CONSTRAINT) {
          const earlier = await this.alreadyRecorded(stream, events);
          if (earlier) return earlier;
        }
        // Otherwise a concurrent writer took the revision first (or rolled
        // back); the next attempt sees its outcome.
        continue;
      }
      if (!row) throw new Error('append returned no row');
      if (row.tx_id === null || row.last_revision === null || row.last_idx === null) {
        // A retry of an append that succeeded finds the stream moved on by its own events.
        const earlier = await this.alreadyRecorded(stream, events);
        if (earlier) return earlier;
        throw new WrongExpectedRevisionError(stream, expected, BigInt(row.current_revision));
      }
      this.notifier.committed();
      return { nextRevision: BigInt(row.last_revision), position: encodePosition(row.tx_id, row.last_idx) };
    }
  }

  /**
   * After an event id clash: the first answer when the whole batch is already
   * in this stream (a retried append), an error when only part of it is, and
   * undefined when the clashing writer has since rolled back.
   */
  private async alreadyRecorded(stream: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    const { rows } = await this.query<RecordedIdRow>(
      'chronicle_recorded_ids',
      'SELECT stream_id, stream_revision::text, tx_id::text, idx FROM events WHERE event_id = ANY($1::uuid[])',
      [events.map((event) => event.id)],
    );
    if (rows.length === 0) return undefined;
    const inStream = rows.filter((row) => row.stream_id === stream);
    if (inStream.length !== events.length) throw new DuplicateEventIdError(stream, rows.map((row) => row.stream_id));
    const last = inStream.reduce((a, b) => (BigInt(a.stream_revision) > BigInt(b.stream_revision) ? a : b));
    return { nextRevision: BigInt(last.stream_revision), position: encodePosition(last.tx_id, last.idx) };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
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

  /**
   * Reads go through binary COPY: PostgreSQL sends each field with its
   * length and integers as integers, which decodes about twice as fast as
   * the row protocol's text. COPY takes no parameters, so values are
   * written into the query, each checked (integer) or quoted (literal).
   */
  private async copyEvents(query: string): Promise<RecordedEvent[]> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateError(error, undefined);
    }
    // Out of the pool, a client has no 'error' listener: a connection lost now
    // (a stop, a terminated backend) would be an uncaught error. The COPY
    // stream fails on its own, and that failure is the one reported.
    client.on('error', ignoreConnectionError);
    try {
      const events = await copyOut(client, query, EVENT_TUPLE_WIDTH, decodeEventTuple);
      client.release();
      return events;
    } catch (error) {
      // A COPY broken off midway leaves the connection in an unknown state: discard it.
      client.release(true);
      throw translateError(error, undefined);
    } finally {
      client.off('error', ignoreConnectionError);
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const subscription = new PostgresSubscription(this, this.notifier, options, {
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
      throw translateError(error, undefined);
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
    await this.notifier.close();
    await this.pool.end();
  }

  private async query<Row extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query<Row>({ name, text, values });
    } catch (error) {
      throw translateError(error, undefined);
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

function translateError(error: unknown, stream: string | undefined): Error {
  if (error instanceof EventStoreUnavailableError) return error;
  const code = pgCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code && INVALID_TEXT.has(code)) return new InvalidAppendError(`stream ${stream ?? '?'}: ${message}`);
  if (code === STATEMENT_TIMEOUT || message === 'Query read timeout') {
    return new EventStoreTimeoutError(`PostgreSQL event store did not answer in time: ${message}`);
  }
  if (code === undefined || code.startsWith('08') || OUTAGE_CODES.has(code) || /ECONNREFUSED|ECONNRESET|timeout/i.test(message)) {
    return new EventStoreUnavailableError(`PostgreSQL event store unavailable: ${message}`);
  }
  return error instanceof Error ? error : new Error(message);
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
