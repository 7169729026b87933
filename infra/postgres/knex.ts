import knexFactory, { type Knex } from 'knex';
import type { Logger } from '../logging/logger.js';
import { clientLiveness } from './connection-liveness.js';

/**
 * A knex pool whose own messages (a failed connection, a deprecation) go through
 * `logger` as JSON records of one line, never to stdout as text with stack frames.
 * Without a logger they are dropped (tools and tests that have none).
 */
export function createKnex(connectionString: string, poolSize = 10, logger?: Logger): Knex {
  const log = logger?.child({ component: 'knex' });
  const to = (level: 'debug' | 'warn' | 'error') => (message: unknown) => log?.[level](firstLine(message));
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'chronicle', ...clientLiveness() },
    pool: { min: 0, max: poolSize },
    migrations: { tableName: 'knex_migrations' },
    log: { debug: to('debug'), warn: to('warn'), error: to('error'), deprecate: to('warn') },
  });
}

/** knex puts an error's whole stack in its message: the first line says what happened. */
function firstLine(message: unknown): string {
  const text = typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message);
  return (text.split('\n')[0] ?? '').replace(/(\w+:\/\/[^:/@\s]+):[^@\s]+@/g, '$1:***@').trim();
}
