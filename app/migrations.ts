import { idempotencyMigrations } from '../api/idempotency/idempotency-keys.js';
import { snapshotMigrations } from '../commands/postgres-snapshot-store.js';
import { eventStoreMigrations } from '../infra/event-store/postgres/schema.js';
import type { Migration } from '../infra/postgres/migrations.js';
import { projectionMigrations } from '../projections/engine/schema.js';
import type { Feature } from './feature.js';
import { features } from './features.js';

/** The platform's own tables, whatever the features: the event log, the projection engine's, the command side's snapshots and idempotency keys. */
export const platformMigrations: readonly Migration[] = [...eventStoreMigrations, ...projectionMigrations, ...snapshotMigrations, ...idempotencyMigrations];

/** The platform's migrations and the features', in one list for knex (which sorts them by name). */
export function migrationsOf(installed: readonly Feature[]): Migration[] {
  return [...platformMigrations, ...installed.flatMap((feature) => feature.migrations ?? [])];
}

/** The installation's migrations (`chronicle migrate`, the test template). */
export const allMigrations: readonly Migration[] = migrationsOf(features);
