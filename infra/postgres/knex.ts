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
  const connection: Knex.PgConnectionConfig = {
    connectionString,
    application_name: 'chronicle',
    statement_timeout: statementTimeoutMs,
    // A session its client left inside a transaction (the network went silent
    // between two statements) ends, and its locks go with it.
    idle_in_transaction_session_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + DEADLINE_GRACE_MS,
    ...clientLiveness(deadlines.connectTimeoutMs),
  };
  return knexFactory({
    client: 'pg',
    connection,
    pool: {
      min: 0,
      max: poolSize,
      afterCreate: (client: pg.Client, done: (error: Error | null, client: pg.Client) => void) => {
        discardOnReadTimeout(client);
        done(null, client);
      },
    },
    migrations: { tableName: 'knex_migrations' },
    log: { debug: to('debug'), warn: to('warn'), error: to('error'), deprecate: to('warn') },
  });
}

type Callback = (error: Error | null, result?: unknown) => void;

/**
 * A query that ran out of time leaves its connection waiting for that answer,
 * and every later query on it (the transaction's ROLLBACK first) would queue
 * behind it until its own deadline. Its socket is destroyed instead: knex sees
 * the connection end and the pool never hands it out again. (pg's pipeline
 * mode does the same, but refuses the COPY streams projections write with.)
 */
function discardOnReadTimeout(client: pg.Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const destroyOnTimeout = (error: unknown) => {
    if (error instanceof Error && error.message === 'Query read timeout') (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as Callback;
      args[args.length - 1] = (error: Error | null, result?: unknown) => {
        destroyOnTimeout(error);
        callback(error, result);
      };
    }
    const result = query(...args);
    if (result instanceof Promise) result.catch(destroyOnTimeout);
    return result;
  };
}

/** knex puts an error's whole stack in its message: the first line says what happened. */
function firstLine(message: unknown): string {
  const text = typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message);
  return (text.split('\n')[0] ?? '').replace(/(\w+:\/\/[^:/@\s]+):[^@\s]+@/g, '$1:***@').trim();
}
