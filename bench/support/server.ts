import type { KnexDeadlines } from '../../infra/postgres/knex.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { createLogger } from '../../infra/logging/logger.js';

export interface BenchServer {
  url: string;
  /** A new empty database on the server, for one subject. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The bench's PostgreSQL: durable as in production (fsync and
 * synchronous_commit on); only memory and checkpoint spacing are raised, for
 * all subjects alike.
 */
export const BENCH_POSTGRES_SETTINGS = {
  fsync: 'on',
  synchronous_commit: 'on',
  shared_buffers: '1GB',
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
} as const;

/** One embedded PostgreSQL for every subject (BENCH_POSTGRES_SETTINGS). */
export async function startBenchServer(port: number): Promise<BenchServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-bench-'));
  const server: EmbeddedPostgres = await startEmbeddedPostgres({
    dataDir,
    port,
    logger: createLogger('silent'),
    settings: BENCH_POSTGRES_SETTINGS,
  });
  return {
    url: server.url,
    async createDatabase(name) {
      const admin = new pg.Client(server.url);
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The bench's own knex pools load a million rows in one statement; on a busy
 * two-core machine that can outlast the product's 30-second statement bound,
 * which guards a live installation, not a benchmark's set-up.
 */
export const BENCH_DEADLINES: KnexDeadlines = { statementTimeoutMs: 600_000 };
