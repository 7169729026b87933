import type { RecordedEvent, Subscription } from '../../infra/event-store/event-store.js';

/**
 * Consumes a subscription in the background, keeping every event it hands out,
 * optionally slowly (to be caught in the middle of a catch-up), and remembers
 * how the iteration ended if it did.
 */
export class Follower {
  readonly events: RecordedEvent[] = [];
  failure: unknown;
  private readonly done: Promise<void>;

  constructor(
    private readonly subscription: Subscription,
    private readonly pauseEveryEvents = 0,
  ) {
    this.done = this.consume();
  }

  /** Waits until `count` events have arrived; fails with what arrived when it takes longer than `timeoutMs`. */
  async until(count: number, timeoutMs: number): Promise<RecordedEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (this.failure !== undefined) throw new Error(`the subscription failed after ${this.events.length} events: ${String(this.failure)}`);
      if (Date.now() > deadline) throw new Error(`${this.events.length} of ${count} events arrived within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.events;
  }

  async close(): Promise<void> {
    await this.subscription.close();
    await this.done;
  }

  private async consume(): Promise<void> {
    try {
      for await (const item of this.subscription) {
        if (item.kind !== 'event') continue;
        this.events.push(item.event);
        if (this.pauseEveryEvents > 0 && this.events.length % this.pauseEveryEvents === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } catch (error) {
      this.failure = error;
    }
  }
}

/** Positions strictly increasing: nothing delivered twice, nothing out of order. */
export function inLogOrder(events: readonly RecordedEvent[]): boolean {
  return events.every((event, i) => i === 0 || event.position > events[i - 1]!.position);
}
