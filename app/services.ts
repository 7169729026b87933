import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import type { AnyProjection } from '../projections/index.js';
import type { Config } from '../infra/config/config.js';
import type { EventStore } from '../infra/event-store/event-store.js';
import type { Logger } from '../infra/logging/logger.js';
import type { Migration } from '../infra/postgres/migrations.js';
import type { Upcasters } from '../domain/shared/upcasting.js';
import type { Feature } from './feature.js';

/** The shared infrastructure a process has connected; features receive the parts they need. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  /** The read side's PostgreSQL (and the event log's, with the PostgreSQL event store). */
  readonly knex: Knex;
  readonly eventStore: EventStore;
  readonly migrations: readonly Migration[];
  /** The connection string behind `knex`, for components that hold sessions of their own (LISTEN, advisory locks). */
  readonly databaseUrl: string;
  /** One Prometheus registry per process: HTTP, event store and projection metrics side by side on /metrics. */
  readonly metrics: Registry;
  /** Every read model and warehouse table set; the workers build them, the API reads them. */
  readonly projections: readonly AnyProjection[];
  /** Every feature's upcasters: whoever reads events (command handler, projections, feed) reads them at their current versions. */
  readonly upcasters: Upcasters;
  /** The features this process was connected for; the roles start their APIs and background work. */
  readonly features: readonly Feature[];
}
