import { START, type AllStreamSubscription, type CaughtUp } from '@kurrent/kurrentdb-client';
import { EventStoreUnavailableError } from '../errors.js';
import type { Position, SubscribeOptions, Subscription, SubscriptionItem } from '../event-store.js';
import type { KurrentDbConnection } from './connection.js';
import { toRecordedEvent, type ClientResolved } from './events.js';
import { planFilter, type FilterPlan } from './filter.js';
import { decodePosition, encodePosition, latest } from './positions.js';

/** Queue bounds: above HIGH the server stream is paused, below LOW it flows again. */
const HIGH_WATER = 1_000;
const LOW_WATER = 100;
const UNSUBSCRIBE_TIMEOUT_MS = 1_000;

/**
 * A catch-up subscription to $all (positions are exclusive there, as in the port).
 * The client emits `caughtUp` (servers 23.10+) as a stream event, out of band from
 * the events it has already queued but not yet handed out, so the marker waits for
 * exactly that many events before it joins the queue: order is preserved.
 */
export class KurrentDbSubscription implements Subscription {
  private readonly queue: SubscriptionItem[] = [];
  private readonly plan: FilterPlan;
  private source: AllStreamSubscription | undefined;
  private wake: (() => void) | undefined;
  private failure: { error: unknown } | undefined;
  private ended = false;
  private closed = false;
  private iterating = false;
  private paused = false;
  /** Last position the server sent, filtered out here or not. */
  private seen: Position | undefined;
  private delivered: Position | undefined;
  private caughtUp: 'no' | 'pending' | 'sent' = 'no';
  private caughtUpAfter = 0;
  private caughtUpAt: Position | undefined;

  constructor(
    private readonly connection: KurrentDbConnection,
    private readonly options: SubscribeOptions,
    private readonly onClose: () => void,
  ) {
    this.plan = planFilter(options.filter);
    this.seen = options.fromPosition;
    this.delivered = options.fromPosition;
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionItem> {
    if (this.iterating) throw new Error('a subscription can be iterated once');
    this.iterating = true;
    return this.items();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal();
    this.onClose();
    const source = this.source;
    if (!source) return;
    source.removeAllListeners('data');
    source.removeAllListeners('caughtUp');
    source.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, UNSUBSCRIBE_TIMEOUT_MS);
    });
    await Promise.race([source.unsubscribe().catch(() => undefined), timeout]);
    clearTimeout(timer);
    source.destroy();
  }

  private async *items(): AsyncGenerator<SubscriptionItem, void, undefined> {
    try {
      this.start();
      for (;;) {
        if (this.closed) return;
        const item = this.queue.shift();
        if (item) {
          if (this.paused && this.queue.length <= LOW_WATER) {
            this.paused = false;
            this.source?.resume();
          }
          yield item;
          continue;
        }
        if (this.failure) throw await this.connection.translate(this.failure.error);
        // A subscription to $all has no natural end: the connection went away under it.
        if (this.ended) throw new EventStoreUnavailableError(`subscription to EventStoreDB at ${this.connection.display} ended by the connection`);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      await this.close();
    }
  }

  private start(): void {
    const client = this.connection.clientFor(true);
    const from = this.options.fromPosition;
    const source = client.subscribeToAll({
      fromPosition: from === undefined ? START : decodePosition(from),
      filter: this.plan.server,
      resolveLinkTos: false,
    });
    this.source = source;
    source.on('data', (resolved: ClientResolved) => this.onEvent(resolved));
    source.on('caughtUp', (info: CaughtUp) => this.onCaughtUp(info));
    source.on('error', (error: unknown) => this.fail(error));
    source.on('end', () => this.end());
    source.on('close', () => this.end());
  }

  private onEvent(resolved: ClientResolved): void {
    try {
      const record = resolved.event;
      if (record?.position) {
        const position = encodePosition(record.position);
        this.seen = latest(this.seen, position);
        // Guards exactly-once in log order even if the server replays after falling behind.
        if (this.plan.matches(record) && (this.delivered === undefined || position > this.delivered)) {
          this.delivered = position;
          this.queue.push({ kind: 'event', event: toRecordedEvent(record) });
        }
      }
      if (this.caughtUp === 'pending' && --this.caughtUpAfter <= 0) this.sendCaughtUp();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!this.paused && this.queue.length >= HIGH_WATER) {
      this.paused = true;
      this.source?.pause();
    }
    this.signal();
  }

  private onCaughtUp(info: CaughtUp): void {
    if (this.caughtUp !== 'no') return;
    this.caughtUpAt = info.position && isLogPosition(info.position) ? encodePosition(info.position) : undefined;
    // Events the client has queued before this notice are still to come through 'data'.
    this.caughtUpAfter = this.source?.readableLength ?? 0;
    this.caughtUp = 'pending';
    if (this.caughtUpAfter <= 0) this.sendCaughtUp();
    this.signal();
  }

  private sendCaughtUp(): void {
    this.caughtUp = 'sent';
    this.queue.push({ kind: 'caught-up', position: latest(this.caughtUpAt, this.seen) });
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.signal();
  }

  private end(): void {
    this.ended = true;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The server's positions are signed 64-bit; -1 (nothing read yet) arrives as 2^64 - 1 and means "none". */
function isLogPosition(position: { commit: bigint; prepare: bigint }): boolean {
  const limit = 1n << 63n;
  return position.commit >= 0n && position.commit < limit && position.prepare >= 0n && position.prepare < limit;
}
