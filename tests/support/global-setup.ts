import { mkdtemp, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest } from '../../infra/postgres/migrations.js';
import { allMigrations } from '../../app/migrations.js';
import { createClusterTemplate } from './cluster-template.js';
import { freePort } from './free-port.js';
import { TEMPLATE_DATABASE } from './database.js';

/** One embedded PostgreSQL for the whole run; each test file gets its own database from a migrated template. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-test-'));
  await chmod(dataDir, 0o755);
  // The template for the tests' own servers is initialised beside the shared one (two cores).
  const [server, clusterTemplate] = await Promise.all([
    startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      logger: createLogger('silent'),
      // A throwaway cluster: durability buys nothing here and costs seconds.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '400' },
    }),
    createClusterTemplate(),
  ]);
  process.env.TEST_DATABASE_URL = server.url;
  (globalThis as { __chronicleTestPostgres?: typeof server }).__chronicleTestPostgres = server;
  (globalThis as { __chronicleTestDataDir?: string }).__chronicleTestDataDir = dataDir;
  (globalThis as { __chronicleTestClusterTemplate?: string }).__chronicleTestClusterTemplate = clusterTemplate;

  const admin = createKnex(server.url, 1);
  await admin.raw(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.destroy();
  const template = createKnex(withDatabase(server.url, TEMPLATE_DATABASE), 1);
  await migrateToLatest(template, allMigrations);
  await template.destroy();
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
