import type { Logger } from '../../infra/logging/logger.js';
import { clientLiveness } from '../../infra/postgres/connection-liveness.js';
import { PostgresListener } from '../../infra/postgres/listener.js';
import { SocketRegistry } from '../../infra/postgres/socket-registry.js';
import { parseInvalidation, type AuthenticationCache } from './authentication-cache.js';

/** The channel the triggers of auth/schema.ts (0240) notify on. */
export const AUTHENTICATION_CHANNEL = 'chronicle_auth';
const CLOSE_GRACE_MS = 2_000;

export interface AuthenticationCacheListenerOptions {
  connectionString: string;
  logger: Logger;
  /** How often the LISTEN connection is checked for a silent network (infra/postgres/listener.ts). */
  checkMs?: number;
}

/**
 * Keeps an AuthenticationCache told of sessions ended and users changed by
 * any process: LISTENs for the triggers' notifications, and tells the cache
 * whether it is listening, so that it is only used while it hears.
 */
export class AuthenticationCacheListener {
  private readonly sockets = new SocketRegistry();
  private readonly listener: PostgresListener;

  constructor(cache: AuthenticationCache, options: AuthenticationCacheListenerOptions) {
    this.listener = new PostgresListener({
      connection: { connectionString: options.connectionString, application_name: 'chronicle-auth-listener', ...clientLiveness(), stream: this.sockets.socket },
      channel: AUTHENTICATION_CHANNEL,
      checkMs: options.checkMs ?? 5_000,
      logger: options.logger,
      messages: {
        lost: 'authentication cache listener lost; every request reads its session and user until it is back',
        unreachable: 'authentication cache cannot listen; every request reads its session and user',
      },
      onNotification: (payload) => {
        const invalidation = parseInvalidation(payload);
        // Unreadable: whatever changed is unknown, so nothing kept can be trusted.
        if (invalidation) cache.invalidate(invalidation);
        else cache.forgetAll();
      },
      // From the moment it hears, every commit is heard; what was kept before (nothing, or entries from a lost listener) is dropped.
      onListening: (listening) => cache.setListening(listening),
    });
  }

  /** Listens when the database answers; otherwise keeps trying, and the cache stays unused meanwhile. */
  start(): Promise<void> {
    return this.listener.start();
  }

  async stop(): Promise<void> {
    await this.sockets.closeWithin(CLOSE_GRACE_MS, () => this.listener.stop());
  }
}
