import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../../infra/event-store/errors.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { newEvent, newEvents, uniqueStream } from '../support/events.js';

/** Concurrent appends share statements; each caller must still get its own outcome. */
describe('PostgreSQL appends sent together', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One statement at a time: every append that arrives meanwhile joins the next one.
    store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), appendStatementsInFlight: 1 });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('decides each append of a shared statement on its own expectation', async () => {
    const existing = uniqueStream();
    await store.appendToStream(existing, newEvents(2));
    const fresh = Array.from({ length: 20 }, () => uniqueStream());
    const outcomes = await Promise.allSettled([
      ...fresh.map((stream) => store.appendToStream(stream, newEvents(3), { expectedRevision: 'no_stream' })),
      store.appendToStream(existing, [newEvent()], { expectedRevision: 0n }),
      store.appendToStream(existing, [newEvent()], { expectedRevision: 1n }),
    ]);
    const [stale, current] = outcomes.slice(20);
    expect(outcomes.slice(0, 20).every((outcome) => outcome.status === 'fulfilled' && outcome.value.nextRevision === 2n)).toBe(true);
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
    expect(current).toMatchObject({ status: 'fulfilled', value: { nextRevision: 2n } });
    for (const stream of fresh) expect(await store.readStream(stream)).toHaveLength(3);

    const positions = outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => String(outcome.value.position));
    expect(new Set(positions).size).toBe(positions.length);
  });

  it('isolates an append that breaks the shared statement, and writes the others', async () => {
    const recorded = newEvent();
    await store.appendToStream(uniqueStream(), [recorded]);
    const streams = Array.from({ length: 10 }, () => uniqueStream());
    const clashing = uniqueStream();
    const outcomes = await Promise.allSettled([
      ...streams.map((stream) => store.appendToStream(stream, newEvents(2))),
      store.appendToStream(clashing, [newEvent(), recorded]),
    ]);
    expect(outcomes.slice(0, 10).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: expect.any(DuplicateEventIdError) });
    expect(await store.readStream(clashing)).toEqual([]);
    for (const stream of streams) expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('keeps two appends to one stream in separate statements, in arrival order', async () => {
    const stream = uniqueStream();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream(stream, [newEvent('Thing', { i })])));
    expect(results.map((result) => result.nextRevision).sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    expect((await store.readStream(stream)).map((event) => event.data['i'])).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});
