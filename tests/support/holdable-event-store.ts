import type { EventStore, SubscribeOptions, Subscription, SubscriptionItem } from '../../infra/event-store/event-store.js';

/**
 * A real event store whose subscriptions can be held back: while `hold()` is
 * in force, no item (event, caught-up or checkpoint) reaches a subscriber, as
 * when a process's store subscription lags behind the log under load. Appends
 * and reads go straight through, so the log moves on without the subscribers.
 */
export class HoldableEventStore implements EventStore {
  private held: { released: Promise<void>; release(): void } | undefined;

  constructor(private readonly inner: EventStore) {}

  get kind() {
    return this.inner.kind;
  }

  /** From now on subscribers get nothing until `release()`; what they were given already stays given. */
  hold(): void {
    if (this.held) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { released, release };
  }

  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    return new HeldSubscription(this.inner.subscribeToAll(options), () => this.held?.released);
  }

  appendToStream: EventStore['appendToStream'] = (...args) => this.inner.appendToStream(...args);
  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  health: EventStore['health'] = () => this.inner.health();
  close: EventStore['close'] = () => this.inner.close();
}

class HeldSubscription implements Subscription {
  private markClosed!: () => void;
  // A subscriber that closes while held must not wait for a release that may never come.
  private readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    private readonly inner: Subscription,
    private readonly heldUntil: () => Promise<void> | undefined,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionItem> {
    for await (const item of this.inner) {
      const held = this.heldUntil();
      if (held) await Promise.race([held, this.closed]);
      yield item;
    }
  }

  async close(): Promise<void> {
    this.markClosed();
    await this.inner.close();
  }
}
