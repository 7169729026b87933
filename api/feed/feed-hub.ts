import type { Upcasters } from '../../domain/shared/upcasting.js';
import { USER_CATEGORY } from '../../domain/user/streams.js';
import type { EventFilter, EventStore, Position, RecordedEvent, Subscription } from '../../infra/event-store/event-store.js';
import { upcastEvent } from '../../infra/event-store/upcast-event.js';
import type { Logger } from '../../infra/logging/logger.js';
import { sleep } from '../../infra/sleep.js';
import { LazyEventText } from './feed-event-text.js';
import type { FeedRightsModel } from './feed-rights-model.js';
import { readAllRiding } from './read-all-riding.js';

/** One attached client subscription, as the hub sees it. */
export interface HubListener {
  /**
   * Each event, in log order, right after the rights model applied it:
   * synchronously, so the decision is made on the rights as of this event.
   */
  offer(event: LazyEventText): void;
}

export interface FeedHubOptions {
  eventStore: EventStore;
  upcasters: Upcasters;
  /** Empty: the hub folds the log into it at start. */
  rights: FeedRightsModel;
  /** The events the rights model needs to fold at start (undefined: all of them). */
  rightsFilter?: EventFilter;
  logger: Logger;
  /** After a `user-<id>` event changed what the model knows of that user (roles, disabled). */
  onUserChanged?(userId: string): void;
}

const FOLD_PAGE = 5_000;
const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5_000;
const USER_PREFIX = `${USER_CATEGORY}-`;

interface PassedWaiter {
  position: Position;
  passed(): void;
}

/**
 * The one store subscription of an API process, feeding every socket: it
 * folds each event into the rights model, then offers it to every attached
 * subscription, which filters and decides `mayRead`. Never one store
 * subscription per client.
 *
 * `position` is the last position processed: everything up to it was
 * delivered by the store subscription, so it is committed and a read that
 * starts later sees all of it. A subscription that attaches receives every
 * event after the position at which it attached: that is the seam its
 * catch-up joins (feed-subscription.ts). `whenPassed` tells a catch-up when
 * the hub has passed the log's head as it was at the subscribe, the moment
 * it may say `caught-up`.
 *
 * An outage of the store pauses the hub (clients simply wait) and it resumes
 * from `position`: no gap, no duplicate. It never crashes the process.
 */
export class FeedHub {
  private readonly listeners = new Set<HubListener>();
  /** Oldest position first. */
  private passedWaiters: PassedWaiter[] = [];
  private readonly abort = new AbortController();
  private current: Subscription | undefined;
  private running: Promise<void> | undefined;
  private processed: Position | undefined;
  private markReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(private readonly options: FeedHubOptions) {}

  get position(): Position | undefined {
    return this.processed;
  }

  get rights(): FeedRightsModel {
    return this.options.rights;
  }

  /**
   * Folds the rights from the log, then follows it, in the background: an
   * unreachable store does not hold up the process's start. `ready` resolves
   * once the subscription has caught up with the head (or the hub closed).
   */
  start(): void {
    this.running ??= this.run();
  }

  get ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Attaches a listener; answers the position it attached at: it will be offered every event after it. */
  attach(listener: HubListener): Position | undefined {
    this.listeners.add(listener);
    return this.processed;
  }

  /**
   * Calls `passed` once the hub has processed `position` (at once if it has),
   * synchronously after offering the event there, so every listener attached
   * has been offered everything up to it. Answers a function that cancels.
   * Never called after `close()`.
   */
  whenPassed(position: Position, passed: () => void): () => void {
    if (this.processed !== undefined && this.processed >= position) {
      passed();
      return () => undefined;
    }
    const waiter = { position, passed };
    const at = this.passedWaiters.findIndex((other) => other.position > position);
    this.passedWaiters.splice(at === -1 ? this.passedWaiters.length : at, 0, waiter);
    return () => {
      this.passedWaiters = this.passedWaiters.filter((other) => other !== waiter);
    };
  }

  detach(listener: HubListener): void {
    this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.listeners.clear();
    this.passedWaiters = [];
    this.markReady();
    await this.current?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    await this.foldRights();
    await this.follow(() => this.markReady());
  }

  private async foldRights(): Promise<void> {
    const { eventStore, rightsFilter, upcasters, rights, logger } = this.options;
    const signal = this.abort.signal;
    let after: Position | undefined;
    for (let failures = 0; !signal.aborted; ) {
      let page: RecordedEvent[] | undefined;
      try {
        page = await readAllRiding(eventStore, { ...(after === undefined ? {} : { fromPosition: after }), maxCount: FOLD_PAGE, ...(rightsFilter ? { filter: rightsFilter } : {}) }, signal, logger);
      } catch (error) {
        if (failures++ === 0) logger.error({ err: error }, 'live feed could not read the log to build its rights; retrying');
        await sleep(Math.min(FIRST_RETRY_MS * 2 ** Math.min(failures, 10), LONGEST_RETRY_MS), signal);
        continue;
      }
      if (page === undefined) return;
      for (const event of page) rights.apply(upcastEvent(event, upcasters));
      if (page.length > 0) after = page[page.length - 1]!.position;
      if (page.length < FOLD_PAGE) break;
    }
    // The subscription starts after the last event folded; events the filter skipped after it are applied (and ignored) again, harmlessly.
    this.processed = after;
  }

  /** Subscribes after `position`; on a failure, waits with growing pauses and subscribes again from where it was. */
  private async follow(caughtUp: () => void): Promise<void> {
    const { eventStore, logger } = this.options;
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      const subscription = eventStore.subscribeToAll(this.processed === undefined ? {} : { fromPosition: this.processed });
      this.current = subscription;
      try {
        for await (const item of subscription) {
          if (signal.aborted) break;
          if (item.kind === 'event') this.process(item.event);
          else {
            if (item.position !== undefined && (this.processed === undefined || item.position > this.processed)) this.processed = item.position;
            this.wakePassed();
            if (item.kind === 'caught-up') caughtUp();
          }
          if (failures > 0) {
            logger.info('live feed resumed');
            failures = 0;
          }
        }
      } catch (error) {
        if (signal.aborted) break;
        if (failures === 0) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'live feed paused: its store subscription failed; retrying');
        failures++;
      } finally {
        await subscription.close().catch(() => undefined);
      }
      await sleep(Math.min(FIRST_RETRY_MS * 2 ** Math.min(failures, 10), LONGEST_RETRY_MS), signal);
    }
  }

  private process(stored: RecordedEvent): void {
    const event = upcastEvent(stored, this.options.upcasters);
    try {
      this.options.rights.apply(event);
    } catch (error) {
      // A fault of the model on one event must not stop the feed for everyone (nor loop on that event).
      this.options.logger.error({ err: error, position: String(event.position), eventType: event.type }, 'feed rights could not apply an event');
    }
    this.processed = event.position;
    if (event.stream.startsWith(USER_PREFIX)) this.options.onUserChanged?.(event.stream.slice(USER_PREFIX.length));
    if (this.listeners.size > 0) {
      const text = new LazyEventText(event);
      for (const listener of this.listeners) listener.offer(text);
    }
    this.wakePassed();
  }

  private wakePassed(): void {
    const processed = this.processed;
    if (processed === undefined) return;
    while (this.passedWaiters.length > 0 && this.passedWaiters[0]!.position <= processed) this.passedWaiters.shift()!.passed();
  }
}
