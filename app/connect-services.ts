import type { Config } from '../infra/config/config.js';
import type { Logger } from '../infra/logging/logger.js';
import { Registry } from 'prom-client';
import { registerEventStoreMetrics } from '../infra/event-store/metrics.js';
import { applyMigrations } from './apply-migrations.js';
import { allProjections } from './projections.js';
import { connectKnex, resolveDatabaseUrl } from './database.js';
import { connectEventStore } from './event-store.js';
import { allMigrations } from './migrations.js';
import type { Runtime } from './runtime.js';
import type { Services } from './services.js';

/** PostgreSQL → knex → migrations → event store; each registered in `runtime` to be stopped in reverse. */
export async function connectServices(runtime: Runtime, config: Config, logger: Logger): Promise<Services> {
  const databaseUrl = await resolveDatabaseUrl(runtime, config, logger);
  const knex = await connectKnex(runtime, config, databaseUrl, logger);
  await applyMigrations(knex, allMigrations, logger);
  const eventStore = await connectEventStore(runtime, config, logger, databaseUrl);
  const metrics = new Registry();
  registerEventStoreMetrics(metrics, eventStore);
  return { config, logger, knex, eventStore, migrations: allMigrations, databaseUrl, metrics, projections: allProjections() };
}
