import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventStoreUnavailableError } from '../../infra/event-store/errors.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { newEvent, uniqueStream } from '../support/events.js';
import { Follower, inLogOrder } from '../support/follower.js';
import { OwnPostgres } from '../support/own-postgres.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the whole log over and over (binary COPY), keeping every error. */
function readContinuously(store: PostgresEventStore): { errors: unknown[]; reads: () => number; stop(): Promise<void> } {
  const errors: unknown[] = [];
  let reads = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        await store.readAll();
        reads++;
      } catch (error) {
        errors.push(error);
        await sleep(20);
      }
    }
  })();
  return {
    errors,
    reads: () => reads,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/**
 * A database stop or a terminated backend is an outage, not a crash: reads
 * fail with EventStoreUnavailableError, subscriptions pause and resume where
 * they were, and nothing escapes as an uncaught error (which fails the test).
 */
describe('PostgreSQL event store through database outages', () => {
  let server: OwnPostgres;
  let store: PostgresEventStore;
  const stream = uniqueStream('outage');
  let appended = 0;

  /** Payloads of a few KiB, so that a COPY read of the log takes a while and can be hit midway. */
  async function append(appends: number, eventsEach: number): Promise<void> {
    for (let i = 0; i < appends; i++) {
      await store.appendToStream(stream, Array.from({ length: eventsEach }, () => newEvent('Filled', { n: appended++, filler: 'x'.repeat(2_000) })));
    }
  }

  beforeAll(async () => {
    server = await OwnPostgres.start();
    store = await PostgresEventStore.connect({ connectionString: server.url, logger: createLogger('silent'), pollIntervalMs: 100, appendTimeoutMs: 2_000 });
    await append(20, 100);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.destroy();
  }, 60_000);

  async function expectEveryEventOnceInOrder(followers: Follower[]): Promise<void> {
    for (const follower of followers) {
      const events = await follower.until(appended, 20_000);
      expect(events).toHaveLength(appended);
      expect(inLogOrder(events)).toBe(true);
      expect(events.map((event) => event.data['n'])).toEqual(Array.from({ length: appended }, (_, n) => n));
    }
  }

  it.each([['fast' as const], ['immediate' as const]])('rides out a %s stop: typed errors meanwhile, then every event once, in order', async (mode) => {
    const live = new Follower(store.subscribeToAll());
    await live.until(appended, 10_000);
    // Caught in the middle of its catch-up when the server goes.
    const catchingUp = new Follower(store.subscribeToAll(), 50);
    const reader = readContinuously(store);
    try {
      // Appends settle (asynchronous commits reach the disk) before the stop, so that the
      // transaction ids handed out before it stay used after recovery.
      await sleep(700);
      while (reader.reads() < 2) await sleep(10);
      await server.stop(mode);
      await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.appendToStream(stream, [newEvent()])).rejects.toBeInstanceOf(EventStoreUnavailableError);
      expect((await store.health()).ok).toBe(false);
      await sleep(300);
      await server.restart();
      await append(5, 10);
      await expectEveryEventOnceInOrder([live, catchingUp]);
      expect((await store.health()).ok).toBe(true);
    } finally {
      await reader.stop();
      await Promise.all([live.close(), catchingUp.close()]);
    }
    expect(reader.errors.length).toBeGreaterThan(0);
    for (const error of reader.errors) expect(error).toBeInstanceOf(EventStoreUnavailableError);
  }, 60_000);

  it('connects while PostgreSQL is down, and wakes its subscribers once it is back', async () => {
    const url = server.url;
    await server.stop('fast');
    let late: PostgresEventStore | undefined;
    try {
      // A process that starts during an outage rides it out like one already running.
      // Polling only once a minute: only the listener, back when the server is, wakes the subscriber.
      late = await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent'), pollIntervalMs: 60_000, connectTimeoutMs: 1_000 });
    } finally {
      await server.restart();
    }
    const follower = new Follower(late.subscribeToAll({ fromPosition: (await store.readAll()).at(-1)!.position }));
    try {
      await late.readAll();
      await append(1, 1);
      const events = await follower.until(1, 20_000);
      expect(events.map((event) => event.data['n'])).toEqual([appended - 1]);
    } finally {
      await follower.close();
      await late.close();
    }
  }, 60_000);

  it('rides out terminated backends in the middle of COPY reads', async () => {
    const live = new Follower(store.subscribeToAll());
    await live.until(appended, 10_000);
    const catchingUp = new Follower(store.subscribeToAll(), 50);
    const readers = [readContinuously(store), readContinuously(store)];
    try {
      let terminated = 0;
      const deadline = Date.now() + 10_000;
      while (terminated < 5 && Date.now() < deadline) {
        terminated += await server.terminateBackends('chronicle-event-store', 'COPY');
        await sleep(5);
      }
      expect(terminated).toBeGreaterThanOrEqual(5);
      // The listener's connection too: subscribers poll until it is back.
      expect(await server.terminateBackends('chronicle-listener')).toBe(1);
      await append(5, 10);
      await expectEveryEventOnceInOrder([live, catchingUp]);
    } finally {
      await Promise.all(readers.map((reader) => reader.stop()));
      await Promise.all([live.close(), catchingUp.close()]);
    }
    const errors = readers.flatMap((reader) => reader.errors);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toBeInstanceOf(EventStoreUnavailableError);
  }, 60_000);
});
