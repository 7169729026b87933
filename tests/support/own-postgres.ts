import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { eventStoreMigrations } from '../../infra/event-store/postgres/schema.js';
import { createLogger } from '../../infra/logging/logger.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest, type Migration } from '../../infra/postgres/migrations.js';
import { copyClusterTemplate } from './cluster-template.js';
import { freePort } from './free-port.js';

/**
 * A durable embedded PostgreSQL of the test's own (fsync on, the shared test
 * server runs without it), for tests that stop, crash and restart it. It keeps
 * its port and data across restarts, as a real server does. Its cluster is a
 * copy of the run's template (cluster-template.ts), not a new initdb.
 */
export class OwnPostgres {
  private server: EmbeddedPostgres | undefined;
  /** Kept: a test may terminate backends in a tight loop. */
  private admin: pg.Client | undefined;

  private constructor(
    private readonly dataDir: string,
    readonly port: number,
    private readonly settings: Record<string, string>,
  ) {}

  /** Started and migrated (the event store's schema unless told); `settings` are extra server settings. */
  static async start(settings: Record<string, string> = {}, migrations: readonly Migration[] = eventStoreMigrations): Promise<OwnPostgres> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-own-pg-'));
    await chmod(dataDir, 0o755);
    await copyClusterTemplate(dataDir);
    const own = new OwnPostgres(dataDir, await freePort(), settings);
    await own.restart();
    const knex = createKnex(own.url, 1);
    try {
      await migrateToLatest(knex, migrations);
    } finally {
      await knex.destroy();
    }
    return own;
  }

  get url(): string {
    if (!this.server) throw new Error('own PostgreSQL is stopped');
    return this.server.url;
  }

  /** Starts it again after a stop or a crash (crash recovery runs then). */
  async restart(): Promise<void> {
    if (this.server) return;
    this.server = await startEmbeddedPostgres({
      dataDir: this.dataDir,
      port: this.port,
      logger: createLogger('silent'),
      settings: { fsync: 'on', synchronous_commit: 'on', max_connections: '100', ...this.settings },
    });
  }

  /** `immediate` loses what was not on disk and leaves crash recovery to the next start. */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.endAdminSession();
    const server = this.server;
    this.server = undefined;
    await server?.stop(mode);
  }

  /**
   * Ends the server sessions of an application (pg_terminate_backend), only
   * those running a statement that starts with `runningStatement` if given; answers how many.
   */
  async terminateBackends(applicationName: string, runningStatement?: string): Promise<number> {
    const { rows } = await (await this.adminSession()).query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE application_name = $1 AND pid <> pg_backend_pid() AND ($2::text IS NULL OR (state = 'active' AND starts_with(query, $2)))`,
      [applicationName, runningStatement ?? null],
    );
    return rows.filter((row) => row.terminated).length;
  }

  /** The server's log so far (errors, cancelled statements). */
  serverLog(): Promise<string> {
    return readFile(path.join(this.dataDir, 'pg', 'server.log'), 'utf8');
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async adminSession(): Promise<pg.Client> {
    if (this.admin) return this.admin;
    const client = new pg.Client({ connectionString: this.url, application_name: 'chronicle-test-admin' });
    client.on('error', () => {
      if (this.admin === client) this.admin = undefined;
    });
    await client.connect();
    this.admin = client;
    return client;
  }

  private async endAdminSession(): Promise<void> {
    const client = this.admin;
    this.admin = undefined;
    await client?.end().catch(() => undefined);
  }
}
