import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { chainLink, leafHash } from '../../domain/audit/hash-chain.js';
import type { JsonObject, NewEvent, Position, RecordedEvent } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** Payloads that JSON escapes or writes in more than one way: every leaf PostgreSQL hashes must be the one the seal hashes. */
const PAYLOADS: JsonObject[] = [
  { text: 'plain' },
  { quotes: 'say "hi" \\ back\\slash /slash' },
  { controls: 'tab\there\nnew line\r\u0001\u001f\b\f' },
  { unicode: 'é, ß, 日本語, emoji 😀, \u2028 and \u2029, \u007f' },
  { numbers: [0, -0, 1.5, -2.25e-7, 1e21, 12345678901234567890, 0.1, 3] },
  { nested: { deeper: { list: [true, false, null, [], {}] } }, 'key with "quotes"': 1, 'ключ': 'значение' },
  {},
];

let database: TestDatabase;
let store: PostgresEventStore;
let events: RecordedEvent[];

beforeAll(async () => {
  database = await createTestDatabase();
  store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), poolSize: 4 });
  const appended: NewEvent[] = PAYLOADS.map((data, i) => ({ id: randomUUID(), type: i % 2 === 0 ? 'Thing"Happened\\' : 'ThingHappened', data, metadata: { note: data, i } }));
  await store.appendToStream(`seal-"quoted"-${randomUUID()}`, appended.slice(0, 3));
  await store.appendToStream(`seal-é-${randomUUID()}`, appended.slice(3));
  events = await store.readAll();
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

const head = (): Position => events.at(-1)!.position;

describe('the seal leaves PostgreSQL hashes where the events lie', () => {
  it('are the leaves the seal hashes from the events as read, escapes, unicode, numbers and the time of recording included', async () => {
    const leaves = await store.readSealLeaves(undefined, head(), 100);
    expect(leaves.map((leaf) => leaf.leaf)).toEqual(events.map((event) => leafHash(event)));
    expect(leaves.map(({ position, id, stream, revision }) => ({ position, id, stream, revision }))).toEqual(
      events.map(({ position, id, stream, revision }) => ({ position, id, stream, revision })),
    );
  });

  it('write the time of recording alike: a whole second, trailing zeros and microseconds beyond the millisecond included', async () => {
    const times = ['2026-03-04 05:06:07+00', '2026-03-04 05:06:07.1+00', '2026-03-04 05:06:07.12+00', '2026-03-04 05:06:07.120999+00', '2026-03-04 05:06:07.999999+00'];
    const client = new pg.Client(database.url);
    await client.connect();
    try {
      for (const [i, time] of times.entries()) await client.query('UPDATE events SET recorded_at = $1 WHERE event_id = $2', [time, events[i]!.id]);
      const reread = await store.readAll();
      const leaves = await store.readSealLeaves(undefined, head(), 100);
      expect(leaves.map((leaf) => leaf.leaf)).toEqual(reread.map((event) => leafHash(event)));
      expect(reread.slice(0, times.length).map((event) => event.recordedAt.toISOString())).toEqual([
        '2026-03-04T05:06:07.000Z', '2026-03-04T05:06:07.100Z', '2026-03-04T05:06:07.120Z', '2026-03-04T05:06:07.120Z', '2026-03-04T05:06:07.999Z',
      ]);
    } finally {
      for (const event of events.slice(0, times.length)) await client.query('UPDATE events SET recorded_at = $1 WHERE event_id = $2', [event.recordedAt, event.id]);
      await client.end();
    }
  });

  it('page by position: after one, through another, at most the limit', async () => {
    const leaves = await store.readSealLeaves(events[1]!.position, events[5]!.position, 3);
    expect(leaves.map((leaf) => leaf.position)).toEqual([events[2]!.position, events[3]!.position, events[4]!.position]);
    const rest = await store.readSealLeaves(events[4]!.position, events[5]!.position, 3);
    expect(rest.map((leaf) => leaf.position)).toEqual([events[5]!.position]);
  });

  it('cover the payloads as stored: re-stored in another JSON form with the same content, the leaf changes, in PostgreSQL and in the seal alike', async () => {
    const event = events[0]!;
    const client = new pg.Client(database.url);
    await client.connect();
    try {
      await client.query('UPDATE events SET data = $1::json WHERE event_id = $2', [JSON.stringify(event.data, null, 2), event.id]);
    } finally {
      await client.end();
    }
    const [leaf] = await store.readSealLeaves(undefined, event.position, 1);
    const [reread] = await store.readAll({ maxCount: 1 });
    expect(reread!.data).toEqual(event.data);
    expect(leaf!.leaf).toBe(leafHash(reread!));
    expect(leaf!.leaf).not.toBe(leafHash(event));
  });
});

describe('a page of the log chained where its events lie (chainSealPage, verify\'s quick pass)', () => {
  it('gives the chain the seal computes in Node, from any hash, with the hash of the page\'s positions', async () => {
    const stored = await store.readAll();
    const start = 'a'.repeat(64);
    const page = await store.chainSealPage(stored[1]!.position, head(), start);
    const rest = stored.slice(2);
    expect(page).toEqual({
      events: rest.length,
      hash: rest.reduce((chained, event) => chainLink(chained, leafHash(event)), start),
      positions: createHash('sha256').update(rest.map((event) => String(event.position)).join(',')).digest('hex'),
    });
    expect(await store.chainSealPage(head(), head(), start)).toEqual({ events: 0, hash: null, positions: null });
  });
});

describe('the seal written where the events lie (applySpan, the way on PostgreSQL)', () => {
  it('writes the rows the seal computes in Node from the events, span after span, chained across them', async () => {
    const knex = createKnex(database.url, 2);
    try {
      const seal = auditChainProjection();
      const byEvents = { audit_chain: 'seal_by_events' };
      const bySpans = { audit_chain: 'seal_by_spans' };
      await knex.transaction(async (trx) => {
        await seal.setup(trx, byEvents);
        await seal.setup(trx, bySpans);
      });
      // As stored now: a test above rewrote times of recording.
      const stored = await store.readAll();
      await knex.transaction((trx) => seal.apply(stored.slice(0, 2), trx, byEvents));
      await knex.transaction((trx) => seal.apply(stored.slice(2), trx, byEvents));
      const ends = [stored[1]!.position, stored[4]!.position, head()];
      const counts: number[] = [];
      for (const [i, through] of ends.entries()) counts.push(await knex.transaction((trx) => seal.applySpan!({ after: ends[i - 1], through }, trx, bySpans)));
      expect(counts).toEqual([2, 3, stored.length - 5]);
      const rows = (table: string) =>
        knex.raw<{ rows: unknown[] }>(`SELECT position::text AS position, event_id::text AS event_id, stream, revision::text AS revision, hash FROM ${table} ORDER BY position`).then((result) => result.rows);
      const expected = await rows('seal_by_events');
      expect(expected).toHaveLength(stored.length);
      expect(await rows('seal_by_spans')).toEqual(expected);
    } finally {
      await knex.destroy();
    }
  });
});
