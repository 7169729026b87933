import knexFactory, { type Knex } from 'knex';
import type pg from 'pg';
import type { Logger } from '../logging/logger.js';
import { clientLiveness, DEADLINE_GRACE_MS } from './connection-liveness.js';

/** The default bound on one statement of the read models and projections. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

export interface KnexDeadlines {
  /** The server cancels a statement after this long; the client gives up DEADLINE_GRACE_MS later. */
  statementTimeoutMs?: number;
  /** Opening a connection gives up after this long. */
  connectTimeoutMs?: number;
}

/**
 * A knex pool whose own messages (a failed connection, a deprecation) go through
 * `logger` as JSON records of one line, never to stdout as text with stack frames.
 * Without a logger they are dropped (tools and tests that have none).
 *
 * Every statement has a deadline on both sides. A silent network (bytes lost
 * while the sockets stay open, as behind a proxy or a NAT that keepalive
 * cannot see through) would otherwise leave a query waiting for an answer
 * forever, and its server session, inside its transaction, holding row locks
 * that every later attempt waits for.
 */
export function createKnex(connectionString: string, poolSize = 10, logger?: Logger, deadlines: KnexDeadlines = {}): Knex {
  const log = logger?.child({ component: 'knex' });
  const to = (level: 'debug' | 'warn' | 'error') => (message: unknown) => log?.[level](firstLine(message));
  const statementTimeoutMs = deadlines.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  // knex hands these to pg.Client as they are; its type does not know pipeline mode.
  const connection: Knex.PgConnectionConfig & Pick<pg.ClientConfig, 'pipeline'> = {
    connectionString,
    application_name: 'chronicle',
    statement_timeout: statementTimeoutMs,
    // A session its client left inside a transaction (the network went silent
    // between two statements) ends, and its locks go with it.
    idle_in_transaction_session_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + DEADLINE_GRACE_MS,
    // In pipeline mode a query that runs out of time destroys its connection:
    // otherwise the connection would go back to the pool still waiting for
    // that answer, and every later query on it (the transaction's ROLLBACK
    // first) would queue behind it until its own deadline.
    pipeline: true,
    ...clientLiveness(deadlines.connectTimeoutMs),
  };
  return knexFactory({
    client: 'pg',
    connection,
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
