/** One page of a keyset read; `last` when nothing follows it. */
export interface Page<T> {
  items: T[];
  last: boolean;
}

/**
 * Walks a paged read item by item, fetching the next page while the caller
 * works through the current one, so reading and computing overlap.
 */
export class PageCursor<T> {
  private items: T[] = [];
  private index = 0;
  private finished = false;
  private pending: Promise<Page<T>> | undefined;

  constructor(private readonly fetchAfter: (previous: T | undefined) => Promise<Page<T>>) {}

  /** The current item, or undefined when the page is used up (then `fill`). */
  current(): T | undefined {
    return this.items[this.index];
  }

  /** Loads the next page; undefined at the end. */
  async fill(): Promise<T | undefined> {
    while (this.index >= this.items.length && !this.finished) {
      const page = await (this.pending ?? this.fetchAfter(this.items.at(-1)));
      this.pending = undefined;
      this.items = page.items;
      this.index = 0;
      this.finished = page.last || page.items.length === 0;
      if (!this.finished) {
        this.pending = this.fetchAfter(page.items.at(-1));
        // Awaited on the next fill; a caller that stops early must not leave a rejection unhandled.
        this.pending.catch(() => undefined);
      }
    }
    return this.items[this.index];
  }

  advance(): void {
    this.index++;
  }
}
