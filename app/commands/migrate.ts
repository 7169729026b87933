import { applyMigrations } from '../apply-migrations.js';
import { connectKnex, resolveDatabaseUrl } from '../database.js';
import { allMigrations } from '../migrations.js';
import { toolContext, writeLine } from './tool-context.js';

/** `chronicle migrate`: applies pending migrations and prints each one applied. */
export async function migrateCommand(env: NodeJS.ProcessEnv): Promise<number> {
  const { config, logger, runtime } = toolContext(env);
  try {
    const url = await resolveDatabaseUrl(runtime, config, logger);
    const knex = await connectKnex(runtime, config, url, logger);
    const applied = await applyMigrations(knex, allMigrations, logger);
    if (applied.length === 0) await writeLine('no pending migrations: the database is up to date');
    for (const name of applied) await writeLine(`applied ${name}`);
    return 0;
  } finally {
    await runtime.stop();
  }
}
