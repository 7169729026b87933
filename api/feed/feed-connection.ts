import type { RawData, WebSocket } from 'ws';
import { InvalidReadError } from '../../infra/event-store/errors.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Logger } from '../../infra/logging/logger.js';
import { sleep } from '../../infra/sleep.js';
import { CompiledFeedFilter } from './feed-filter.js';
import type { FeedSendMeter } from './feed-metrics.js';
import type { FeedHub } from './feed-hub.js';
import { FEED_CLOSE_CODES } from '../../feed-client/messages.js';
import { clientMessageSchema, describeIssues, errorMessage, type SubscribeMessage } from './feed-protocol.js';
import type { FeedReader } from './feed-rights-model.js';
import { FeedSubscription, type CatchUpSettings, type SubscriptionSink } from './feed-subscription.js';

export interface ConnectionSettings extends CatchUpSettings {
  maxSubscriptions: number;
  /** Bytes queued on the socket beyond which the client is a slow consumer (FEED_MAX_BUFFERED_BYTES). */
  maxBufferedBytes: number;
  /** Counts what is sent (api/feed/feed-metrics.ts). */
  meter?: FeedSendMeter;
}

/** What the access token of a connection says, for the periodic re-check. */
export interface ConnectionSession {
  sessionId: string;
  expiresAt: Date;
}

const WRITABLE_POLL_MS = 10;

/**
 * One socket: its reader, its subscriptions by id, its messages. A bad
 * message is answered with an `error` message and changes nothing; nothing
 * a client sends can throw out of here.
 */
export class FeedConnection implements SubscriptionSink {
  private readonly subscriptions = new Map<string, FeedSubscription>();
  private closed = false;
  /** The code the server closed the socket with, if it did (for the disconnect metrics). */
  closedWith: number | undefined;

  constructor(
    private readonly socket: WebSocket,
    public reader: FeedReader,
    readonly session: ConnectionSession | undefined,
    private readonly hub: FeedHub,
    private readonly settings: ConnectionSettings,
    private readonly logger: Logger,
  ) {}

  get userId(): string | undefined {
    return this.reader.kind === 'user' ? this.reader.userId : undefined;
  }

  handle(data: RawData): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText(data));
    } catch {
      return this.send(errorMessage('invalid_json', 'the message is not JSON'));
    }
    const message = clientMessageSchema.safeParse(parsed);
    if (!message.success) return this.send(errorMessage('invalid_message', describeIssues(message.error)));
    if (message.data.type === 'subscribe') return this.subscribe(message.data);
    const subscription = this.subscriptions.get(message.data.id);
    if (!subscription) return this.send(errorMessage('unknown_subscription', 'no subscription has this id', message.data.id));
    subscription.close();
    this.subscriptions.delete(message.data.id);
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  send(text: string | Buffer, event?: RecordedEvent, live = false): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.settings.maxBufferedBytes) return this.close(FEED_CLOSE_CODES.slowConsumer, 'slow consumer');
    this.socket.send(text, { binary: false });
    this.settings.meter?.sent(text, live ? event : undefined);
  }

  hasRoom(): boolean {
    return this.socket.bufferedAmount <= this.settings.maxBufferedBytes / 2;
  }

  async writable(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.closed && !this.hasRoom()) await sleep(WRITABLE_POLL_MS, signal);
  }

  overflowed(subscriptionId: string): void {
    this.logger.info({ subscription: subscriptionId }, 'feed subscription fell too far behind during its catch-up; closing as a slow consumer');
    this.close(FEED_CLOSE_CODES.slowConsumer, 'slow consumer');
  }

  /** Ends every subscription and closes the socket (the close handshake follows). */
  close(code: number, reason: string): void {
    this.closedWith ??= code;
    this.dispose();
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  /** The socket is gone: detach from the hub. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions.values()) subscription.close();
    this.subscriptions.clear();
  }

  private subscribe(message: SubscribeMessage): void {
    if (this.subscriptions.has(message.id)) return this.send(errorMessage('subscription_exists', 'a subscription with this id is open on this socket', message.id));
    if (this.subscriptions.size >= this.settings.maxSubscriptions) {
      return this.send(errorMessage('too_many_subscriptions', `at most ${this.settings.maxSubscriptions} subscriptions per socket (FEED_MAX_SUBSCRIPTIONS_PER_SOCKET)`, message.id));
    }
    const subscription = new FeedSubscription(message.id, new CompiledFeedFilter(message.filter), this, this.hub, this.settings);
    this.subscriptions.set(message.id, subscription);
    subscription.start(message.from).catch((error: unknown) => this.failed(subscription, error));
  }

  private failed(subscription: FeedSubscription, error: unknown): void {
    subscription.close();
    if (this.subscriptions.get(subscription.id) === subscription) this.subscriptions.delete(subscription.id);
    if (error instanceof InvalidReadError) return this.send(errorMessage('invalid_read', error.message, subscription.id));
    this.logger.error({ err: error, subscription: subscription.id }, 'feed subscription failed');
    this.send(errorMessage('subscription_failed', 'the subscription failed; subscribe again', subscription.id));
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
