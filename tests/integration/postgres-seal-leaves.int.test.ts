import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { leafHash } from '../../domain/audit/hash-chain.js';
import type { JsonObject, NewEvent, Position, RecordedEvent } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { readSealRecord, sealPositionBytes, sealRecord } from '../../infra/event-store/seal-leaves.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { sealedEventsOf, type SealStretchRow } from '../../projections/audit/seal-stretch.js';
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

describe('a stretch of the log hashed where its events lie (hashSealRecords, verify\'s quick pass)', () => {
  it('gives the SHA-256 of the events\' records as the seal packs them in Node: leaf, position, id, revision', async () => {
    const stored = await store.readAll();
    const rest = stored.slice(2);
    const records = rest.map((event) => sealRecord(leafHash(event), event.position, event.id, event.revision));
    expect(await store.hashSealRecords(stored[1]!.position, head())).toEqual({ events: rest.length, records: createHash('sha256').update(Buffer.concat(records)).digest('hex') });
    expect(await store.hashSealRecords(head(), head())).toEqual({ events: 0, records: null });
  });

  it('packs a record in 68 bytes and reads it back; a position in 12: its bits above the lowest 32, then those 32', () => {
    const position = (5n << 32n) | 7n;
    const record = sealRecord('ab'.repeat(32), position, '0190d9a4-5f1e-7c2a-9b1d-4f3c2a1b0e9d', 9n);
    expect(record.toString('hex')).toBe(`${'ab'.repeat(32)}000000000000000500000007` + '0190d9a45f1e7c2a9b1d4f3c2a1b0e9d' + '0000000000000009');
    expect(readSealRecord(record, 0)).toEqual({ leaf: 'ab'.repeat(32), position, id: '0190d9a4-5f1e-7c2a-9b1d-4f3c2a1b0e9d', revision: 9n });
    expect(sealPositionBytes(2n ** 95n + 1n).toString('hex')).toBe('800000000000000000000001');
  });
});

describe('the seal written where the events lie (applySpan, the way on PostgreSQL)', () => {
  it('writes the rows the seal computes in Node from the same stretches of events, chained across them', async () => {
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
      await knex.transaction((trx) => seal.apply(stored.slice(2, 5), trx, byEvents));
      await knex.transaction((trx) => seal.apply(stored.slice(5), trx, byEvents));
      const ends = [stored[1]!.position, stored[4]!.position, head()];
      const counts: number[] = [];
      for (const [i, through] of ends.entries()) counts.push(await knex.transaction((trx) => seal.applySpan!({ after: ends[i - 1], through }, trx, bySpans)));
      expect(counts).toEqual([2, 3, stored.length - 5]);
      const rows = (table: string) => knex.raw<{ rows: unknown[] }>(`SELECT position::text AS through, events, hash, records, streams FROM ${table} ORDER BY position`).then((result) => result.rows);
      const expected = await rows('seal_by_events');
      expect(expected).toHaveLength(3);
      expect(await rows('seal_by_spans')).toEqual(expected);
      // What verify reads back of the rows: every event, as the log holds it.
      const sealed = (await knex.raw<{ rows: SealStretchRow[] }>('SELECT * FROM seal_by_spans ORDER BY position')).rows.flatMap((row) => sealedEventsOf(row));
      expect(sealed).toEqual(stored.map((event) => ({ position: event.position, id: event.id, stream: event.stream, revision: event.revision, leaf: leafHash(event) })));
    } finally {
      await knex.destroy();
    }
  });
});
