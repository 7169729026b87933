import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { allMigrations } from '../../app/migrations.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest } from '../../infra/postgres/migrations.js';
import { createLogger } from '../../infra/logging/logger.js';
import { freePort } from './free-port.js';

/**
 * An embedded PostgreSQL of a test's own, durable (fsync on), migrated, that
 * the test may stop (fast or immediate, as a crash) and start again on the
 * same port and data: for tests of outages, which must not touch the shared server.
 */
export interface OwnPostgres {
  /** The migrated database, reached directly (not through a proxy). */
  readonly url: string;
  readonly port: number;
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts the stopped server again (after an immediate stop, PostgreSQL recovers first). */
  start(): Promise<void>;
  /**
   * Ends the server sessions of an application (pg_terminate_backend), only
   * those running a statement that starts with `runningStatement` if given; answers how many.
   */
  terminateBackends(applicationName: string, runningStatement?: string): Promise<number>;
  /** The server's log so far (errors, cancelled statements). */
  serverLog(): Promise<string>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-outage-'));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const logger = createLogger('silent');
  const launch = () => startEmbeddedPostgres({ dataDir, port, logger });
  let server: EmbeddedPostgres | undefined = await launch();
  const url = server.url;
  // One admin session, kept: a test may terminate backends in a tight loop.
  let admin: pg.Client | undefined;
  const adminSession = async (): Promise<pg.Client> => {
    if (admin) return admin;
    const client = new pg.Client({ connectionString: url, application_name: 'chronicle-test-admin' });
    client.on('error', () => {
      if (admin === client) admin = undefined;
    });
    await client.connect();
    admin = client;
    return client;
  };
  const endAdminSession = async (): Promise<void> => {
    const client = admin;
    admin = undefined;
    await client?.end().catch(() => undefined);
  };
  const knex = createKnex(url, 1);
  try {
    await migrateToLatest(knex, allMigrations);
  } finally {
    await knex.destroy();
  }
  return {
    url,
    port,
    async stop(mode) {
      await endAdminSession();
      await server?.stop(mode);
      server = undefined;
    },
    async start() {
      server ??= await launch();
    },
    async terminateBackends(applicationName, runningStatement) {
      const { rows } = await (await adminSession()).query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
          WHERE application_name = $1 AND pid <> pg_backend_pid() AND ($2::text IS NULL OR (state = 'active' AND starts_with(query, $2)))`,
        [applicationName, runningStatement ?? null],
      );
      return rows.filter((row) => row.terminated).length;
    },
    serverLog() {
      return readFile(path.join(dataDir, 'pg', 'server.log'), 'utf8');
    },
    async destroy() {
      await endAdminSession();
      await server?.stop('fast').catch(() => undefined);
      server = undefined;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
