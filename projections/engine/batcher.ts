import type { Position, RecordedEvent, Subscription, SubscriptionItem } from '../../infra/event-store/event-store.js';

export interface Batch {
  events: RecordedEvent[];
  /** The checkpoint once this batch is stored: its last event, or further when the store said so. */
  through: Position | undefined;
  /** The subscription reached the head of the log with this batch (caught-up). */
  caughtUp: boolean;
}

export interface BatcherOptions {
  maxEvents: number;
  /** How long the first event of a batch may wait for company. */
  maxDelayMs: number;
  /** With nothing to read for this long, an empty batch lets the caller do periodic work. */
  idleMs: number;
}

type Pulled = { kind: 'item'; item: SubscriptionItem } | { kind: 'end' } | { kind: 'timeout' };

/**
 * Reads ahead of the consumer (up to `highWater` items), so the next page is
 * fetched while the current batch commits, and cuts batches by count and by time.
 */
export class Batcher {
  // A read index instead of shift(): shifting a 10,000-item array per item is quadratic.
  private queue: SubscriptionItem[] = [];
  private head = 0;
  private ended = false;
  private failure: unknown;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private readonly pump: Promise<void>;

  constructor(
    private readonly subscription: Subscription,
    private readonly options: BatcherOptions,
    private readonly highWater = options.maxEvents * 2,
  ) {
    this.pump = this.fill();
  }

  async close(): Promise<void> {
    this.ended = true;
    this.wakeProducer?.();
    await this.subscription.close();
    await this.pump;
  }

  /** The first event read from the log and not yet handed out in a batch. */
  oldestQueuedEvent(): RecordedEvent | undefined {
    for (let i = this.head; i < this.queue.length; i++) {
      const item = this.queue[i]!;
      if (item.kind === 'event') return item.event;
    }
    return undefined;
  }

  /** Undefined when the subscription ended (closed). */
  async next(): Promise<Batch | undefined> {
    const events: RecordedEvent[] = [];
    let through: Position | undefined;
    let deadline: number | undefined;
    for (;;) {
      const wait = deadline === undefined ? this.options.idleMs : Math.max(0, deadline - Date.now());
      const pulled = await this.pull(wait);
      if (pulled.kind === 'end') return events.length > 0 ? { events, through, caughtUp: false } : undefined;
      if (pulled.kind === 'timeout') return { events, through, caughtUp: false };
      const { item } = pulled;
      if (item.kind === 'event') {
        events.push(item.event);
        through = item.event.position;
        deadline ??= Date.now() + this.options.maxDelayMs;
        if (events.length >= this.options.maxEvents) return { events, through, caughtUp: false };
        continue;
      }
      // Nothing more is available right now: flush what we have.
      if (item.position !== undefined && (through === undefined || item.position > through)) through = item.position;
      return { events, through, caughtUp: item.kind === 'caught-up' };
    }
  }

  private get queued(): number {
    return this.queue.length - this.head;
  }

  private async pull(timeoutMs: number): Promise<Pulled> {
    if (this.queued === 0 && !this.ended) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wakeConsumer = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.wakeConsumer = undefined;
    }
    const item = this.queued > 0 ? this.queue[this.head++] : undefined;
    if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.queued < this.highWater) this.wakeProducer?.();
    if (item) return { kind: 'item', item };
    if (this.failure !== undefined) throw this.failure;
    return this.ended ? { kind: 'end' } : { kind: 'timeout' };
  }

  private async fill(): Promise<void> {
    try {
      for await (const item of this.subscription) {
        this.queue.push(item);
        this.wakeConsumer?.();
        while (this.queued >= this.highWater && !this.ended) {
          await new Promise<void>((resolve) => (this.wakeProducer = resolve));
          this.wakeProducer = undefined;
        }
        if (this.ended) break;
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.ended = true;
      this.wakeConsumer?.();
    }
  }
}
