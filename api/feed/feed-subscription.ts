import type { Upcasters } from '../../domain/shared/upcasting.js';
import { parsePosition, type EventStore, type Position, type RecordedEvent } from '../../infra/event-store/event-store.js';
import { upcastEvent } from '../../infra/event-store/upcast-event.js';
import type { Logger } from '../../infra/logging/logger.js';
import { LazyEventText, subscriptionHead } from './feed-event-text.js';
import type { CompiledFeedFilter } from './feed-filter.js';
import type { FeedHub, HubListener } from './feed-hub.js';
import { caughtUpMessage, subscribedMessage } from './feed-protocol.js';
import type { FeedReader } from './feed-rights-model.js';
import { readAllRiding, readRiding } from './read-all-riding.js';

/** Where a subscription's messages go: its socket. */
export interface SubscriptionSink {
  /** Read at each decision: a user's roles change while connected. */
  readonly reader: FeedReader;
  /** `event`: the event an `event` message carries; `live`: delivered live, not replayed (for the delivery lag). */
  send(text: string | Buffer, event?: RecordedEvent, live?: boolean): void;
  /** Whether the socket has room for more without waiting. */
  hasRoom(): boolean;
  /** Resolves once it has (a catch-up never queues the whole log in memory). */
  writable(signal: AbortSignal): Promise<void>;
  /** More live events arrived during the catch-up than the buffer holds: the client is closed as a slow consumer and resumes. */
  overflowed(subscriptionId: string): void;
}

export interface CatchUpSettings {
  eventStore: EventStore;
  upcasters: Upcasters;
  logger: Logger;
  /** Events per catch-up read. */
  pageSize: number;
  /** Live events held while catching up (FEED_CATCH_UP_BUFFER_EVENTS). */
  maxBufferedEvents: number;
}

/**
 * One client subscription: catch-up from the store, then live from the hub,
 * with no gap and no duplicate at the seam.
 *
 * It attaches to the hub first, at the hub's position H0: from then on every
 * live event after H0 that it may send is kept in a bounded buffer. It then
 * reads the store from the client's position up to H0 (everything up to H0
 * was committed before the read began, so the read sees all of it), sends
 * the buffer, and goes live. `floor`, the client's position then the last
 * event sent, drops anything already sent or older than the client asked
 * for (the hub of another process may be behind the client's position).
 *
 * `caught-up` promises that every event committed before the subscribe has
 * been sent, but the hub may lag behind the log: H0 can be older than an
 * event already committed. So the head of the log is read at the subscribe,
 * and `caught-up` waits, live, until the hub has passed that head. Reading
 * the log up to the head instead would leave a gap: an append still in
 * flight below it commits after the read, and the hub's offer of it then
 * falls under `floor`. The hub offers everything in log order once committed,
 * so following it there is safe. The wait holds back nothing but `caught-up`:
 * events keep flowing, and a stalled hub or an outage of the store only
 * delays the message until the hub moves past the head.
 *
 * Catch-up decides on the rights as they are now (a resume replays only what
 * the reader may read now); live events, as of the event.
 */
export class FeedSubscription implements HubListener {
  private live = false;
  private closed = false;
  private buffer: LazyEventText[] = [];
  private floor: Position | undefined;
  private readonly head: string;
  private readonly abort = new AbortController();
  private cancelCaughtUp: (() => void) | undefined;

  constructor(
    readonly id: string,
    private readonly filter: CompiledFeedFilter,
    private readonly sink: SubscriptionSink,
    private readonly hub: FeedHub,
    private readonly settings: CatchUpSettings,
  ) {
    this.head = subscriptionHead(id);
  }

  offer(text: LazyEventText): void {
    const event = text.event;
    if (this.floor !== undefined && event.position <= this.floor) return;
    if (!this.filter.matches(event) || !this.hub.rights.mayRead(this.sink.reader, event)) return;
    if (this.live) return this.deliver(text);
    this.buffer.push(text);
    if (this.buffer.length > this.settings.maxBufferedEvents) {
      this.close();
      this.sink.overflowed(this.id);
    }
  }

  /** `from` as the client sent it (already checked): `live`, `start` or a position, exclusive. Throws what the catch-up's reads throw. */
  async start(from: string): Promise<void> {
    this.sink.send(subscribedMessage(this.id));
    // Before the hub has caught up with the head its position is not a seam anything could join.
    await this.hub.ready;
    if (this.closed) return;
    const attachedAt = this.hub.attach(this);
    if (from === 'live') {
      this.floor = attachedAt;
      this.goLive();
      this.sendCaughtUp();
      return;
    }
    this.floor = from === 'start' ? undefined : parsePosition(from);
    const logHead = await readRiding(async () => ({ at: await this.settings.eventStore.headPosition() }), this.abort.signal, this.settings.logger);
    if (logHead === undefined || this.closed) return;
    await this.catchUp(attachedAt);
    if (this.closed) return;
    this.goLive();
    if (logHead.at === undefined) this.sendCaughtUp();
    else this.cancelCaughtUp = this.hub.whenPassed(logHead.at, () => this.sendCaughtUp());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.cancelCaughtUp?.();
    this.hub.detach(this);
    this.buffer = [];
  }

  private async catchUp(until: Position | undefined): Promise<void> {
    if (until === undefined) return;
    const { eventStore, upcasters, logger, pageSize } = this.settings;
    const filter = this.filter.storeFilter;
    let after = this.floor;
    while (!this.closed && (after === undefined || after < until)) {
      const page = await readAllRiding(eventStore, { ...(after === undefined ? {} : { fromPosition: after }), maxCount: pageSize, ...(filter ? { filter } : {}) }, this.abort.signal, logger);
      if (page === undefined || this.closed) return;
      for (const stored of page) {
        if (stored.position > until) return;
        const event = upcastEvent(stored, upcasters);
        if (!this.filter.matches(event) || !this.hub.rights.mayRead(this.sink.reader, event)) continue;
        this.deliver(new LazyEventText(event));
        if (!this.sink.hasRoom()) await this.sink.writable(this.abort.signal);
        if (this.closed) return;
      }
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.position;
    }
  }

  private goLive(): void {
    const held = this.buffer;
    this.buffer = [];
    for (const text of held) if (this.floor === undefined || text.event.position > this.floor) this.deliver(text);
    this.live = true;
  }

  /** Everything up to the position named has been sent: the hub's, or the last sent when the hub is behind the client. */
  private sendCaughtUp(): void {
    if (this.closed) return;
    const hubAt = this.hub.position;
    const through = this.floor === undefined || (hubAt !== undefined && hubAt > this.floor) ? hubAt : this.floor;
    this.sink.send(caughtUpMessage(this.id, through));
  }

  private deliver(text: LazyEventText): void {
    this.floor = text.event.position;
    this.sink.send(text.message(this.head), text.event, this.live);
  }
}
