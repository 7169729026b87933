import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FeedEvent, FeedFilter } from '../../../feed-client/index.js';
import { VirtualList } from '../components/virtual-list.js';
import { EventDetail } from '../feed/event-detail.js';
import { FeedStore, MAX_EVENTS, type FeedSnapshot, type FeedStatus } from '../feed/feed-store.js';

const ROW_HEIGHT = 34;

const STATUS_TEXT: Record<FeedStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Connection lost: reconnecting…',
  paused: 'Paused',
  closed: 'Disconnected',
};

/** `a, b ,c` → `['a','b','c']`; empty → undefined (no narrowing). */
function listOf(text: string): string[] | undefined {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

export function FeedPage(): JSX.Element {
  const store = useMemo(() => new FeedStore(), []);
  const [snapshot, setSnapshot] = useState<FeedSnapshot>(() => store.snapshot());
  const [selected, setSelected] = useState<FeedEvent | undefined>();
  const [categories, setCategories] = useState('');
  const [eventTypes, setEventTypes] = useState('');
  const [streams, setStreams] = useState('');
  const [from, setFrom] = useState<'live' | 'start'>('live');
  const shown = useRef(0);

  useEffect(() => {
    const unlisten = store.listen(() => setSnapshot(store.snapshot()));
    store.start({}, 'live');
    return () => {
      unlisten();
      store.close();
    };
  }, [store]);

  const apply = (event: Event) => {
    event.preventDefault();
    const filter: FeedFilter = {};
    const [c, t, s] = [listOf(categories), listOf(eventTypes), listOf(streams)];
    if (c) filter.categories = c;
    if (t) filter.eventTypes = t;
    if (s) filter.streams = s;
    setSelected(undefined);
    store.start(filter, from);
  };

  const events = snapshot.events;
  const addedAtTop = Math.max(0, events.length - shown.current);
  shown.current = events.length;
  const paused = snapshot.status === 'paused';

  return (
    <section class="feed-page" aria-labelledby="feed-heading">
      <h1 id="feed-heading">Live feed</h1>
      <form class="filters" onSubmit={apply} aria-label="Feed filters">
        <div class="field">
          <label for="filter-categories">Categories</label>
          <input id="filter-categories" placeholder="post, collection" value={categories} onInput={(e) => setCategories(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="filter-types">Event types</label>
          <input id="filter-types" placeholder="PostCreated" value={eventTypes} onInput={(e) => setEventTypes(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="filter-streams">Streams</label>
          <input id="filter-streams" placeholder="post-…" value={streams} onInput={(e) => setStreams(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="filter-from">From</label>
          <select id="filter-from" value={from} onChange={(e) => setFrom(e.currentTarget.value === 'start' ? 'start' : 'live')}>
            <option value="live">Now (live)</option>
            <option value="start">The start of the log</option>
          </select>
        </div>
        <button type="submit">Apply</button>
      </form>
      <div class="feed-bar">
        <p class={`feed-status status-${snapshot.status}`} role="status" aria-live="polite">
          <span class="dot" aria-hidden="true" />
          {STATUS_TEXT[snapshot.status]}
          {snapshot.problem && snapshot.status !== 'live' ? <span class="muted"> ({snapshot.problem})</span> : null}
        </p>
        <p class="muted" aria-live="off">
          <span data-testid="feed-count">{events.length.toLocaleString('en')}</span> events
          {events.length >= MAX_EVENTS - 2_000 ? ' (oldest let go)' : ''} · {snapshot.eventsPerSecond.toLocaleString('en')} events/s
          {snapshot.position ? ` · position ${snapshot.position}` : ''}
        </p>
        <button type="button" onClick={() => (paused ? store.resume() : store.pause())} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <div class="feed-body">
        <VirtualList<FeedEvent>
          id="feed"
          label="Events, newest first"
          count={events.length}
          rowAt={(index) => events[events.length - 1 - index]!}
          keyOf={(event) => event.position}
          selectedKey={selected?.position}
          onSelect={(event) => setSelected(event)}
          rowHeight={ROW_HEIGHT}
          addedAtTop={addedAtTop}
          renderRow={(event) => (
            <>
              <span class="cell position">{event.position}</span>
              <span class="cell type">{event.eventType}</span>
              <span class="cell stream">{event.stream}</span>
              <span class="cell time">{event.recordedAt.slice(11, 23)}</span>
            </>
          )}
        />
        <EventDetail event={selected} />
      </div>
    </section>
  );
}
