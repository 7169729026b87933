import type { Logger } from '../../logging/logger.js';
import type {
  AppendOptions,
  AppendResult,
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
import { DEFAULT_MAX_EVENT_BYTES, serializePayloads } from '../serialize-payloads.js';
import { validateAppend } from '../validate-append.js';
import { validateReadAll, validateReadStream, validateSubscribe } from '../validate-read.js';
import { appendEvents } from './append.js';
import { parseTarget } from './connection-string.js';
import { KurrentDbConnection } from './connection.js';
import { headPosition, readAll, readStream } from './reads.js';
import { POSITION_LIMIT } from './positions.js';
import { KurrentDbSubscription } from './subscription.js';

export interface KurrentDbEventStoreOptions {
  /** `kurrentdb://...` or `esdb://...` */
  connectionString: string;
  logger: Logger;
  /** Bound on the first contact, which the client itself never times out against a silent port. */
  connectTimeoutMs?: number;
  /** Largest event (data and metadata as UTF-8 JSON) an append may carry; 1 MiB unless told. */
  maxEventBytes?: number;
  /** The variable the connection string came from, named in the log lines about reachability. */
  variable?: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The event store port on EventStoreDB / KurrentDB through `@kurrent/kurrentdb-client`.
 * Every call is bounded: by the connection string's `defaultDeadline` (10 s unless
 * set) for operations, by `connectTimeoutMs` for reachability checks. An unreachable
 * server never makes `connect` fail; calls then fail fast with EventStoreUnavailableError.
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;
  private readonly subscriptions = new Set<KurrentDbSubscription>();

  private constructor(
    private readonly connection: KurrentDbConnection,
    private readonly maxEventBytes: number,
  ) {}

  /** Throws only for a malformed connection string; a server that is down is retried in the background. */
  static async connect(options: KurrentDbEventStoreOptions): Promise<KurrentDbEventStore> {
    const target = parseTarget(options.connectionString);
    if (target.ignoredOptions.length > 0) {
      options.logger.warn({ options: target.ignoredOptions }, `EventStoreDB connection string options not understood, ignored: ${target.ignoredOptions.join(', ')}`);
    }
    const connection = new KurrentDbConnection({
      target,
      logger: options.logger,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(options.variable ? { variable: options.variable } : {}),
    });
    await connection.check();
    return new KurrentDbEventStore(connection, options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
  }

  /** Whether the server answered at the last contact; while it does not, calls fail fast and it is retried. */
  get reachable(): boolean {
    return this.connection.reachable;
  }

  async appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    validateAppend(stream, events, expected);
    // Serialised here only to be checked and measured by the rules both adapters share; the client serialises again.
    const payloads = serializePayloads(events, this.maxEventBytes);
    return appendEvents(this.connection, stream, events, expected, payloads);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateReadStream(stream, options);
    return readStream(this.connection, stream, options);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateReadAll(options, POSITION_LIMIT);
    return readAll(this.connection, options);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    validateSubscribe(options, POSITION_LIMIT);
    const subscription = new KurrentDbSubscription(this.connection, options, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  headPosition(): Promise<Position | undefined> {
    return headPosition(this.connection);
  }

  async health(): Promise<EventStoreHealth> {
    const result = await this.connection.check();
    return result.ok
      ? { ok: true, detail: `EventStoreDB at ${this.connection.display} reachable` }
      : { ok: false, detail: `EventStoreDB at ${this.connection.display} unreachable: ${result.reason}` };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.connection.close();
  }
}
