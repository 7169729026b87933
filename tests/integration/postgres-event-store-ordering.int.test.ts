import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { APPEND_LOCK } from '../../infra/event-store/postgres/schema.js';
import type { Position, RecordedEvent, SubscriptionItem } from '../../infra/event-store/event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { collect, newEvent } from '../support/events.js';

/**
 * The failure PostgreSQL event stores are known for: an append that got its
 * place in the log early but commits late, after a reader moved past it.
 */
describe('PostgreSQL event store under late commits', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const logLines: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    store = await PostgresEventStore.connect({
      connectionString: database.url,
      logger: createLogger('warn', sink),
      poolSize: 24,
      pollIntervalMs: 100,
      stallWarningMs: 300,
    });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  /** An append written by hand so that its commit can be delayed: lock, then insert, like the real one. */
  async function openSlowAppend(stream: string): Promise<{ client: pg.Client; eventId: string; commit(): Promise<void> }> {
    const client = new pg.Client(database.url);
    await client.connect();
    const eventId = randomUUID();
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock_shared(${APPEND_LOCK.classId}, ${APPEND_LOCK.objId})`);
    await client.query(
      `INSERT INTO events (stream_id, stream_revision, idx, event_id, event_type, data, metadata) VALUES ($1, 0, 0, $2, 'Slow', '{}', '{}')`,
      [stream, eventId],
    );
    return {
      client,
      eventId,
      commit: async () => {
        await client.query('COMMIT');
        await client.end();
      },
    };
  }

  function expectLogOrder(events: RecordedEvent[]): void {
    for (let i = 1; i < events.length; i++) expect(events[i]!.position > events[i - 1]!.position).toBe(true);
  }

  it('holds later events back until an earlier append commits, then delivers all in order', async () => {
    const category = `late${randomUUID().slice(0, 8)}`;
    const from = await store.headPosition();
    const subscription = store.subscribeToAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } });
    const slow = await openSlowAppend(`${category}-slow`);
    const quick = [];
    for (let i = 0; i < 5; i++) quick.push(await store.appendToStream(`${category}-quick-${i}`, [newEvent()]));

    // Committed, but behind an append still in flight: not readable yet.
    const visible = await store.readAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } });
    expect(visible).toEqual([]);

    setTimeout(() => void slow.commit(), 200);
    const { events } = await collect(subscription, (seen) => seen.length === 6);
    expect(events[0]!.id).toBe(slow.eventId);
    expect(events.slice(1).map((event) => event.position)).toEqual(quick.map((result) => result.position));
    expectLogOrder(events);
  });

  it('follows positions alone (subscribeToPositions) up to an append still in flight, never past it, then on once it commits', async () => {
    const from = await store.headPosition();
    const slow = await openSlowAppend(`span-${randomUUID()}`);
    const quick: Position[] = [];
    for (let i = 0; i < 3; i++) quick.push((await store.appendToStream(`span-${randomUUID()}`, [newEvent(), newEvent()])).position);
    const subscription = store.subscribeToPositions(from === undefined ? {} : { fromPosition: from });
    const items = subscription[Symbol.asyncIterator]();
    const until = async (done: (item: SubscriptionItem) => boolean): Promise<SubscriptionItem[]> => {
      const seen: SubscriptionItem[] = [];
      for (let next = await items.next(); !next.done; next = await items.next()) {
        seen.push(next.value);
        if (done(next.value)) return seen;
      }
      throw new Error(`the subscription ended after ${JSON.stringify(seen, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}`);
    };
    // Only positions, and none past the append in flight: what the quick appends committed waits behind it.
    expect(await until((item) => item.kind === 'caught-up')).toEqual([{ kind: 'caught-up', position: from }]);

    setTimeout(() => void slow.commit(), 200);
    const on = await until((item) => item.kind === 'checkpoint' && item.position === quick.at(-1));
    expect(on.every((item) => item.kind === 'checkpoint')).toBe(true);
    const passed = on.map((item) => (item.kind === 'checkpoint' ? item.position : 0n));
    for (let i = 1; i < passed.length; i++) expect(passed[i]! > passed[i - 1]!).toBe(true);
    await subscription.close();
  });

  it('logs an append that holds subscribers back for long', async () => {
    const subscription = store.subscribeToAll({ fromPosition: await store.headPosition() });
    const slow = await openSlowAppend(`stall-${randomUUID()}`);
    await store.appendToStream(`stall-${randomUUID()}`, [newEvent()]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const consumed = collect(subscription, (seen) => seen.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(store.horizonBlockedForMs()).toBeGreaterThan(300);
    await slow.commit();
    await consumed;
    expect(logLines.some((line) => line.includes('subscriptions wait for a slow append'))).toBe(true);
  });

  it('is not held back by a transaction left open elsewhere in the database', async () => {
    const idle = new pg.Client(database.url);
    await idle.connect();
    await idle.query('BEGIN');
    await idle.query('CREATE TEMP TABLE scratch (i int)');
    await idle.query('INSERT INTO scratch VALUES (1)');
    try {
      const stream = `open-${randomUUID()}`;
      const subscription = store.subscribeToAll({ fromPosition: await store.headPosition(), filter: { streamPrefixes: [stream] } });
      const appended = await store.appendToStream(stream, [newEvent()]);
      const { events } = await collect(subscription, (seen) => seen.length === 1, 5_000);
      expect(events.map((event) => event.position)).toEqual([appended.position]);
    } finally {
      await idle.query('ROLLBACK');
      await idle.end();
    }
  });

  it('never skips or repeats under many randomly delayed commits racing ordinary appends', async () => {
    const category = `race${randomUUID().slice(0, 8)}`;
    const from = await store.headPosition();
    const subscription = store.subscribeToAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } });
    const expected = new Set<string>();
    const slowWriters = Array.from({ length: 12 }, async (_, writer) => {
      for (let i = 0; i < 5; i++) {
        const slow = await openSlowAppend(`${category}-slow-${writer}-${i}`);
        expected.add(slow.eventId);
        await slow.client.query('SELECT pg_sleep($1)', [Math.random() * 0.03]);
        await slow.commit();
      }
    });
    const quickWriters = Array.from({ length: 6 }, async (_, writer) => {
      for (let i = 0; i < 40; i++) {
        const event = newEvent();
        expected.add(event.id);
        await store.appendToStream(`${category}-quick-${writer}`, [event]);
      }
    });
    const total = 12 * 5 + 6 * 40;
    const received = collect(subscription, (seen) => seen.length >= total, 60_000);
    await Promise.all([...slowWriters, ...quickWriters]);
    const { events } = await received;
    expect(events).toHaveLength(total);
    expect(new Set(events.map((event) => event.id))).toEqual(expected);
    expectLogOrder(events);

    const readBack = await store.readAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } });
    expect(readBack.map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('resumes a filtered subscription from a checkpoint past events it did not want', async () => {
    const wanted = `want-${randomUUID()}`;
    const subscription = store.subscribeToAll({ fromPosition: await store.headPosition(), filter: { streamPrefixes: [wanted] } });
    let checkpoint: Position | undefined;
    let unrelated: Position | undefined;
    for await (const item of subscription) {
      if (item.kind === 'caught-up') unrelated = (await store.appendToStream(`other-${randomUUID()}`, [newEvent()])).position;
      if (item.kind === 'checkpoint' && unrelated !== undefined && item.position >= unrelated) {
        checkpoint = item.position;
        break;
      }
    }
    expect(checkpoint).toBeDefined();
    const later = await store.appendToStream(wanted, [newEvent()]);
    const resumed = await store.readAll({ fromPosition: checkpoint, filter: { streamPrefixes: [wanted] } });
    expect(resumed.map((event) => event.position)).toEqual([later.position]);
  });
});
