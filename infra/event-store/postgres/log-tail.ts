import type { EventFilter, Position, RecordedEvent } from '../event-store.js';
import { encodePosition } from './rows.js';
import type { Horizon } from './horizon.js';
import type { PageReader, Span } from './subscription.js';

/** Below every position: `after` the start of the log. */
const BEFORE_LOG = -1n;
/** An event's place in its append is an int4: no position of a transaction lies past its idx 2^31 - 1. */
const LAST_IDX = 0x7fffffff;

export interface LogTailLimits {
  /** Events kept; past it the oldest go, and subscriptions further behind read the database themselves. */
  maxEvents: number;
  /** Payload bytes kept, the same way (events may be large). */
  maxBytes: number;
  /** Events fetched by one read of the log's end. */
  readLimit: number;
}

export const DEFAULT_LOG_TAIL_LIMITS: LogTailLimits = { maxEvents: 20_000, maxBytes: 32 * 1024 * 1024, readLimit: 5_000 };

/** What the tail needs of a kept event: a view of its own for each reader, and its size. */
export interface TailEvents {
  /** A copy for one reader, sharing the stored bytes but not their decoded form (readers may change what they decoded). */
  view(event: RecordedEvent): RecordedEvent;
  bytes(event: RecordedEvent): number;
}

/**
 * The end of the log, read once for every subscription of the process.
 * Subscriptions following the head each used to read every new event again
 * (the warehouse, the anomalies, the audit trail, the feed...): the same rows
 * sent, decoded and collected once per subscriber. The tail reads them once,
 * unfiltered, and answers each subscription's page from memory, filtered as
 * the database would.
 *
 * It holds every event after `from` up to `through`, both positions of
 * events (or the start of the log), and every event below `heldBelow` is at
 * most `through`, where `heldBelow` is a horizon the tail read up to (no
 * event can appear below a horizon later, horizon.ts).
 * Like a subscription, it moves only to positions of events it has seen,
 * never to the horizon itself: after PostgreSQL's crash recovery, transaction
 * ids above the last durable commit may be handed out again, and their events
 * then lie after `through`, where the next read finds them. A page is answered
 * from the tail only when the tail reaches back to the page's start; a
 * subscription further behind (catching up, or fallen out of a full tail)
 * reads the database as before.
 */
export class LogTail implements PageReader {
  private kept: RecordedEvent[] = [];
  /** Index in `kept` of the oldest event still held. */
  private first = 0;
  private keptBytes = 0;
  /** The tail holds every event with `from < position <= through`; undefined until first asked. */
  private from: bigint | undefined;
  private through = BEFORE_LOG;
  /** A horizon read up to: every event below this transaction id is held (or was, up to `from`). */
  private heldBelow = 0n;
  private starting: Promise<void> | undefined;
  private extending: Promise<void> | undefined;
  private horizonRead: { wakeUps: number; read: Promise<Horizon> } | undefined;

  constructor(
    private readonly source: PageReader,
    private readonly events: TailEvents,
    /** The notifier's count of wake-ups (notifier.ts). */
    private readonly wakeUps: () => number,
    private readonly limits: LogTailLimits = DEFAULT_LOG_TAIL_LIMITS,
  ) {}

  /**
   * A horizon read still in flight is shared by the subscriptions that ask
   * while no wake-up came since it was sent: a commit it might miss was
   * announced after, and so wakes them again (every subscription woken by a
   * commit asks at once, and one read answers all).
   */
  horizon(): Promise<Horizon> {
    const wakeUps = this.wakeUps();
    if (this.horizonRead?.wakeUps === wakeUps) return this.horizonRead.read;
    const shared = { wakeUps, read: this.source.horizon() };
    this.horizonRead = shared;
    const done = (): void => {
      if (this.horizonRead === shared) this.horizonRead = undefined;
    };
    shared.read.then(done, done);
    return shared.read;
  }

  async readPage(after: Position | undefined, horizonTxId: bigint, filter: EventFilter | undefined, limit: number): Promise<RecordedEvent[]> {
    const start = after ?? BEFORE_LOG;
    const end = lastPositionBelow(horizonTxId);
    await this.start(horizonTxId);
    for (;;) {
      if (start < this.from!) return this.source.readPage(after, horizonTxId, filter, limit);
      const page = this.collect(start, end, filter, limit);
      // An older horizon than the tail's is answered from what it holds (another subscription read further meanwhile).
      if (page.length >= limit || horizonTxId <= this.heldBelow) return page;
      await this.extend(horizonTxId);
    }
  }

  /**
   * From the tail when it has read up to this horizon (a subscription at the
   * head has just read its page from it); otherwise from the database, so that
   * one subscription ending a long catch-up does not make the tail read all
   * that came meanwhile.
   */
  async lastPositionBelow(horizonTxId: bigint): Promise<Position | undefined> {
    const end = lastPositionBelow(horizonTxId);
    if (this.from === undefined || horizonTxId > this.heldBelow) return this.source.lastPositionBelow(horizonTxId);
    for (let i = this.kept.length - 1; i >= this.first; i--) {
      const position = this.kept[i]!.position;
      if (position <= end) return position;
    }
    // Nothing held up to `end`: the last event below it is `from`, itself an event, or there is none.
    return this.from! > BEFORE_LOG ? this.from : undefined;
  }

  /** From the database: a subscriber following positions reads no events, so the tail holds none for it. */
  spanEnd(after: Position | undefined, horizonTxId: bigint, maxEvents: number): Promise<Span | undefined> {
    return this.source.spanEnd(after, horizonTxId, maxEvents);
  }

  /** The first time: the tail starts empty at the end of the log, as it is below this horizon. */
  private async start(horizonTxId: bigint): Promise<void> {
    if (this.from !== undefined) return;
    this.starting ??= this.source.lastPositionBelow(horizonTxId).then(
      (last) => {
        this.from = last ?? BEFORE_LOG;
        this.through = this.from;
        this.heldBelow = horizonTxId;
      },
      (error: unknown) => {
        this.starting = undefined;
        throw error;
      },
    );
    await this.starting;
  }

  /** One read of the log after `through`, shared by every caller waiting for it. */
  private extend(horizonTxId: bigint): Promise<void> {
    this.extending ??= this.readAfterThrough(horizonTxId).finally(() => (this.extending = undefined));
    return this.extending;
  }

  private async readAfterThrough(horizonTxId: bigint): Promise<void> {
    if (horizonTxId <= this.heldBelow) return;
    const page = await this.source.readPage(this.through === BEFORE_LOG ? undefined : this.through, horizonTxId, undefined, this.limits.readLimit);
    for (const event of page) {
      this.kept.push(event);
      this.keptBytes += this.events.bytes(event);
    }
    if (page.length > 0) this.through = page[page.length - 1]!.position;
    // A full page may have left events below the horizon unread: the next read goes on from `through`.
    if (page.length < this.limits.readLimit) this.heldBelow = horizonTxId;
    this.trim();
  }

  /** Held events after `start` up to `end` that pass the filter, at most `limit`, each a view of its own. */
  private collect(start: bigint, end: bigint, filter: EventFilter | undefined, limit: number): RecordedEvent[] {
    const page: RecordedEvent[] = [];
    for (let i = this.firstAfter(start); i < this.kept.length && page.length < limit; i++) {
      const event = this.kept[i]!;
      if (event.position > end) break;
      if (passes(event, filter)) page.push(this.events.view(event));
    }
    return page;
  }

  /** Index of the first held event after `start` (binary search: held events are in log order). */
  private firstAfter(start: bigint): number {
    let low = this.first;
    let high = this.kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.kept[middle]!.position <= start) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private trim(): void {
    const { maxEvents, maxBytes } = this.limits;
    if (this.kept.length - this.first <= maxEvents && this.keptBytes <= maxBytes) return;
    // Down to three quarters, so that trimming is not repeated on every read.
    while (this.first < this.kept.length && (this.kept.length - this.first > (maxEvents * 3) / 4 || this.keptBytes > (maxBytes * 3) / 4)) {
      const dropped = this.kept[this.first++]!;
      this.keptBytes -= this.events.bytes(dropped);
      this.from = dropped.position;
    }
    if (this.first * 2 > this.kept.length) {
      this.kept = this.kept.slice(this.first);
      this.first = 0;
    }
  }
}

/** The position of the last event a transaction below the horizon could have written. */
function lastPositionBelow(horizonTxId: bigint): bigint {
  return encodePosition(horizonTxId - 1n, LAST_IDX);
}

/** As the database filters a page (postgres-event-store.ts readPage): each part given must hold. */
function passes(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (filter?.streamPrefixes && !filter.streamPrefixes.some((prefix) => event.stream.startsWith(prefix))) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
