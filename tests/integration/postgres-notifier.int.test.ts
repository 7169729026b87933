import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { collect, newEvent, uniqueStream } from '../support/events.js';

/** Commits wake subscribers in other processes through NOTIFY; polling alone would take a minute here. */
describe('PostgreSQL event notifications', () => {
  let database: TestDatabase;
  const connect = (): Promise<PostgresEventStore> =>
    PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), pollIntervalMs: 60_000 });

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('wakes a subscriber of another store at once, for every burst of appends', async () => {
    const [writer, reader] = await Promise.all([connect(), connect()]);
    try {
      const subscription = reader.subscribeToAll();
      const stream = uniqueStream();
      const seen = collect(subscription, (events) => events.length === 6, 5_000);
      for (let burst = 0; burst < 3; burst++) {
        // Two appends inside one notification spacing, then a pause: the second must not be left unannounced.
        await writer.appendToStream(stream, [newEvent()]);
        await writer.appendToStream(stream, [newEvent()]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { events } = await seen;
      expect(events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('a subscriber reading at most every minute leaves a commit after its read for the next one, and closes at once meanwhile', async () => {
    const store = await connect();
    try {
      const stream = uniqueStream();
      await store.appendToStream(stream, [newEvent()]);
      const patient = store.subscribeToAll({ readAtMostEveryMs: 60_000 });
      const received: bigint[] = [];
      let caughtUp = false;
      const following = (async () => {
        for await (const item of patient) {
          if (item.kind === 'event' && item.event.stream === stream) received.push(item.event.revision);
          if (item.kind === 'caught-up') caughtUp = true;
        }
      })();
      while (!caughtUp) await new Promise((resolve) => setTimeout(resolve, 10));
      const eager = collect(store.subscribeToAll(), (events) => events.filter((event) => event.stream === stream).length === 2, 5_000);
      await store.appendToStream(stream, [newEvent()]);
      // A subscriber with no such bound, woken by the same commit, has it.
      expect((await eager).events.filter((event) => event.stream === stream).map((event) => event.revision)).toEqual([0n, 1n]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toEqual([0n]);
      await patient.close();
      await following;
    } finally {
      await store.close();
    }
  });

  it('opens no connection once closed, even with a notification still pending', async () => {
    const store = await connect();
    const stream = uniqueStream();
    await store.appendToStream(stream, [newEvent()]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Notified at once; the next commit, a few milliseconds later, waits out the spacing, and the store closes meanwhile.
    await store.appendToStream(stream, [newEvent()]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.appendToStream(stream, [newEvent()]);
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const admin = new pg.Client(database.url);
    await admin.connect();
    try {
      const { rows } = await admin.query<{ count: string }>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'chronicle-%'",
      );
      expect(Number(rows[0]!.count)).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
