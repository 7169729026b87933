import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createKnex } from '../../infra/postgres/knex.js';
import { InvalidCursorError, keysetPage, looksLikeCursor, type KeysetOrder } from '../../projections/keyset-page.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

interface Item {
  id: string;
  tenant: string;
  created_at: Date;
}

describe('keysetPage: cursor pagination over a read model', () => {
  let database: TestDatabase;
  let knex: Knex;
  const newestFirst: KeysetOrder = [['created_at', 'desc'], ['id', 'desc']];
  const newestFirstIdUp: KeysetOrder = [['created_at', 'desc'], ['id', 'asc']];

  beforeAll(async () => {
    database = await createTestDatabase();
    knex = createKnex(database.url, 4);
    await knex.raw(`CREATE TABLE items (id uuid PRIMARY KEY, tenant text NOT NULL, created_at timestamptz NOT NULL)`);
    // 60 rows over 7 instants with microseconds (finer than a JS Date): most rows share their sort value with others.
    await knex.raw(`
      INSERT INTO items (id, tenant, created_at)
      SELECT gen_random_uuid(), CASE WHEN g % 10 = 0 THEN 'other' ELSE 'mine' END,
             timestamptz '2026-01-01 00:00:00.000001+00' + (g % 7) * interval '1.000001 second'
        FROM generate_series(1, 66) AS g`);
  });

  afterAll(async () => {
    await knex.destroy();
    await database.drop();
  });

  async function walk(orderBy: KeysetOrder, limit: number, between?: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await keysetPage<Item>(knex('items').where({ tenant: 'mine' }), { orderBy, cursor, limit });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items.map((item) => item.id));
      if (page.nextCursor === null) return seen;
      expect(looksLikeCursor(page.nextCursor)).toBe(true);
      cursor = page.nextCursor;
      await between?.();
    }
    throw new Error('more pages than rows');
  }

  async function inSqlOrder(order: string): Promise<string[]> {
    const { rows } = await knex.raw<{ rows: Array<{ id: string }> }>(`SELECT id FROM items WHERE tenant = 'mine' ORDER BY ${order}`);
    return rows.map((row) => row.id);
  }

  it('walks every row once, in order, whatever the page size, though sort values repeat and carry microseconds', async () => {
    const expected = await inSqlOrder('created_at DESC, id DESC');
    expect(expected).toHaveLength(60);
    for (const limit of [1, 7, 20, 59, 60, 100]) expect(await walk(newestFirst, limit)).toEqual(expected);
  });

  it('handles mixed directions', async () => {
    expect(await walk(newestFirstIdUp, 7)).toEqual(await inSqlOrder('created_at DESC, id ASC'));
  });

  it('rows added and removed between pages never make a page repeat or skip a row that stayed', async () => {
    const before = new Set(await inSqlOrder('created_at DESC, id DESC'));
    let round = 0;
    const added: string[] = [];
    const seen = await walk(newestFirst, 5, async () => {
      round++;
      // A new row at the top (already passed) and one in the middle, sharing a sort value; an old row deleted.
      const { rows: inserted } = await knex.raw<{ rows: Array<{ id: string }> }>(
        `INSERT INTO items VALUES (gen_random_uuid(), 'mine', timestamptz '2026-01-01 00:00:10+00'), (gen_random_uuid(), 'mine', timestamptz '2026-01-01 00:00:03.000004+00') RETURNING id`,
      );
      added.push(...inserted.map((row) => row.id));
      if (round === 2) await knex.raw(`DELETE FROM items WHERE id = (SELECT id FROM items WHERE tenant = 'mine' ORDER BY created_at ASC, id ASC LIMIT 1)`);
    });
    expect(new Set(seen).size).toBe(seen.length);
    const stayed = new Set(await inSqlOrder('id'));
    for (const id of before) if (stayed.has(id)) expect(seen).toContain(id);
    await knex('items').whereIn('id', added).delete();
  });

  it('refuses a cursor that is not ours: garbage, another order, or keys tampered with', async () => {
    const first = await keysetPage<Item>(knex('items'), { orderBy: newestFirst, limit: 2 });
    const cursor = first.nextCursor!;
    const page = (orderBy: KeysetOrder, c: string) => keysetPage<Item>(knex('items'), { orderBy, cursor: c, limit: 2 });
    await expect(page(newestFirstIdUp, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(page(newestFirst, 'not-ours')).rejects.toBeInstanceOf(InvalidCursorError);
    const [fingerprint] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as string[];
    const tampered = Buffer.from(JSON.stringify([fingerprint, 'yesterday-ish', 'not-a-uuid']), 'utf8').toString('base64url');
    expect(looksLikeCursor(tampered)).toBe(true);
    await expect(page(newestFirst, tampered)).rejects.toBeInstanceOf(InvalidCursorError);
    for (const bad of ['', 'a', '%%%', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), `${cursor}=`]) {
      expect(looksLikeCursor(bad)).toBe(false);
    }
  });

  it('answers items without its own key columns, and no cursor on the last page', async () => {
    const page = await keysetPage<Item>(knex('items').where({ tenant: 'other' }).select('id', 'created_at'), { orderBy: newestFirst, limit: 6 });
    expect(page.items).toHaveLength(6);
    expect(page.nextCursor).toBeNull();
    expect(Object.keys(page.items[0]!).sort()).toEqual(['created_at', 'id']);
  });
});
