import pg from 'pg';
import type { Logger } from '../../infra/logging/logger.js';
import { clientLiveness } from '../../infra/postgres/connection-liveness.js';
import { SocketRegistry } from '../../infra/postgres/socket-registry.js';
import { parseInvalidation, type AuthenticationCache } from './authentication-cache.js';

/** The channel the triggers of auth/schema.ts (0240) notify on. */
export const AUTHENTICATION_CHANNEL = 'chronicle_auth';
const RECONNECT_MS = 1_000;
const CLOSE_GRACE_MS = 2_000;

export interface AuthenticationCacheListenerOptions {
  connectionString: string;
  logger: Logger;
  /**
   * A LISTEN connection only hears, so a silent network would leave it deaf
   * without noticing: it is asked a question this often, and given up (the
   * cache emptied and unused until a new one listens) when no answer comes within as long.
   */
  checkMs?: number;
}

/**
 * Keeps an AuthenticationCache told of sessions ended and users changed by
 * any process: LISTENs for the triggers' notifications, and tells the cache
 * whether it is listening, so that it is only used while it hears.
 */
export class AuthenticationCacheListener {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly sockets = new SocketRegistry();
  private readonly checkMs: number;

  constructor(
    private readonly cache: AuthenticationCache,
    private readonly options: AuthenticationCacheListenerOptions,
  ) {
    this.checkMs = options.checkMs ?? 5_000;
  }

  /** Listens when the database answers; otherwise keeps trying, and the cache stays unused meanwhile. */
  async start(): Promise<void> {
    this.closed = false;
    try {
      await this.listen();
    } catch (error) {
      this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'authentication cache cannot listen; every request reads its session and user');
      this.scheduleReconnect();
    }
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.checkTimer);
    this.cache.setListening(false);
    const client = this.client;
    this.client = undefined;
    await this.sockets.closeWithin(CLOSE_GRACE_MS, () => client?.end().catch(() => undefined) ?? Promise.resolve());
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: 'chronicle-auth-listener',
      query_timeout: this.checkMs,
      ...clientLiveness(),
      stream: this.sockets.socket,
    });
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = undefined;
      this.cache.setListening(false);
      if (!this.closed) this.options.logger.warn('authentication cache listener lost; every request reads its session and user until it is back');
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('notification', (message) => {
      const invalidation = parseInvalidation(message.payload ?? '');
      // Unreadable: whatever changed is unknown, so nothing kept can be trusted.
      if (invalidation) this.cache.invalidate(invalidation);
      else this.cache.forgetAll();
    });
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${AUTHENTICATION_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // From here on every commit is heard; what was kept before (nothing, or entries from a lost listener) is dropped.
    this.cache.setListening(true);
    this.checkLater(client, lost);
  }

  private checkLater(client: pg.Client, lost: () => void): void {
    this.checkTimer = setTimeout(() => {
      if (this.client !== client) return;
      client.query('SELECT 1').then(() => this.checkLater(client, lost), lost);
    }, this.checkMs);
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.listen().catch(() => this.scheduleReconnect());
    }, RECONNECT_MS);
  }
}
