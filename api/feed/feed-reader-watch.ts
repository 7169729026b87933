import type { Logger } from '../../infra/logging/logger.js';
import type { ConnectionSession } from './feed-connection.js';
import { FEED_CLOSE_CODES } from '../../feed-client/messages.js';
import type { FeedReader, FeedRightsModel } from './feed-rights-model.js';

/** What the watch needs of a connection: a socket or an SSE stream. */
export interface WatchedConnection {
  reader: FeedReader;
  readonly session: ConnectionSession | undefined;
  close(code: number, reason: string): void;
}

export interface ReaderWatchOptions {
  rights: FeedRightsModel;
  connectionsOf(userId: string): ReadonlySet<WatchedConnection>;
  open(): Iterable<WatchedConnection>;
  /** Which of these sessions are still open: one query (SessionStore.activeOf). */
  activeSessions(sessionIds: readonly string[]): Promise<Set<string>>;
  now(): Date;
  /** FEED_AUTH_RECHECK_MS. */
  intervalMs: number;
  logger: Logger;
}

/**
 * Keeps each connected reader what the log and the sessions say it is now:
 * - on every event of a user's stream (called by the hub before it offers
 *   that event to anyone), the user's roles and tenant are taken from the
 *   rights model, and a disabled user is closed at once (4001);
 * - every FEED_AUTH_RECHECK_MS, the access-token sessions of all sockets
 *   are checked in one query, and sockets whose session ended or whose
 *   token expired are closed (4001), so a logout reaches the feed within
 *   seconds; so are the sockets of API keys the rights model knows revoked
 *   (revoked, or their issuer disabled: `api_key_revoked`), which read
 *   nothing from that position on meanwhile.
 */
export class ReaderWatch {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: ReaderWatchOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.recheck(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  userChanged(userId: string): void {
    const connections = this.options.connectionsOf(userId);
    if (connections.size === 0) return;
    const user = this.options.rights.user(userId);
    // A user the model does not know (yet) keeps the reader established at connect.
    if (!user) return;
    for (const connection of [...connections]) {
      if (user.disabled) connection.close(FEED_CLOSE_CODES.sessionEnded, 'session_ended');
      else connection.reader = { kind: 'user', userId, tenantId: user.tenantId, roles: user.roles };
    }
  }

  /** In memory, so before the sessions' query: a database away does not keep a revoked key's socket open. */
  private closeRevokedKeys(): void {
    const { rights } = this.options;
    for (const connection of [...this.options.open()]) {
      const reader = connection.reader;
      if (reader.kind === 'apiKey' && rights.apiKey(reader.keyId)?.revoked) connection.close(FEED_CLOSE_CODES.sessionEnded, 'api_key_revoked');
    }
  }

  /** Public for tests that do not wait for the timer. */
  async recheck(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      this.closeRevokedKeys();
      const now = this.options.now();
      const withSession = [...this.options.open()].filter((connection) => connection.session !== undefined);
      for (const connection of withSession) if (connection.session!.expiresAt <= now) connection.close(FEED_CLOSE_CODES.sessionEnded, 'token_expired');
      const ids = [...new Set(withSession.map((connection) => connection.session!.sessionId))];
      if (ids.length === 0) return;
      const active = await this.options.activeSessions(ids);
      for (const connection of withSession) if (!active.has(connection.session!.sessionId)) connection.close(FEED_CLOSE_CODES.sessionEnded, 'session_ended');
    } catch (error) {
      // The database is away: try again next time, the sockets stay as they are meanwhile.
      this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'feed could not re-check sessions');
    } finally {
      this.checking = false;
    }
  }
}
