import type { Config } from '../infra/config/config.js';
import type { EventStore } from '../infra/event-store/event-store.js';
import { PostgresEventStore } from '../infra/event-store/postgres/postgres-event-store.js';
import { safeUrl, type Logger } from '../infra/logging/logger.js';
import { reason, StartupError } from './errors.js';
import type { Runtime } from './runtime.js';

/** KurrentDB when EVENTSTORE_URL is set, else the log lives in the same PostgreSQL as the read models. */
export async function connectEventStore(runtime: Runtime, config: Config, logger: Logger, databaseUrl: string): Promise<EventStore> {
  let unreachable = false;
  const connect = async (): Promise<EventStore> => {
    if (config.EVENTSTORE_URL) {
      const connectionString = config.EVENTSTORE_URL;
      // Loaded only when configured: the gRPC client is a large share of start-up time otherwise.
      const { KurrentDbEventStore } = await import('../infra/event-store/kurrentdb/kurrentdb-event-store.js');
      try {
        const store = await KurrentDbEventStore.connect({
          connectionString,
          logger,
          connectTimeoutMs: config.EVENTSTORE_CONNECT_TIMEOUT_MS,
          maxEventBytes: config.MAX_EVENT_BYTES,
          variable: 'EVENTSTORE_URL',
        });
        unreachable = !store.reachable;
        return store;
      } catch (error) {
        throw new StartupError(`event store at ${safeUrl(connectionString)} (EVENTSTORE_URL) is unusable: ${reason(error)}`);
      }
    }
    return PostgresEventStore.connect({
      connectionString: databaseUrl,
      logger,
      poolSize: config.DB_POOL_SIZE,
      pollIntervalMs: config.SUBSCRIPTION_POLL_MS,
      appendTimeoutMs: config.APPEND_TIMEOUT_MS,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      maxEventBytes: config.MAX_EVENT_BYTES,
    });
  };
  const store = await runtime.start('event store', connect, (started) => started.close());
  // An unreachable KurrentDB is not fatal (requests get 503 until it answers): the
  // adapter has logged which server and variable, and logs again when it is back.
  if (!unreachable) logger.info({ kind: store.kind }, 'event store connected');
  return store;
}
