import type { Knex } from 'knex';
import type { Config } from '../infra/config/config.js';
import type { EventStore } from '../infra/event-store/event-store.js';
import type { Logger } from '../infra/logging/logger.js';
import type { Migration } from '../infra/postgres/migrations.js';

/** The shared infrastructure a process has connected; features receive the parts they need. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  /** The read side's PostgreSQL (and the event log's, with the PostgreSQL event store). */
  readonly knex: Knex;
  readonly eventStore: EventStore;
  readonly migrations: readonly Migration[];
}
