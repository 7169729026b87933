import type { EventStore, ReadStreamOptions, RecordedEvent } from '../../infra/event-store/event-store.js';

/**
 * A real event store that counts what is read through it: the events handed out
 * by readStream (what a read costs, measured without a clock) and every call
 * that reads the log (to prove that something reads nothing).
 */
export class CountingEventStore implements EventStore {
  streamEventsRead = 0;
  /** The methods called that read the log, in order. */
  readonly reads: string[] = [];

  constructor(private readonly inner: EventStore) {}

  get kind() {
    return this.inner.kind;
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.reads.push('readStream');
    const events = await this.inner.readStream(stream, options);
    this.streamEventsRead += events.length;
    return events;
  }

  /** The events read while `work` ran (nothing else may use the store meanwhile). */
  async eventsReadBy(work: () => Promise<unknown>): Promise<number> {
    const before = this.streamEventsRead;
    await work();
    return this.streamEventsRead - before;
  }

  appendToStream: EventStore['appendToStream'] = (...args) => this.inner.appendToStream(...args);
  readAll: EventStore['readAll'] = (...args) => {
    this.reads.push('readAll');
    return this.inner.readAll(...args);
  };
  subscribeToAll: EventStore['subscribeToAll'] = (...args) => {
    this.reads.push('subscribeToAll');
    return this.inner.subscribeToAll(...args);
  };
  headPosition: EventStore['headPosition'] = () => {
    this.reads.push('headPosition');
    return this.inner.headPosition();
  };
  health: EventStore['health'] = () => this.inner.health();
  close: EventStore['close'] = () => this.inner.close();
}
