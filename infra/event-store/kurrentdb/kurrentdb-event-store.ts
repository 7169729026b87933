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

export interface KurrentDbEventStoreOptions {
  /** `kurrentdb://...` or `esdb://...` */
  connectionString: string;
  logger: Logger;
  /** Bound on the first contact, which the client itself never times out against a silent port. */
  connectTimeoutMs?: number;
}

/** Placeholder while the adapter is written; every call fails loudly. */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;

  static async connect(options: KurrentDbEventStoreOptions): Promise<KurrentDbEventStore> {
    void options;
    throw new Error('KurrentDB adapter not written yet');
  }

  appendToStream(_stream: string, _events: readonly NewEvent[], _options?: AppendOptions): Promise<AppendResult> {
    throw new Error('not written yet');
  }
  readStream(_stream: string, _options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    throw new Error('not written yet');
  }
  readAll(_options?: ReadAllOptions): Promise<RecordedEvent[]> {
    throw new Error('not written yet');
  }
  subscribeToAll(_options?: SubscribeOptions): Subscription {
    throw new Error('not written yet');
  }
  headPosition(): Promise<Position | undefined> {
    throw new Error('not written yet');
  }
  health(): Promise<EventStoreHealth> {
    throw new Error('not written yet');
  }
  close(): Promise<void> {
    throw new Error('not written yet');
  }
}
