import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import type pg from 'pg';
import { createKnex } from '../../infra/postgres/knex.js';
import { InvalidCursorError, keysetPage, type KeysetOrder } from '../../projections/keyset-page.js';
import { PreparedKeysetPage } from '../../projections/prepared-keyset-page.js';
import { param } from '../../projections/prepared-query.js';
import { PreparedShapes } from '../../projections/prepared-shapes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

interface Item {
  id: string;
  tenant: string;
  created_at: Date;
}

describe('PreparedKeysetPage: a list’s pages as prepared statements', () => {
  let database: TestDatabase;
  let knex: Knex;
  const newestFirst: KeysetOrder = [['created_at', 'desc'], ['id', 'desc']];

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection: the statements it has prepared are the pool's.
    knex = createKnex(database.url, 1);
    await knex.raw(`CREATE TABLE items (id uuid PRIMARY KEY, tenant text NOT NULL, created_at timestamptz NOT NULL)`);
    await knex.raw(`CREATE INDEX ON items (created_at DESC, id DESC)`);
    await knex.raw(`
      INSERT INTO items (id, tenant, created_at)
      SELECT gen_random_uuid(), CASE WHEN g % 3 = 0 THEN 'other' ELSE 'mine' END,
             timestamptz '2026-01-01 00:00:00.000001+00' + (g % 7) * interval '1.000001 second'
        FROM generate_series(1, 90) AS g`);
  });

  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  const ofTenant = (limit: number, prepare = true) =>
    new PreparedKeysetPage<{ tenant: string }>('items_of', knex('items').where('tenant', param('tenant')), newestFirst, limit, { prepare });

  async function walkPrepared(list: PreparedKeysetPage<{ tenant: string }>, tenant: string): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await list.page<Item>(knex, { tenant }, cursor);
      seen.push(...page.items.map((item) => item.id));
      if (page.nextCursor === null) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('more pages than rows');
  }

  async function walkBuilt(tenant: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await keysetPage<Item>(knex('items').where({ tenant }), { orderBy: newestFirst, cursor, limit });
      seen.push(...page.items.map((item) => item.id));
      if (page.nextCursor === null) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('more pages than rows');
  }

  async function preparedStatements(): Promise<Array<{ name: string; statement: string; parameter_types: string[] }>> {
    const connection = (await knex.client.acquireConnection()) as pg.Client;
    try {
      const { rows } = await connection.query<{ name: string; statement: string; parameter_types: string[] }>(
        "SELECT name, statement, parameter_types::text[] AS parameter_types FROM pg_prepared_statements WHERE name LIKE 'items_of%' ORDER BY name",
      );
      return rows;
    } finally {
      await knex.client.releaseConnection(connection);
    }
  }

  it('walks the same rows in the same order as keysetPage, each tenant its own, whatever the page size', async () => {
    for (const limit of [1, 7, 20, 100]) {
      const list = ofTenant(limit);
      for (const tenant of ['mine', 'other']) expect(await walkPrepared(list, tenant)).toEqual(await walkBuilt(tenant, limit));
    }
    expect(await walkPrepared(ofTenant(5), 'nobody')).toEqual([]);
  });

  it('takes keysetPage’s cursors and refuses one of another order, or with a key that is not of its column’s type', async () => {
    const built = await keysetPage<Item>(knex('items').where({ tenant: 'mine' }), { orderBy: newestFirst, limit: 4 });
    const list = ofTenant(4);
    const next = await list.page<Item>(knex, { tenant: 'mine' }, built.nextCursor!);
    const builtNext = await keysetPage<Item>(knex('items').where({ tenant: 'mine' }), { orderBy: newestFirst, cursor: built.nextCursor!, limit: 4 });
    expect(next).toEqual(builtNext);

    const otherOrder = await keysetPage<Item>(knex('items'), { orderBy: [['created_at', 'asc'], ['id', 'asc']], limit: 2 });
    await expect(list.page(knex, { tenant: 'mine' }, otherOrder.nextCursor!)).rejects.toBeInstanceOf(InvalidCursorError);
    const [fingerprint] = JSON.parse(Buffer.from(built.nextCursor!, 'base64url').toString('utf8')) as string[];
    const tampered = Buffer.from(JSON.stringify([fingerprint, 'yesterday-ish', 'not-a-uuid']), 'utf8').toString('base64url');
    await expect(list.page(knex, { tenant: 'mine' }, tampered)).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('writes the page size into the statement, so its values are the list’s own and the cursor’s keys alone', async () => {
    // With LIMIT as a parameter, PostgreSQL's generic plan assumes a tenth of the table and it re-plans every run.
    const list = ofTenant(3);
    const first = await list.page<Item>(knex, { tenant: 'mine' }, undefined);
    await list.page<Item>(knex, { tenant: 'mine' }, first.nextCursor!);
    const statements = (await preparedStatements()).filter((row) => row.statement.includes('LIMIT 4'));
    expect(statements.map((row) => row.parameter_types.join()).sort()).toEqual(['text', 'text,timestamp with time zone,uuid']);
  });

  it('answers the columns it is told, under their names, while ordering by columns it does not answer', async () => {
    const query = knex('items').select('id', 'created_at', knex.raw("to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS created_text")).where('tenant', param('tenant'));
    const list = new PreparedKeysetPage<{ tenant: string }>('items_columns', query, newestFirst, 4, { prepare: true, columns: { id: 'id', at: 'created_text' } });
    const first = await list.page<{ id: string; at: string }>(knex, { tenant: 'mine' }, undefined);
    expect(first.items[0]).toEqual({ id: expect.any(String), at: expect.stringMatching(/^00:00:0\d\.\d{6}$/) });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await list.page(knex, { tenant: 'mine' }, cursor, (row) => ({ key: `${String(row.at)}/${String(row.id)}` }));
      seen.push(...page.items.map((item) => item.key.split('/')[1]!));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(await walkBuilt('mine', 4));
    expect(() => new PreparedKeysetPage('bad', query, newestFirst, 4, { prepare: false, columns: { 'id; DROP TABLE items': 'id' } })).toThrow(/bad column/);
    expect(() => new PreparedKeysetPage('bad', query, newestFirst, 4, { prepare: false, columns: {} })).toThrow(/at least one column/);
  });

  it('runs unnamed when told not to prepare: nothing stays prepared on the connection', async () => {
    const before = await preparedStatements();
    const list = ofTenant(11, false);
    expect(await walkPrepared(list, 'mine')).toEqual(await walkBuilt('mine', 11));
    expect(await preparedStatements()).toEqual(before);
  });
});

describe('PreparedShapes: the first shapes kept and prepared, the rest built per run', () => {
  it('keeps a shape once made, up to its bound, and makes the others unprepared every time', () => {
    const made: Array<{ shape: string; prepare: boolean }> = [];
    const shapes = new PreparedShapes<string>(2);
    const get = (shape: string) => shapes.get(shape, (prepare) => (made.push({ shape, prepare }), `${shape}:${prepare}`));
    expect(get('a')).toBe('a:true');
    expect(get('a')).toBe('a:true');
    expect(get('b')).toBe('b:true');
    expect(get('c')).toBe('c:false');
    expect(get('c')).toBe('c:false');
    expect(get('b')).toBe('b:true');
    expect(made).toEqual([
      { shape: 'a', prepare: true },
      { shape: 'b', prepare: true },
      { shape: 'c', prepare: false },
      { shape: 'c', prepare: false },
    ]);
    expect(shapes.size).toBe(2);
  });
});
