import type { Knex } from 'knex';
import type { Logger } from '../infra/logging/logger.js';
import { migrateToLatest, type Migration } from '../infra/postgres/migrations.js';

const ATTEMPTS = 20;
const PAUSE_MS = 500;
/** Another process creating knex's own tables at the same instant. */
const CONCURRENT_CREATE = new Set(['23505', '42P07']);

/**
 * Applies pending migrations. Several processes may start together (API nodes,
 * workers): the one holding knex's migration lock applies them, the others wait
 * and then find nothing left to do.
 */
export async function applyMigrations(knex: Knex, migrations: readonly Migration[], logger: Logger): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrateToLatest(knex, migrations);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
      return applied;
    } catch (error) {
      if (attempt >= ATTEMPTS || !isConcurrentMigration(error)) throw error;
      logger.info({ attempt }, 'another process is migrating; waiting');
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }
}

function isConcurrentMigration(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MigrationLocked') return true;
  return 'code' in error && typeof error.code === 'string' && CONCURRENT_CREATE.has(error.code);
}
