import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { NewEvent } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { newEvents, uniqueStream } from '../support/events.js';

const CALLERS = 40;
const EVENTS_PER_APPEND = 60;

/**
 * Many writers appending with `any` to one stream. Racing for its next
 * revision, all but one statement would fail on the primary key and retry,
 * round after round, until some gave up with a raw database error.
 */
describe('PostgreSQL appends to one hot stream', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Client(database.url);
    await admin.connect();
    // Every append statement that starts is counted (a sequence does not roll
    // back), and takes 5 ms more, as on a disk that is slow to commit: racing
    // statements would overlap and show up as extra attempts.
    await admin.query(`
      CREATE SEQUENCE append_attempts;
      CREATE FUNCTION count_append_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM nextval('append_attempts'); PERFORM pg_sleep(0.005); RETURN NULL; END $$;
      CREATE TRIGGER count_append_attempt BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION count_append_attempt();`);
    store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), poolSize: CALLERS });
  });
  afterAll(async () => {
    await store?.close();
    await admin?.end();
    await database?.drop();
  });

  it(`appends ${CALLERS} concurrent appends of ${EVENTS_PER_APPEND} events each one after the other: none fails, none is retried`, async () => {
    const stream = uniqueStream('hot');
    const batches: NewEvent[][] = Array.from({ length: CALLERS }, () => newEvents(EVENTS_PER_APPEND));
    const outcomes = await Promise.allSettled(batches.map((events) => store.appendToStream(stream, events)));

    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const { rows } = await admin.query<{ attempts: string }>(`SELECT last_value::text AS attempts FROM append_attempts`);
    expect(Number(rows[0]!.attempts)).toBe(CALLERS);

    const events = await store.readStream(stream);
    expect(events.map((event) => event.revision)).toEqual(Array.from({ length: CALLERS * EVENTS_PER_APPEND }, (_, i) => BigInt(i)));
    expect(new Set(events.map((event) => event.id)).size).toBe(CALLERS * EVENTS_PER_APPEND);
    // Each append's events are together, in its order, ending at the revision it was answered with.
    const revisionOf = new Map(events.map((event) => [event.id, event.revision]));
    batches.forEach((batch, index) => {
      const revisions = batch.map((event) => revisionOf.get(event.id));
      const first = revisions[0]!;
      expect(revisions).toEqual(batch.map((_, i) => first + BigInt(i)));
      const outcome = outcomes[index]!;
      expect(outcome.status === 'fulfilled' && outcome.value.nextRevision).toBe(revisions[revisions.length - 1]);
    });
  });
});
