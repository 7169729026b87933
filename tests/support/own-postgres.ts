import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventStoreMigrations } from '../../infra/event-store/postgres/schema.js';
import { createLogger } from '../../infra/logging/logger.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest } from '../../infra/postgres/migrations.js';
import { freePort } from './free-port.js';

/**
 * A durable embedded PostgreSQL of the test's own (fsync on, the shared test
 * server runs without it), for tests that stop, crash and restart it. It keeps
 * its port and data across restarts, as a real server does.
 */
export class OwnPostgres {
  private server: EmbeddedPostgres | undefined;

  private constructor(
    private readonly dataDir: string,
    readonly port: number,
    private readonly settings: Record<string, string>,
  ) {}

  /** Started, with the event store's schema; `settings` are extra server settings. */
  static async start(settings: Record<string, string> = {}): Promise<OwnPostgres> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-own-pg-'));
    await chmod(dataDir, 0o755);
    const own = new OwnPostgres(dataDir, await freePort(), settings);
    await own.restart();
    const knex = createKnex(own.url, 1);
    try {
      await migrateToLatest(knex, eventStoreMigrations);
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
    const server = this.server;
    this.server = undefined;
    await server?.stop(mode);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
