import { idempotencyMigrations } from '../api/idempotency/idempotency-keys.js';
import { authMigrations } from '../auth/schema.js';
import { snapshotMigrations } from '../commands/postgres-snapshot-store.js';
import { eventStoreMigrations } from '../infra/event-store/postgres/schema.js';
import type { Migration } from '../infra/postgres/migrations.js';
import { projectionMigrations } from '../projections/engine/schema.js';

/** Every layer's migrations, in one list for knex. */
export const allMigrations: readonly Migration[] = [...eventStoreMigrations, ...projectionMigrations, ...authMigrations, ...snapshotMigrations, ...idempotencyMigrations];
