import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../infra/config/config.js';
import { safeUrl, type Logger } from '../infra/logging/logger.js';
import { createKnex } from '../infra/postgres/knex.js';
import { startEmbeddedPostgres } from '../infra/postgres/embedded-postgres.js';
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
  const running = await runningEmbeddedPostgres(config);
  if (running) {
    logger.info({ ownerPid: running.ownerPid, port: config.EMBEDDED_PG_PORT }, 'using the embedded PostgreSQL another process runs');
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
export async function connectKnex(runtime: Runtime, config: Config, url: string): Promise<Knex> {
  const knex = await runtime.start('knex', async () => createKnex(url, config.DB_POOL_SIZE), (pool) => pool.destroy());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${config.DATABASE_CONNECT_TIMEOUT_MS} ms`)), config.DATABASE_CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([knex.raw('SELECT 1'), timeout]);
  } catch (error) {
    throw new StartupError(`PostgreSQL at ${safeUrl(url)} is unreachable: ${reason(error)}`);
  } finally {
    clearTimeout(timer);
  }
  return knex;
}

interface RunningEmbedded {
  url: string;
  ownerPid: number;
}

async function runningEmbeddedPostgres(config: Config): Promise<RunningEmbedded | undefined> {
  const dataDir = path.resolve(config.DATA_DIR);
  const ownerFile = path.join(dataDir, 'pg-owner.pid');
  const credentialsFile = path.join(dataDir, 'pg-credentials.json');
  if (!existsSync(ownerFile) || !existsSync(credentialsFile)) return undefined;
  const ownerPid = Number(await readFile(ownerFile, 'utf8'));
  if (!isOtherLiveProcess(ownerPid)) return undefined;
  const { user, password } = JSON.parse(await readFile(credentialsFile, 'utf8')) as { user: string; password: string };
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${config.EMBEDDED_PG_PORT}/postgres`;
  return { url, ownerPid };
}

function isOtherLiveProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
