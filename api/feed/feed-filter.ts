import type { EventFilter, RecordedEvent } from '../../infra/event-store/event-store.js';
import type { FeedFilter } from './feed-protocol.js';

/**
 * A subscription's filter, prepared once: Sets for the hub's per-event test,
 * and the store filter its catch-up reads with.
 */
export class CompiledFeedFilter {
  private readonly categories: ReadonlySet<string> | undefined;
  private readonly eventTypes: ReadonlySet<string> | undefined;
  private readonly streams: ReadonlySet<string> | undefined;
  /** Narrows the store's read to (a superset of) what matches; `matches` decides. */
  readonly storeFilter: EventFilter | undefined;

  constructor(filter: FeedFilter) {
    this.categories = filter.categories ? new Set(filter.categories) : undefined;
    this.eventTypes = filter.eventTypes ? new Set(filter.eventTypes) : undefined;
    this.streams = filter.streams ? new Set(filter.streams) : undefined;
    // A stream name is a prefix of itself, so exact streams narrow the read too (others sharing the prefix are dropped by `matches`).
    const streamPrefixes = filter.streams ?? filter.categories?.map((category) => `${category}-`);
    const storeFilter: EventFilter = {
      ...(streamPrefixes ? { streamPrefixes } : {}),
      ...(filter.eventTypes ? { eventTypes: filter.eventTypes } : {}),
    };
    this.storeFilter = streamPrefixes || filter.eventTypes ? storeFilter : undefined;
  }

  matches(event: RecordedEvent): boolean {
    if (this.eventTypes && !this.eventTypes.has(event.type)) return false;
    if (this.streams && !this.streams.has(event.stream)) return false;
    if (this.categories && !this.categories.has(categoryOf(event.stream))) return false;
    return true;
  }
}

/** `post-123` → `post`: the part before the first `-` (the whole name when there is none). */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}
