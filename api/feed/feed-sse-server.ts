import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../infra/logging/logger.js';
import type { Authenticator } from '../authentication.js';
import { TooManyRequests, Unavailable } from '../errors.js';
import type { ConnectionLimits } from './feed-connection-limits.js';
import { authenticateUpgrade, upgradeCredential } from './feed-credentials.js';
import type { CompiledFeedFilter } from './feed-filter.js';
import type { FeedHub } from './feed-hub.js';
import type { FeedMetrics } from './feed-metrics.js';
import { FEED_CLOSE_CODES } from '../../feed-client/messages.js';
import { FeedSseStream, type SseStreamSettings } from './feed-sse-stream.js';

export interface FeedSseServerOptions {
  hub: FeedHub;
  limits: ConnectionLimits;
  clientAddress(req: IncomingMessage): string;
  metrics: FeedMetrics;
  stream: SseStreamSettings;
  /** FEED_HEARTBEAT_MS: a comment line on every stream this often. */
  heartbeatMs: number;
  logger: Logger;
}

/** Seconds a client over a connection limit is told to wait. */
const RETRY_AFTER_SECONDS = 5;
const NONE: ReadonlySet<FeedSseStream> = new Set();

/**
 * The open `GET /feed/sse` streams of the process: admits each (credential,
 * connection limits), keeps them for the session re-check and the metrics,
 * writes their heartbeat comments, and ends them all at shutdown (before
 * HTTP drains, which they would otherwise hold to its end).
 */
export class FeedSseServer {
  private readonly streams = new Set<FeedSseStream>();
  private readonly byUser = new Map<string, Set<FeedSseStream>>();
  private authenticator: Authenticator | undefined;
  private accepting = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FeedSseServerOptions) {}

  /** Once HTTP listens, with the process's authenticator; streams are refused (503) before. */
  attach(authenticator: Authenticator | undefined): void {
    this.authenticator = authenticator;
    this.accepting = true;
    this.timer = setInterval(() => {
      for (const stream of this.streams) stream.heartbeat();
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  get open(): Iterable<FeedSseStream> {
    return this.streams.values();
  }

  get size(): number {
    return this.streams.size;
  }

  connectionsOf(userId: string): ReadonlySet<FeedSseStream> {
    return this.byUser.get(userId) ?? NONE;
  }

  /**
   * Authenticates, takes a place under the limits, answers 200 with the
   * event stream and starts its subscription. Throws the HTTP errors of a
   * refusal (401, 429, 503) before anything is written.
   */
  async serve(req: IncomingMessage, res: ServerResponse, filter: CompiledFeedFilter, from: string): Promise<void> {
    if (!this.accepting) throw new Unavailable('the live feed is not accepting streams; connect to another server', { code: 'shutting_down' });
    const identity = await authenticateUpgrade(this.authenticator, upgradeCredential(req));
    // The client may have gone during the authentication: its 'close' has passed, nothing would ever end the stream.
    if (res.destroyed || req.socket.destroyed) return;
    const release = this.options.limits.admit(identity.reader, this.options.clientAddress(req));
    if (!release) throw new TooManyRequests(RETRY_AFTER_SECONDS, 'too many live feed connections (FEED_MAX_CONNECTIONS_PER_USER, FEED_MAX_CONNECTIONS_PER_IP)', { code: 'too_many_connections' });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // Proxies that buffer responses (nginx) would hold the events back.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const { hub, stream: settings, logger, metrics } = this.options;
    const stream = new FeedSseStream(res, identity.reader, identity.session, filter, hub, settings, logger);
    this.add(stream);
    void stream.done.then((reason) => {
      release();
      this.remove(stream);
      metrics.disconnected('sse', reason);
    });
    stream.start(from);
  }

  /** Ends every stream with a `close` event (1001: reconnect elsewhere) and refuses new ones. */
  close(): void {
    this.accepting = false;
    clearInterval(this.timer);
    for (const stream of [...this.streams]) stream.close(FEED_CLOSE_CODES.goingAway, 'server shutting down');
  }

  private add(stream: FeedSseStream): void {
    this.streams.add(stream);
    const userId = stream.userId;
    if (userId !== undefined) this.byUser.set(userId, (this.byUser.get(userId) ?? new Set()).add(stream));
  }

  private remove(stream: FeedSseStream): void {
    this.streams.delete(stream);
    const userId = stream.userId;
    const ofUser = userId === undefined ? undefined : this.byUser.get(userId);
    ofUser?.delete(stream);
    if (userId !== undefined && ofUser?.size === 0) this.byUser.delete(userId);
  }
}
