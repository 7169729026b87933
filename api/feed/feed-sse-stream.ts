import type { ServerResponse } from 'node:http';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { InvalidReadError } from '../../infra/event-store/errors.js';
import type { Logger } from '../../infra/logging/logger.js';
import { sleep } from '../../infra/sleep.js';
import type { ConnectionSession } from './feed-connection.js';
import type { CompiledFeedFilter } from './feed-filter.js';
import type { FeedHub } from './feed-hub.js';
import { disconnectReason, type DisconnectReason, type FeedSendMeter } from './feed-metrics.js';
import { FEED_CLOSE_CODES } from '../../feed-client/messages.js';
import { errorMessage } from './feed-protocol.js';
import type { FeedReader } from './feed-rights-model.js';
import { FeedSubscription, type CatchUpSettings, type SubscriptionSink } from './feed-subscription.js';

export interface SseStreamSettings extends CatchUpSettings {
  /** Bytes queued on the response beyond which the client is a slow consumer (FEED_MAX_BUFFERED_BYTES). */
  maxBufferedBytes: number;
  meter?: FeedSendMeter;
}

/** The one subscription of an SSE stream, as its messages name it. */
export const SSE_SUBSCRIPTION_ID = 'sse';

const WRITABLE_POLL_MS = 10;
const CAUGHT_UP_PREFIX = '{"type":"caught-up"';

/**
 * One `GET /feed/sse` response: a single feed subscription (the same class
 * as a socket's, so the same filters, rights and seam) whose messages are
 * written as Server-Sent Events. `data` is the message as the WebSocket
 * sends it; events and `caught-up` carry the position as the SSE id, so a
 * browser's `Last-Event-ID` resumes exactly after them.
 */
export class FeedSseStream implements SubscriptionSink {
  private readonly subscription: FeedSubscription;
  private ended = false;
  // Declared before `done`, whose initializer sets it (fields are defined in order).
  private resolveDone!: (reason: DisconnectReason) => void;
  /** Resolves when the stream has ended, with why. */
  readonly done = new Promise<DisconnectReason>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly res: ServerResponse,
    public reader: FeedReader,
    readonly session: ConnectionSession | undefined,
    filter: CompiledFeedFilter,
    hub: FeedHub,
    private readonly settings: SseStreamSettings,
    private readonly logger: Logger,
  ) {
    this.subscription = new FeedSubscription(SSE_SUBSCRIPTION_ID, filter, this, hub, settings);
    res.once('close', () => this.finish('client_closed'));
  }

  get userId(): string | undefined {
    return this.reader.kind === 'user' ? this.reader.userId : undefined;
  }

  /** `from` already checked: `live`, `start` or a position (exclusive). */
  start(from: string): void {
    this.subscription.start(from).catch((error: unknown) => this.failed(error));
  }

  send(message: string | Buffer, event?: RecordedEvent, live = false): void {
    if (this.ended) return;
    const text = typeof message === 'string' ? message : message.toString('utf8');
    if (this.res.writableLength > this.settings.maxBufferedBytes) return this.overflowed();
    const id = event ? String(event.position) : text.startsWith(CAUGHT_UP_PREFIX) ? caughtUpPosition(text) : undefined;
    const frame = `${id === undefined ? '' : `id: ${id}\n`}data: ${text}\n\n`;
    this.res.write(frame);
    this.settings.meter?.sent(frame, live ? event : undefined);
  }

  hasRoom(): boolean {
    return this.res.writableLength <= this.settings.maxBufferedBytes / 2;
  }

  async writable(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.ended && !this.hasRoom()) await sleep(WRITABLE_POLL_MS, signal);
  }

  /** Nothing can be written to a client this far behind: the connection is cut, and the browser resumes with its Last-Event-ID. */
  overflowed(): void {
    if (this.ended) return;
    this.finish('slow_consumer');
    this.res.destroy();
  }

  /** A comment line: keeps proxies from timing the stream out, and finds dead peers (a write that fails ends it). */
  heartbeat(): void {
    if (!this.ended && this.res.writableLength <= this.settings.maxBufferedBytes) this.res.write(': keep-alive\n\n');
  }

  /**
   * The server ends the stream (a WebSocket would be closed with `code`): a
   * last `close` event says why, then the response ends. A browser's
   * EventSource reconnects by itself, with its Last-Event-ID.
   */
  close(code: number, reason: string): void {
    if (this.ended) return;
    this.finish(disconnectReason(code, true));
    this.res.end(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
  }

  private failed(error: unknown): void {
    if (this.ended) return;
    if (error instanceof InvalidReadError) this.send(errorMessage('invalid_read', error.message, SSE_SUBSCRIPTION_ID));
    else {
      this.logger.error({ err: error }, 'feed SSE subscription failed');
      this.send(errorMessage('subscription_failed', 'the subscription failed; connect again', SSE_SUBSCRIPTION_ID));
    }
    this.close(FEED_CLOSE_CODES.goingAway, 'subscription failed');
  }

  private finish(reason: DisconnectReason): void {
    if (this.ended) return;
    this.ended = true;
    this.subscription.close();
    this.resolveDone(reason);
  }
}

function caughtUpPosition(text: string): string | undefined {
  const { position } = JSON.parse(text) as { position: string | null };
  return position ?? undefined;
}
