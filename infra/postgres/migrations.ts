import type { Knex } from 'knex';

export interface Migration {
  /** Sortable and unique across the whole application, e.g. `0001_event_store`. */
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations are plain objects gathered by the composition root, so each layer
 * keeps its own schema beside its code and nothing is loaded from disk by path.
 */
export function migrationSource(migrations: readonly Migration[]): Knex.MigrationSource<Migration> {
  const sorted = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set<string>();
  for (const migration of sorted) {
    if (names.has(migration.name)) throw new Error(`duplicate migration name ${migration.name}`);
    names.add(migration.name);
  }
  return {
    getMigrations: async () => sorted,
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => migration,
  };
}

export async function migrateToLatest(knex: Knex, migrations: readonly Migration[]): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: migrationSource(migrations) })) as [number, string[]];
  return applied;
}

export async function pendingMigrations(knex: Knex, migrations: readonly Migration[]): Promise<string[]> {
  const [, pending] = (await knex.migrate.list({ migrationSource: migrationSource(migrations) })) as [unknown[], Migration[]];
  return pending.map((migration) => migration.name);
}
