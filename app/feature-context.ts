import { CommandHandler } from '../commands/command-handler.js';
import { PostgresSnapshotStore } from '../commands/postgres-snapshot-store.js';
import { RecentFolds } from '../commands/recent-folds.js';
import { systemRuntime, type Runtime } from '../commands/runtime.js';
import type { FeatureContext } from './feature.js';
import type { Services } from './services.js';

/**
 * The one command handler and runtime of a process, for every feature (and
 * for CLI commands that write, such as seeding): snapshots in PostgreSQL and
 * the process's recent folds of them, the installation's upcasters.
 */
export function createFeatureContext(services: Services, runtime: Runtime = systemRuntime()): FeatureContext {
  const commands = new CommandHandler({
    eventStore: services.eventStore,
    runtime,
    snapshots: new PostgresSnapshotStore(services.knex),
    recentFolds: new RecentFolds(),
    upcasters: services.upcasters,
  });
  return { services, commands, runtime };
}
