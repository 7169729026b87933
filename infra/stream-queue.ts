/**
 * Runs tasks for one stream one at a time, in arrival order, and tasks for
 * distinct streams independently. Writers to a stream all read its last
 * revision and write after it: racing, all but one would fail and retry, so a
 * hot stream would see a storm of retries. Queued, each reads the revision its
 * predecessor left. Used by the PostgreSQL store for appends and by the
 * command handler for whole commands (read, decide, append).
 */
export class StreamQueue {
  /** The last task queued per stream, settled or not; removed once the queue drains. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** `task` runs once every task queued before it for `stream` has settled, whatever their outcome. */
  run<T>(stream: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(stream);
    const result = previous ? previous.then(task) : task();
    // The next task waits for this one to settle, not to succeed: the tail never rejects.
    const forget = (): void => {
      if (this.tails.get(stream) === tail) this.tails.delete(stream);
    };
    const tail = result.then(forget, forget);
    this.tails.set(stream, tail);
    return result;
  }

  /** Streams with a task running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
