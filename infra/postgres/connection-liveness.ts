import type pg from 'pg';

/** Opening a connection gives up after this long: an unreachable or silent server fails instead of hanging. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** An idle connection is probed after this long, so a vanished peer is noticed by the operating system. */
const KEEPALIVE_INITIAL_DELAY_MS = 5_000;
/**
 * Client-side deadlines exceed the server's statement timeout by this much, so
 * that a statement the server cancels reports that, and the client's own
 * deadline only fires when the server or the network is gone.
 */
export const DEADLINE_GRACE_MS = 1_000;

/** Client-side settings every PostgreSQL connection of ours gets (pg.Client, pg.Pool and knex alike). */
export function clientLiveness(connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Pick<pg.ClientConfig, 'keepAlive' | 'keepAliveInitialDelayMillis' | 'connectionTimeoutMillis'> {
  return { keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS, connectionTimeoutMillis: connectTimeoutMs };
}

/**
 * Server-side settings for sessions whose transactions hold others back (appends
 * hold subscribers back, the ownership session holds projection locks): the
 * server probes a silent client after 5 s and ends the session 6 s later
 * (or once its unacknowledged output is 10 s old), and checks every second
 * while a statement runs that the client is still there. The transaction
 * then rolls back and its locks go, with no help from the client.
 */
export const SERVER_SIDE_LIVENESS: Readonly<Record<string, string>> = {
  tcp_keepalives_idle: '5',
  tcp_keepalives_interval: '2',
  tcp_keepalives_count: '3',
  tcp_user_timeout: '10000',
  client_connection_check_interval: '1000',
};

/** A startup `options` string: `-c name=value` for each setting. */
export function sessionOptions(settings: Readonly<Record<string, string>>): string {
  return Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
}
