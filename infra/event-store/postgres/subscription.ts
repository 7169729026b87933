import type { Logger } from '../../logging/logger.js';
import { sleep } from '../../sleep.js';
import type { EventFilter, Position, RecordedEvent, SubscribeOptions, Subscription, SubscriptionItem } from '../event-store.js';
import type { Horizon } from './horizon.js';
import type { Notifier } from './notifier.js';
import { OutageTolerantReader } from './outage-tolerant-reader.js';

export interface PageReader {
  horizon(): Promise<Horizon>;
  readPage(after: Position | undefined, horizonTxId: bigint, filter: EventFilter | undefined, limit: number): Promise<RecordedEvent[]>;
  /** The position of the last event below the horizon, filtered or not. */
  lastPositionBelow(horizonTxId: bigint): Promise<Position | undefined>;
  /** The last of the first `maxEvents` events after `after` and below the horizon, and how many there are; undefined when there are none. */
  spanEnd(after: Position | undefined, horizonTxId: bigint, maxEvents: number): Promise<Span | undefined>;
}

/** A stretch of the log: its last event's position and how many events it holds. */
export interface Span {
  end: Position;
  events: number;
}

/** What a subscription hands out: the events, or only the positions it moves to (position-source.ts). */
export type SubscriptionReads = 'events' | 'positions';

/** Catching up, pages double up to this many events. */
const MAX_CATCH_UP_PAGE = 20_000;

interface SubscriptionSettings {
  reads: SubscriptionReads;
  pollIntervalMs: number;
  pageSize: number;
  logger: Logger;
  onClose(): void;
  /** How long an in-flight append may hold the horizon before it is logged as a stall. */
  stallWarningMs: number;
}

/**
 * Reads pages below the horizon until none are left, says caught-up once,
 * then sleeps until a commit wakes it (or the poll interval passes).
 *
 * Every position it hands out (event, caught-up, checkpoint) is the position
 * of an event it has seen committed, never the horizon: transaction ids
 * between the last durable commit and the horizon may be handed out again
 * after PostgreSQL's crash recovery, while an event's own id never is (its
 * commit record is on disk before it becomes visible; README, "Positions
 * survive crashes").
 */
export class PostgresSubscription implements Subscription {
  private readonly abort = new AbortController();
  private readonly reader: PageReader;
  private iterating = false;

  constructor(
    store: PageReader,
    private readonly notifier: Notifier,
    private readonly options: SubscribeOptions,
    private readonly settings: SubscriptionSettings,
  ) {
    // An outage pauses the subscription rather than ending it.
    this.reader = new OutageTolerantReader(store, this.abort.signal, settings.logger);
  }

  async close(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.settings.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionItem> {
    if (this.iterating) throw new Error('a subscription can be iterated once');
    this.iterating = true;
    return this.items();
  }

  private async *items(): AsyncGenerator<SubscriptionItem, void, undefined> {
    const { pageSize, pollIntervalMs, logger } = this.settings;
    const maxPageSize = Math.max(pageSize, MAX_CATCH_UP_PAGE);
    const { stallWarningMs } = this.settings;
    const signal = this.abort.signal;
    let scanned = this.options.fromPosition;
    let caughtUp = false;
    let stallReported = false;
    try {
      while (!signal.aborted) {
        // A commit announced while we read must not wait for the next poll.
        const wakeUpsBefore = this.notifier.wakeUps;
        const readStarted = Date.now();
        const horizon = await this.reader.horizon();
        if (this.settings.reads === 'positions') {
          // Stretches of at most a page, so that a subscriber catching up commits (and reports progress) as it goes.
          // A stretch shorter than a page ends at the horizon: no need to ask again.
          for (;;) {
            const span = await this.reader.spanEnd(scanned, horizon.txId, maxPageSize);
            if (span === undefined) break;
            scanned = span.end;
            if (signal.aborted) return;
            yield { kind: 'checkpoint', position: scanned };
            if (span.events < maxPageSize) break;
          }
        }
        // The next page is requested before this one is handed out, so the
        // database reads while the consumer works; full pages grow the next
        // one (catching up), a partial page means we are at the head.
        let limit = pageSize;
        let next: Promise<RecordedEvent[]> | undefined = this.settings.reads === 'events' ? this.reader.readPage(scanned, horizon.txId, this.options.filter, limit) : undefined;
        while (next) {
          const requested = limit;
          const page: RecordedEvent[] = await next;
          next = undefined;
          if (page.length > 0) scanned = page[page.length - 1]!.position;
          if (page.length === requested) {
            limit = Math.min(requested * 2, maxPageSize);
            next = this.reader.readPage(scanned, horizon.txId, this.options.filter, limit);
            next.catch(() => undefined);
          }
          for (const event of page) {
            if (signal.aborted) return;
            yield { kind: 'event', event };
          }
          if (signal.aborted) return;
        }
        // Everything below the horizon has been seen. A filter hid the events
        // after the last one delivered: move past them to the last event below
        // the horizon, never to the horizon itself (see the class comment).
        const seen = this.options.filter && this.settings.reads === 'events' ? await this.reader.lastPositionBelow(horizon.txId) : scanned;
        if (seen !== undefined && (scanned === undefined || seen > scanned)) {
          scanned = seen;
          if (caughtUp && !signal.aborted) yield { kind: 'checkpoint', position: scanned };
        }
        if (!caughtUp && !signal.aborted) {
          caughtUp = true;
          yield { kind: 'caught-up', position: scanned };
        }
        stallReported = reportStall(horizon, stallWarningMs, stallReported, logger);
        await this.notifier.wait(pollIntervalMs, signal, wakeUpsBefore);
        const spacing = readStarted + (this.options.readAtMostEveryMs ?? 0) - Date.now();
        if (spacing > 0) await sleep(spacing, signal);
      }
    } catch (error) {
      // A read that was waiting out an outage gives up when the subscription closes.
      if (!signal.aborted) throw error;
    } finally {
      await this.close();
    }
  }
}

function reportStall(horizon: Horizon, thresholdMs: number, alreadyReported: boolean, logger: Logger): boolean {
  const started = horizon.oldestAppendStartedAt;
  const stalled = started !== undefined && Date.now() - started.getTime() > thresholdMs;
  if (stalled && !alreadyReported) {
    logger.warn({ appendStartedAt: started, horizonTxId: String(horizon.txId) }, 'subscriptions wait for a slow append to commit');
  }
  return stalled;
}
