import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { leafHash } from '../../domain/audit/hash-chain.js';
import type { JsonObject, NewEvent, Position, RecordedEvent } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { sealPositionBytes, sealRecord } from '../../infra/event-store/seal-leaves.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { sealedEventsOf, sealLeafOf, type SealStretchRow } from '../../projections/audit/seal-stretch.js';
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
  // Appends at once, which the store sends as one statement, each with its leaves.
  await Promise.all(PAYLOADS.map((data, i) => store.appendToStream(`seal-many-${i}`, [{ id: randomUUID(), type: 'ThingHappened', data, metadata: { i } }])));
  // And a store that stores no leaves: the seal hashes those events itself.
  const leafless = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), poolSize: 1, sealLeaves: false });
  await leafless.appendToStream(`seal-leafless-${randomUUID()}`, PAYLOADS.slice(0, 3).map((data) => ({ id: randomUUID(), type: 'ThingHappened', data, metadata: {} })));
  await leafless.close();
  events = await store.readAll();
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

const head = (): Position => events.at(-1)!.position;

describe('the seal leaves PostgreSQL hashes where the events lie', () => {
  it('are the leaves the seal hashes from the events as read, escapes, unicode and numbers included, with where, which and when', async () => {
    const leaves = await store.readSealLeaves(undefined, head(), 100);
    expect(leaves).toEqual(events.map(sealLeafOf));
  });

  it('are the leaves the appenders stored beside the events, one statement for many appends or one; none from a store told not to', async () => {
    const client = new pg.Client(database.url);
    await client.connect();
    try {
      const { rows } = await client.query<{ stream: string; leaf: string | null }>("SELECT stream_id AS stream, encode(seal_leaf, 'hex') AS leaf FROM events ORDER BY tx_id, idx");
      const leaves = await store.readSealLeaves(undefined, head(), 100);
      expect(rows.filter((row) => !row.stream.startsWith('seal-leafless-')).map((row) => row.leaf)).toEqual(leaves.filter((leaf) => !leaf.stream.startsWith('seal-leafless-')).map((leaf) => leaf.leaf));
      expect(rows.filter((row) => row.stream.startsWith('seal-leafless-')).map((row) => row.leaf)).toEqual([null, null, null]);
      expect(new Set(rows.map((row) => row.leaf)).size).toBe(rows.length - 2);
    } finally {
      await client.end();
    }
  });

  it('keep the time of recording to the microsecond, as PostgreSQL has it', async () => {
    const times = ['2000-01-01 00:00:00.000001+00', '2026-03-04 05:06:07.120999+00', '1999-12-31 23:59:59.999999+00'];
    const client = new pg.Client(database.url);
    await client.connect();
    const { rows: originals } = await client.query<{ id: string; time: string }>('SELECT event_id::text AS id, recorded_at::text AS time FROM events WHERE event_id = ANY ($1::uuid[])', [events.slice(0, times.length).map((event) => event.id)]);
    try {
      for (const [i, time] of times.entries()) await client.query('UPDATE events SET recorded_at = $1 WHERE event_id = $2', [time, events[i]!.id]);
      const leaves = await store.readSealLeaves(undefined, head(), 100);
      const expected = [1n, BigInt(Date.parse('2026-03-04T05:06:07.120Z') - Date.parse('2000-01-01T00:00:00Z')) * 1000n + 999n, -1n];
      expect(leaves.slice(0, times.length).map((leaf) => leaf.recorded)).toEqual(expected);
      // The events as read in Node carry it too, so the seal computed in Node packs the same time.
      const reread = await store.readAll({ maxCount: times.length });
      expect(reread.map((event) => event.storedTime)).toEqual(expected);
      expect(reread.map((event) => sealLeafOf(event).recorded)).toEqual(expected);
      expect(reread[1]!.recordedAt.toISOString()).toBe('2026-03-04T05:06:07.120Z');
    } finally {
      for (const { id, time } of originals) await client.query('UPDATE events SET recorded_at = $1::timestamptz WHERE event_id = $2', [time, id]);
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
      const [leaf] = await store.readSealLeaves(undefined, event.position, 1);
      const [reread] = await store.readAll({ maxCount: 1 });
      expect(reread!.data).toEqual(event.data);
      expect(leaf!.leaf).toBe(leafHash(reread!));
      expect(leaf!.leaf).not.toBe(leafHash(event));
    } finally {
      // As appended again: the seal written below packs the appender's leaf of this text.
      await client.query('UPDATE events SET data = $1::json WHERE event_id = $2', [JSON.stringify(event.data), event.id]);
      await client.end();
    }
  });
});

describe('a stretch of the log hashed where its events lie (hashSealRecords, verify\'s quick pass)', () => {
  it('gives the SHA-256 of the events\' records as the seal packs them in Node: leaf, position, id, revision, time', async () => {
    const stored = await store.readAll();
    const rest = stored.slice(2);
    const records = rest.map((event) => sealRecord(sealLeafOf(event)));
    expect(await store.hashSealRecords(stored[1]!.position, head())).toEqual({ events: rest.length, records: createHash('sha256').update(Buffer.concat(records)).digest('hex') });
    expect(await store.hashSealRecords(head(), head())).toEqual({ events: 0, records: null });
  });

  it('packs a position in 12 bytes: its bits above the lowest 32, then those 32', () => {
    expect(sealPositionBytes((5n << 32n) | 7n).toString('hex')).toBe('000000000000000500000007');
    expect(sealPositionBytes(2n ** 95n + 1n).toString('hex')).toBe('800000000000000000000001');
  });
});

describe('the seal written where the events lie (applySpan, the way on PostgreSQL)', () => {
  it('writes the rows the seal computes in Node from the same stretches of events, chained across them, with the appenders\' leaves or without', async () => {
    const knex = createKnex(database.url, 2);
    try {
      const seal = auditChainProjection();
      const byEvents = { audit_chain: 'seal_by_events' };
      const bySpans = { audit_chain: 'seal_by_spans' };
      await knex.transaction(async (trx) => {
        await seal.setup(trx, byEvents);
        await seal.setup(trx, bySpans);
      });
      // A stored leaf of another length is hashed again, not packed: it would shift every record after it.
      await knex.raw("UPDATE events SET seal_leaf = '\\x01' WHERE event_id = ?", [events[3]!.id]);
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
      expect(sealed).toEqual(stored.map(sealLeafOf));
    } finally {
      await knex.destroy();
    }
  });
});

describe('an event changed behind the store\'s back before the seal takes it', () => {
  it('is sealed as its appender hashed it, so verify\'s hash of the log no longer matches the seal', async () => {
    const before = head();
    const appended = await store.appendToStream(`seal-early-${randomUUID()}`, [{ id: randomUUID(), type: 'ThingHappened', data: { amount: 10 }, metadata: {} }]);
    const [original] = await store.readAll({ fromPosition: before });
    const knex = createKnex(database.url, 2);
    try {
      await knex.raw("UPDATE events SET data = '{\"amount\":1000}' WHERE event_id = ?", [original!.id]);
      const seal = auditChainProjection();
      const tables = { audit_chain: 'seal_early' };
      await knex.transaction((trx) => seal.setup(trx, tables));
      await knex.transaction((trx) => seal.applySpan!({ after: before, through: appended.position }, trx, tables));
      const [row] = (await knex.raw<{ rows: SealStretchRow[] }>('SELECT * FROM seal_early')).rows;
      const [sealed] = sealedEventsOf(row!);
      const [changed] = await store.readAll({ fromPosition: before });
      expect(sealed!.leaf).toBe(leafHash(original!));
      expect(sealed!.leaf).not.toBe(leafHash(changed!));
      const logHash = await store.hashSealRecords(before, appended.position);
      expect(logHash.events).toBe(1);
      expect(logHash.records).not.toBe(createHash('sha256').update(row!.records).digest('hex'));
    } finally {
      await knex.destroy();
    }
  });
});
