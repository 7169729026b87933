import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventFilter, RecordedEvent, Subscription, SubscriptionItem } from '../../infra/event-store/event-store.js';
import { LogTail } from '../../infra/event-store/postgres/log-tail.js';
import { PostgresEventStore, type PostgresEventStoreOptions } from '../../infra/event-store/postgres/postgres-event-store.js';
import { tailEvents } from '../../infra/event-store/postgres/rows.js';
import type { PageReader } from '../../infra/event-store/postgres/subscription.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { newEvent, uniqueStream } from '../support/events.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Subscriptions following the head of the PostgreSQL log share one read of
 * its end (log-tail.ts): each new event crosses the wire once, whatever the
 * number of subscriptions, and each still gets exactly the events its filter
 * lets through, in log order; one behind what the process keeps reads the
 * database itself, and misses nothing.
 */
describe('PostgreSQL log tail shared by subscriptions', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  const stores: PostgresEventStore[] = [];
  const subscriptions: Subscription[] = [];
  const logger = createLogger('silent');

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(Number(new URL(database.url).port));
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await proxy.close();
    await database.drop();
  });

  async function connect(options: Partial<PostgresEventStoreOptions> = {}): Promise<PostgresEventStore> {
    const store = await PostgresEventStore.connect({ connectionString: proxy.url(database.url), logger, pollIntervalMs: 100, ...options });
    stores.push(store);
    return store;
  }

  function subscribe(store: PostgresEventStore, from: bigint | undefined, filter?: EventFilter): SteppedSubscription {
    const subscription = store.subscribeToAll({ ...(from === undefined ? {} : { fromPosition: from }), ...(filter ? { filter } : {}) });
    subscriptions.push(subscription);
    return new SteppedSubscription(subscription[Symbol.asyncIterator]());
  }

  it('reads each new event from the database once for several subscriptions at the head', async () => {
    const store = await connect();
    const stream = uniqueStream('tail');
    const head = (await store.appendToStream(uniqueStream('before'), [newEvent()])).position;
    const filters: (EventFilter | undefined)[] = [undefined, undefined, { streamPrefixes: ['tail-'] }, { eventTypes: ['Filled'] }];
    const followers = filters.map((filter) => subscribe(store, head, filter));
    // Each at the head first: its first read is its own, and it sleeps until the commit below.
    await Promise.all(followers.map((follower) => follower.caughtUp()));

    const before = proxy.bytesFromServer;
    const payload = Array.from({ length: 40 }, (_, n) => newEvent('Filled', { n, filler: 'x'.repeat(5_000) }));
    await store.appendToStream(stream, payload);
    const seen = await Promise.all(followers.map((follower) => follower.events(payload.length)));

    for (const events of seen) expect(events.map((event) => event.id)).toEqual(payload.map((event) => event.id));
    // 200 KB of payload: four subscriptions reading on their own would bring it over four times.
    expect(proxy.bytesFromServer - before).toBeLessThan(1.5 * 40 * 5_000);
  });

  it('filters a page from memory as the database does', async () => {
    const store = await connect();
    const head = (await store.appendToStream(uniqueStream('other'), [newEvent()])).position;
    const filters: EventFilter[] = [
      { streamPrefixes: ['alpha-'] },
      { eventTypes: ['Kept'] },
      { streamPrefixes: ['alpha-', 'beta-'], eventTypes: ['Kept'] },
      { streamPrefixes: [] },
      {},
    ];
    const followers = filters.map((filter) => subscribe(store, head, filter));
    await Promise.all(followers.map((follower) => follower.caughtUp()));

    for (const [category, type] of [['alpha', 'Kept'], ['alphabet', 'Kept'], ['beta', 'Dropped'], ['beta', 'Kept'], ['gamma', 'Kept'], ['alpha', 'Dropped']] as const) {
      await store.appendToStream(uniqueStream(category), [newEvent(type), newEvent(type)]);
    }
    const last = await store.appendToStream(uniqueStream('end'), [newEvent('End')]);
    for (const [i, filter] of filters.entries()) {
      const fromDatabase = await store.readAll({ fromPosition: head, filter });
      // Up to the last event that passes, or past the end for a filter that lets nothing through.
      const events = await followers[i]!.through(fromDatabase.at(-1)?.position ?? last.position);
      expect(events.map((event) => event.position)).toEqual(fromDatabase.map((event) => event.position));
    }
  });

  it('gives each subscription its own decoded payload', async () => {
    const store = await connect();
    const head = (await store.appendToStream(uniqueStream('other'), [newEvent()])).position;
    const [changing, reading] = [subscribe(store, head), subscribe(store, head)];
    await Promise.all([changing, reading].map((follower) => follower.caughtUp()));
    await store.appendToStream(uniqueStream('shared'), [newEvent('Shared', { value: 'as stored' })]);

    const [changed] = await changing.events(1);
    (changed!.data as { value: string }).value = 'changed by one reader';
    const [read] = await reading.events(1);
    expect(read!.data).toEqual({ value: 'as stored' });
  });

  it('shares a horizon read in flight among the subscriptions asking, until a wake-up announces a commit', async () => {
    const store = await connect();
    let horizonReads = 0;
    const counted: PageReader = {
      horizon: () => {
        horizonReads++;
        return store.horizon();
      },
      readPage: (...args) => store.readPage(...args),
      lastPositionBelow: (horizonTxId) => store.lastPositionBelow(horizonTxId),
      spanEnd: (...args) => store.spanEnd(...args),
    };
    let wakeUps = 0;
    const tail = new LogTail(counted, tailEvents, () => wakeUps);

    // Woken together by one commit, every subscription asks at once: one read answers all.
    await Promise.all([tail.horizon(), tail.horizon(), tail.horizon()]);
    expect(horizonReads).toBe(1);

    // A commit announced while a read is in flight may not be below that read's horizon: the next asker reads again and sees it.
    const inFlight = tail.horizon();
    const appended = await store.appendToStream(uniqueStream('woken'), [newEvent()]);
    wakeUps++;
    const afterWakeUp = await tail.horizon();
    await inFlight;
    expect(horizonReads).toBe(3);
    expect(afterWakeUp.txId).toBeGreaterThan(appended.position >> 32n);
  });

  it('serves a subscription behind what it keeps from the database, without a gap or a repeat', async () => {
    const store = await connect({ logTail: { maxEvents: 10, readLimit: 7 } });
    const stream = uniqueStream('long');
    const start = (await store.appendToStream(uniqueStream('before'), [newEvent()])).position;
    const follower = subscribe(store, start);
    await follower.caughtUp();
    const appended: string[] = [];
    for (let i = 0; i < 6; i++) {
      const batch = Array.from({ length: 9 }, (_, n) => newEvent('Counted', { n: i * 9 + n }));
      await store.appendToStream(stream, batch, { expectedRevision: i === 0 ? 'no_stream' : BigInt(i * 9 - 1) });
      appended.push(...batch.map((event) => event.id));
    }
    // The follower kept up through the tail; a late one starts far behind what the tail holds.
    const late = subscribe(store, start);
    const [followed, caughtUp] = await Promise.all([follower.events(appended.length), late.events(appended.length)]);
    expect(followed.map((event) => event.id)).toEqual(appended);
    expect(caughtUp.map((event) => event.id)).toEqual(appended);
  });
});

/** One subscription read step by step: each call takes up where the last one stopped. */
class SteppedSubscription {
  constructor(private readonly items: AsyncIterator<SubscriptionItem>) {}

  async caughtUp(): Promise<void> {
    await this.until((item) => item.kind === 'caught-up');
  }

  /** The next `count` events. */
  async events(count: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    if (count > 0) await this.until((item) => item.kind === 'event' && events.push(item.event) >= count);
    return events;
  }

  /** The events until an item at or past `position` (an event or a checkpoint). */
  async through(position: bigint): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    await this.until((item) => {
      if (item.kind === 'event') events.push(item.event);
      return (item.kind === 'event' ? item.event.position : (item.position ?? -1n)) >= position;
    });
    return events;
  }

  private async until(done: (item: SubscriptionItem) => boolean): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([this.items.next(), new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
      if (next === 'timeout') throw new Error('the subscription did not deliver in time');
      if (next.done) throw new Error('the subscription ended');
      if (done(next.value)) return;
    }
  }
}
