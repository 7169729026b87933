import type { Config } from '../infra/config/config.js';
import { safeUrl, type Logger } from '../infra/logging/logger.js';
import { createKnex } from '../infra/postgres/knex.js';
import { findRunningEmbeddedPostgres, startEmbeddedPostgres } from '../infra/postgres/embedded-postgres.js';
import type { Knex } from 'knex';
import { reason, StartupError } from './errors.js';
import type { Runtime } from './runtime.js';

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR, which
 * this process starts and later stops, or, when another live Chronicle
 * process already runs it (`npm start` beside `chronicle events tail`), joins.
 */
export async function resolveDatabaseUrl(runtime: Runtime, config: Config, logger: Logger): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const running = await findRunningEmbeddedPostgres(config.DATA_DIR);
  if (running) {
    logger.info({ ownerPid: running.ownerPid, port: running.port }, 'using the embedded PostgreSQL another process runs');
    return running.url;
  }
  const server = await runtime.start(
    'embedded PostgreSQL',
    () => startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, logger }),
    (started) => started.stop(),
  );
  return server.url;
}

/** Opens the pool and proves PostgreSQL answers, within DATABASE_CONNECT_TIMEOUT_MS. */
export async function connectKnex(runtime: Runtime, config: Config, url: string, logger: Logger): Promise<Knex> {
  const knex = await runtime.start('knex', async () => createKnex(url, config.DB_POOL_SIZE, logger, { statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS }), (pool) => pool.destroy());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${config.DATABASE_CONNECT_TIMEOUT_MS} ms`)), config.DATABASE_CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([knex.raw('SELECT 1'), timeout]);
  } catch (error) {
    const source = config.DATABASE_URL ? 'DATABASE_URL' : `the embedded one in DATA_DIR ${config.DATA_DIR}`;
    throw new StartupError(`PostgreSQL at ${safeUrl(url)} (${source}) is unreachable: ${reason(error)}`);
  } finally {
    clearTimeout(timer);
  }
  return knex;
}
