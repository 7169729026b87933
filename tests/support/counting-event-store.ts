import type { AppendOptions, EventStore, NewEvent, ReadAllOptions, ReadStreamOptions, SubscribeOptions } from '../../infra/event-store/event-store.js';

/** Passes every call to a real store and counts the ones that read the log. */
export class CountingEventStore implements EventStore {
  readonly kind: EventStore['kind'];
  readonly reads: string[] = [];

  constructor(private readonly inner: EventStore) {
    this.kind = inner.kind;
  }

  appendToStream(stream: string, events: readonly NewEvent[], options?: AppendOptions) {
    return this.inner.appendToStream(stream, events, options);
  }

  readStream(stream: string, options?: ReadStreamOptions) {
    this.reads.push('readStream');
    return this.inner.readStream(stream, options);
  }

  readAll(options?: ReadAllOptions) {
    this.reads.push('readAll');
    return this.inner.readAll(options);
  }

  subscribeToAll(options?: SubscribeOptions) {
    this.reads.push('subscribeToAll');
    return this.inner.subscribeToAll(options);
  }

  headPosition() {
    this.reads.push('headPosition');
    return this.inner.headPosition();
  }

  health() {
    return this.inner.health();
  }

  close() {
    return this.inner.close();
  }
}
