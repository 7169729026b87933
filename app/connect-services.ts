import type { Config } from '../infra/config/config.js';
import type { Logger } from '../infra/logging/logger.js';
import { Registry } from 'prom-client';
import { registerEventStoreMetrics } from '../infra/event-store/metrics.js';
import { applyMigrations } from './apply-migrations.js';
import { connectKnex, resolveDatabaseUrl } from './database.js';
import { connectEventStore } from './event-store.js';
import type { Feature } from './feature.js';
import { checkedUpcasters } from './feature-checks.js';
import { features as installedFeatures } from './features.js';
import { migrationsOf } from './migrations.js';
import { projectionsOf } from './projections.js';
import type { Runtime } from './runtime.js';
import type { Services } from './services.js';

/**
 * PostgreSQL → knex → migrations → event store; each registered in `runtime`
 * to be stopped in reverse. The features (the installation's unless given)
 * decide the migrations, read models and upcasters.
 */
export async function connectServices(runtime: Runtime, config: Config, logger: Logger, features: readonly Feature[] = installedFeatures): Promise<Services> {
  const upcasters = checkedUpcasters(features);
  const migrations = migrationsOf(features);
  const databaseUrl = await resolveDatabaseUrl(runtime, config, logger);
  const knex = await connectKnex(runtime, config, databaseUrl, logger);
  await applyMigrations(knex, migrations, logger);
  const eventStore = await connectEventStore(runtime, config, logger, databaseUrl);
  const metrics = new Registry();
  registerEventStoreMetrics(metrics, eventStore);
  return { config, logger, knex, eventStore, migrations, databaseUrl, metrics, projections: projectionsOf(features), upcasters, features };
}
